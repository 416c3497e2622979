"""A total time limit on a conversation with a server.

A socket timeout bounds each read alone, not a server that keeps talking (a greeting of
endless continuation lines) or that trickles a byte at a time. When a limit passes, the
watchdog shuts the socket down, which ends any read or write under way with an error.

One thread per transport, armed and disarmed around each conversation, rather than a timer
thread per message: starting a thread costs about a tenth of a millisecond, which a sender
that delivers a thousand messages a second would pay on every one (benchmarks/
send_throughput.py). Arming costs a lock; the thread is woken only when it was idle.
"""

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Limit:
    """One conversation's limit: `expired` once the watchdog cut it short."""

    until: float
    sock: Callable[[], socket.socket | None]
    expired: bool = False


class Watchdog:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._limit: Limit | None = None
        self._thread: threading.Thread | None = None
        self._idle = False  # waiting with no limit to watch: must be woken for a new one
        self._closed = False

    @contextmanager
    def limit(self, seconds: float, sock: Callable[[], socket.socket | None]) -> Iterator[Limit]:
        limit = Limit(time.monotonic() + seconds, sock)
        with self._condition:
            self._closed = False
            self._limit = limit
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._watch, daemon=True)
                self._thread.start()
            elif self._idle:
                self._condition.notify()
        try:
            yield limit
        finally:
            with self._condition:
                if self._limit is limit:
                    self._limit = None

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()

    def _watch(self) -> None:
        with self._condition:
            while not self._closed:
                limit = self._limit
                if limit is None:
                    self._idle = True
                    self._condition.wait()
                    self._idle = False
                    continue
                remaining = limit.until - time.monotonic()
                if remaining > 0:
                    # A later limit armed meanwhile is seen when this wait ends: it can only
                    # end later than the one waited for.
                    self._condition.wait(remaining)
                    continue
                limit.expired = True
                self._limit = None
                sock = limit.sock()
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
