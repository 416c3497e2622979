"""How a waiting sender learns that something changed in the outbox, without a busy loop.

SQLite has no notifications between processes: the waiter asks `PRAGMA data_version` on a
connection of its own every poll interval. It is the cheapest question SQLite answers (no table
is read), and its value changes whenever another connection commits. PostgreSQL has
LISTEN/NOTIFY: a save's transaction sends a NOTIFY (`outbox.announce`) that reaches every
listening sender the moment it commits; the poll interval is then only the fallback.
"""

import threading
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Engine

from alertctl.db.outbox import CHANNEL

# How often a waiter on PostgreSQL looks whether it was asked to stop: a select() on the
# connection's socket, no query.
STOP_CHECK_SECONDS = 0.5

# The poll interval when none is given: SQLite is polled with a query that reads no table;
# PostgreSQL notifies, and its poll is only the fallback.
DEFAULT_POLL_SECONDS = {"sqlite": 0.25, "postgresql": 5.0}


class Waiter(Protocol):
    def arm(self) -> None:
        """Start listening: a change made after this returns is seen by the next wait."""
        ...

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Wait up to `seconds`; True as soon as the outbox may have changed, False when the
        time ran out or `stop` was set."""
        ...

    def close(self) -> None: ...


class SqliteWaiter:
    """Polls `PRAGMA data_version`, and whether the file is still the one it opened: a file
    replaced under it (deleted and created again, restored by `mv`) ends the wait at once, so
    that the sender notices and opens the new one."""

    def __init__(
        self, engine: Engine, poll_seconds: float, identity: Callable[[], object] = lambda: None
    ) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self.identity = identity
        self._opened: object = None
        self._raw: Any = None
        self._version: int | None = None

    def _data_version(self) -> int:
        if self._raw is None:
            self._raw = self.engine.raw_connection()
        cursor = self._raw.driver_connection.cursor()
        try:
            return int(cursor.execute("PRAGMA data_version").fetchone()[0])
        finally:
            cursor.close()

    def arm(self) -> None:
        if self._version is None:
            self._opened = self.identity()
            self._version = self._data_version()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        self.arm()
        remaining = seconds
        while remaining > 0 and not stop.is_set():
            step = min(self.poll_seconds, remaining)
            if stop.wait(step):
                return False
            remaining -= step
            if self.identity() != self._opened:
                return True
            version = self._data_version()
            if version != self._version:
                self._version = version
                return True
        return False

    def close(self) -> None:
        self._version = None
        if self._raw is not None:
            self._raw.close()
            self._raw = None


class PostgresWaiter:
    def __init__(self, engine: Engine, poll_seconds: float) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self._raw: Any = None

    def _listening(self) -> Any:
        if self._raw is None:
            raw = self.engine.raw_connection()
            connection: Any = raw.driver_connection
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self._raw = raw
        return self._raw.driver_connection

    def arm(self) -> None:
        self._listening()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        connection = self._listening()
        # The poll interval is only the fallback here: the sender looks again after it even
        # without a notification (one missed while a connection was being replaced, say).
        remaining = min(seconds, self.poll_seconds)
        while remaining > 0 and not stop.is_set():
            # In short slices, so that a stop is seen at once whatever the poll interval.
            step = min(STOP_CHECK_SECONDS, remaining)
            for _ in connection.notifies(timeout=step, stop_after=1):
                return True
            remaining -= step
        return False

    def close(self) -> None:
        # Never back to the pool: the connection listens and is in autocommit mode, and after
        # a server restart it is dead, and a reset would fail (and be logged with a traceback).
        if self._raw is not None:
            try:
                self._raw.invalidate()
            finally:
                self._raw = None


def waiter_for(
    engine: Engine, poll_seconds: float | None = None, identity: Callable[[], object] | None = None
) -> Waiter:
    name = engine.dialect.name
    poll = poll_seconds if poll_seconds is not None else DEFAULT_POLL_SECONDS.get(name, 1.0)
    if name == "postgresql":
        return PostgresWaiter(engine, poll)
    return SqliteWaiter(engine, poll, identity or (lambda: None))
