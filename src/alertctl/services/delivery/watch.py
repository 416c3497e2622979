"""`alerts send --watch`: the sender as a service.

It delivers what is due, then waits until the next alert falls due or the outbox changes (a save
queued alerts), and delivers again; until `stop` is set (SIGTERM, SIGINT). Asked to stop, it
finishes the message in flight and hands back what it claimed. Transient faults (a database
briefly locked or gone, a server down or refusing us) are logged and waited out with a growing
pause; the watcher never exits on them.
"""

import contextlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from alertctl.config import DeliverySettings
from alertctl.db.engine import Database
from alertctl.db.notify import waiter_for
from alertctl.domain.model import AlertStatus
from alertctl.services.delivery.reports import BatchReport, Failed
from alertctl.services.delivery.sender import Sender
from alertctl.transports.base import Transport

# The longest a watcher sleeps without looking, even when nothing is due: a due time written
# by another machine's clock, or a missed notification, is caught within this.
IDLE_RECHECK_SECONDS = 60.0
FAULT_PAUSE_CAP_SECONDS = 60.0


class LogKind(StrEnum):
    START = "start"
    BATCH = "batch"
    RETRY = "retry"  # one alert that failed for now, with why
    DEAD = "dead"  # one alert given up, with why
    UNKNOWN = "unknown"  # one alert whose outcome is not known: an operator settles it
    LOST = "lost"  # one claim this sender lost (its lease ran out): neither sent nor counted
    FAULT = "fault"
    STOP = "stop"


@dataclass(frozen=True)
class LogLine:
    """One line of the watcher's log: a batch delivered, a fault waited out, a start, a stop."""

    kind: LogKind
    time: datetime
    message: str = ""
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    dead: int = 0
    released: int = 0
    seconds: float = 0.0
    pause_seconds: float | None = None
    unknown: int = 0
    # For a retry or a dead letter: which alert, on which channel, at which attempt.
    alert: int | None = None
    channel: str | None = None
    attempt: int | None = None


@dataclass
class WatchReport:
    batches: int = 0
    faults: int = 0


def watch(
    db: Database,
    settings: DeliverySettings,
    *,
    stop: threading.Event,
    log: Callable[[LogLine], None],
    poll_seconds: float | None = None,
    transports: dict[str, Transport] | None = None,
    rng: random.Random | None = None,
) -> WatchReport:
    report = WatchReport()
    held = _Held(db, lambda: Sender(db, settings, transports, rng), poll_seconds)
    pause = 0.0
    started = False
    try:
        while not stop.is_set():
            try:
                if held.replaced():
                    message = REPLACED.format(db.describe())
                    log(LogLine(LogKind.FAULT, _now(), message, pause_seconds=0.0))
                    held.reopen()
                db.check_schema()  # before any connection: one to a file gone would create it
                held.waiter.arm()
                if not started:
                    log(LogLine(LogKind.START, _now(), f"watching {db.describe()}"))
                    started = True
                sender = held.sender()
                batches = report.batches
                unreachable = _drain(sender, stop, log, report, len(sender.recover()))
                if unreachable is None:
                    if report.batches > batches:  # delivered: the server is back
                        pause = 0.0
                    held.waiter.wait(_seconds_until(sender.next_due()), stop)
                    continue
                # The server is down or refuses us: waited out like a database fault, however
                # short the alerts' own backoff.
                pause = _fault(report, log, unreachable, pause)
            except Exception as exc:
                if not _transient(exc):
                    raise
                pause = _fault(report, log, _first_line(exc), pause)
                held.reopen()
            stop.wait(pause)
    finally:
        held.close()
        log(LogLine(LogKind.STOP, _now(), f"stopped after {report.batches} batch(es)"))
    return report


class _Held:
    """What a watcher holds open on its database: a sender (its connections, transports and
    recorder) and a waiter. After a fault, or when the database file was replaced under it
    (deleted and created again, restored by `mv`: connections opened before still see the old
    file), everything is closed, the connection pool too, and opened again on first use; a
    file that is gone for good makes that first use fail, and the watcher exit."""

    def __init__(
        self, db: Database, make_sender: Callable[[], Sender], poll_seconds: float | None
    ) -> None:
        self.db, self.make_sender, self.poll_seconds = db, make_sender, poll_seconds
        self._sender: Sender | None = None
        self.waiter = waiter_for(db.engine, poll_seconds, db.file_identity)
        self.opened = db.file_identity()

    def replaced(self) -> bool:
        return self.db.file_identity() != self.opened

    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = self.make_sender()
        return self._sender

    def reopen(self) -> None:
        self.close()
        self.db.close()
        self.opened = self.db.file_identity()
        self.waiter = waiter_for(self.db.engine, self.poll_seconds, self.db.file_identity)

    def close(self) -> None:
        for part in (self._sender, self.waiter):
            with contextlib.suppress(Exception):
                if part is not None:
                    part.close()
        self._sender = None


def _fault(report: WatchReport, log: Callable[[LogLine], None], what: str, pause: float) -> float:
    """Log a fault that waiting can cure, and the pause before the next try: 1 s, then twice
    the last, at most FAULT_PAUSE_CAP_SECONDS."""
    pause = min(FAULT_PAUSE_CAP_SECONDS, max(1.0, pause * 2))
    report.faults += 1
    log(LogLine(LogKind.FAULT, _now(), what, pause_seconds=pause))
    return pause


def _drain(
    sender: Sender,
    stop: threading.Event,
    log: Callable[[LogLine], None],
    report: WatchReport,
    unknown: int,
) -> str | None:
    """Batches due now, until none is due, a transport cannot work, or stop; one log line
    each (the first one also counts the submits found interrupted). What the transport that
    could not work said, when one ended the run."""
    pending = [unknown]

    def logged(result: BatchReport, seconds: float) -> None:
        report.batches += 1
        log(_batch_line(result, seconds, pending.pop() if pending else 0))
        for failed in result.failed:
            log(_failure_line(failed))
        for alert in result.lost:
            log(LogLine(LogKind.LOST, _now(), LOST_CLAIM, alert=alert))

    return sender.send(None, None, stop=stop, on_batch=logged).unreachable


def _batch_line(result: BatchReport, seconds: float, unknown: int) -> LogLine:
    return LogLine(
        LogKind.BATCH,
        _now(),
        f"stopped: {result.unreachable}" if result.unreachable else "",
        claimed=result.claimed,
        sent=result.counts.get(AlertStatus.SENT, 0),
        retry=result.counts.get(AlertStatus.RETRY, 0),
        dead=result.counts.get(AlertStatus.DEAD, 0),
        released=result.released,
        seconds=round(seconds, 3),
        unknown=unknown,
    )


LOST_CLAIM = "the lease ran out before it could be sent or recorded: another sender has it"


def _failure_line(failed: Failed) -> LogLine:
    return LogLine(
        LogKind(failed.outcome.value),
        _now(),
        failed.reason,
        alert=failed.alert,
        channel=failed.channel,
        attempt=failed.attempt,
    )


def _seconds_until(moment: datetime | None) -> float:
    if moment is None:
        return IDLE_RECHECK_SECONDS
    return min(IDLE_RECHECK_SECONDS, max(0.0, (moment - _now()).total_seconds()))


REPLACED = "the database file {} was replaced or removed: opening it again"


def _transient(exc: Exception) -> bool:
    """Database trouble that waiting can cure: locked, restarting, shut down by its
    administrator, unreachable, a connection dropped. Whether raised through SQLAlchemy or by
    the driver itself (the notification listener's own connection), every error of the
    connection class is one."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError | sqlite3.OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return any(
        kind.__module__.startswith("psycopg")
        and kind.__name__ in ("OperationalError", "InterfaceError")
        for kind in type(exc).__mro__
    )


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _now() -> datetime:
    return datetime.now(UTC)
