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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from alertctl.config import DeliverySettings
from alertctl.db.engine import Database
from alertctl.db.notify import waiter_for
from alertctl.domain.model import AlertStatus
from alertctl.errors import AlertctlError
from alertctl.services.delivery import health
from alertctl.services.delivery.reports import BatchReport, Failed
from alertctl.services.delivery.sender import Sender
from alertctl.services.delivery.systemd import Notifier
from alertctl.services.sla.schedule import Schedule
from alertctl.transports.base import Transport

# The longest a watcher sleeps without looking, even when nothing is due: a due time written
# by another machine's clock, or a missed notification, is caught within this.
IDLE_RECHECK_SECONDS = 60.0
RETENTION_SECONDS = 24 * 3600.0  # [retention] is applied once a day
FAULT_PAUSE_CAP_SECONDS = 60.0


class LogKind(StrEnum):
    START = "start"
    RELOAD = "reload"  # the settings read again (SIGHUP)
    RETENTION = "retention"  # [retention] applied: what it removed
    SLA = "sla"  # SLA events raised by the clock check
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


@dataclass
class Reload:
    """SIGHUP: the settings are read again (`read`) when `asked` is set, between batches, so
    that nothing claimed is dropped; settings that do not check out leave the old ones in use."""

    asked: threading.Event
    read: Callable[[], DeliverySettings]


def watch(
    db: Database,
    settings: DeliverySettings,
    *,
    stop: threading.Event,
    log: Callable[[LogLine], None],
    poll_seconds: float | None = None,
    transports: dict[str, Transport] | None = None,
    rng: random.Random | None = None,
    notifier: Notifier | None = None,
    reload: Reload | None = None,
) -> WatchReport:
    loop = _Loop(db, settings, log, transports, rng, notifier or Notifier(), reload)
    held = _Held(db, loop.make_sender, poll_seconds)
    pause = 0.0
    try:
        while not stop.is_set():
            try:
                loop.reload_if_asked(held)
                if held.replaced():
                    message = REPLACED.format(db.describe())
                    log(LogLine(LogKind.FAULT, _now(), message, pause_seconds=0.0))
                    held.reopen()
                db.check_schema()  # before any connection: one to a file gone would create it
                held.waiter.arm()
                sender = held.sender()
                loop.went_round(sender.owner)
                batches = loop.report.batches
                unreachable = _drain(sender, stop, log, loop.report, len(sender.recover()))
                if unreachable is None:
                    if loop.report.batches > batches:  # delivered: the server is back
                        pause = 0.0
                    held.waiter.wait(loop.sleep(_seconds_until(sender.next_due())), stop)
                    continue
                # The server is down or refuses us: waited out like a database fault, however
                # short the alerts' own backoff.
                pause = _fault(loop.report, log, unreachable, pause)
            except Exception as exc:
                if not _transient(exc):
                    raise
                pause = _fault(loop.report, log, _first_line(exc), pause)
                held.reopen()
            _pause(stop, pause, loop.notifier)
    finally:
        loop.notifier.stopping()
        held.close()
        log(LogLine(LogKind.STOP, _now(), f"stopped after {loop.report.batches} batch(es)"))
    return loop.report


def _pause(stop: threading.Event, seconds: float, notifier: Notifier) -> None:
    """A fault waited out, the watchdog still pinged: the loop is alive, and waiting on purpose."""
    until = time.monotonic() + seconds
    while not stop.is_set() and (left := until - time.monotonic()) > 0:
        notifier.alive()
        stop.wait(min(left, notifier.seconds_to_ping()))


class _Loop:
    """What the watcher keeps from one turn of its loop to the next: its settings, its report,
    its heartbeat, and what it tells systemd."""

    def __init__(
        self,
        db: Database,
        settings: DeliverySettings,
        log: Callable[[LogLine], None],
        transports: dict[str, Transport] | None,
        rng: random.Random | None,
        notifier: Notifier,
        reload: Reload | None,
    ) -> None:
        self.db, self.settings, self.log = db, settings, log
        self.transports, self.rng = transports, rng
        self.notifier, self.reload = notifier, reload
        self.report = WatchReport()
        self.beats = _Beats(db)
        self.started = False
        self.retention_at = 0.0
        self.clocks = Schedule()

    def make_sender(self) -> Sender:
        return Sender(self.db, self.settings, self.transports, self.rng)

    def went_round(self, owner: str) -> None:
        """Once the database is open and its schema checked: ready (the first time), the
        watchdog's ping, and the heartbeat with the queue's figures."""
        if not self.started:
            self.log(LogLine(LogKind.START, _now(), f"watching {self.db.describe()}"))
            self.notifier.ready(f"watching {self.db.describe()}")
            self.started = True
        self.notifier.alive()
        if self.beats.beat(owner):
            self.notifier.status(self.beats.status(self.report))
        self.apply_retention()
        self.check_clocks()

    def check_clocks(self) -> None:
        """The SLA clocks (sla/schedule.py): what they raise queues alerts, delivered now."""
        if (done := self.clocks.run(self.db)) is not None and done.fired:
            self.log(LogLine(LogKind.SLA, _now(), f"raised {done.summary()}"))

    def apply_retention(self) -> None:
        """[retention], applied at start and then once a day."""
        retention = self.settings.retention
        if not retention.set or time.monotonic() < self.retention_at:
            return
        from alertctl.services.operations.retention import purge

        self.retention_at = time.monotonic() + RETENTION_SECONDS
        done = purge(self.db, retention)
        message = (
            f"removed the messages of {done.messages} delivered alert(s), and "
            f"{done.requests} closed request(s) with {done.alerts} alert(s)"
        )
        self.log(LogLine(LogKind.RETENTION, _now(), message))

    def sleep(self, until_due: float) -> float:
        """How long to wait: until an alert falls due, cut short for the clock check, the
        heartbeat and the watchdog."""
        clocks, beat = self.clocks.seconds_left(), self.beats.seconds_left()
        return min(until_due, clocks, beat, self.notifier.seconds_to_ping())

    def reload_if_asked(self, held: "_Held") -> None:
        if self.reload is None or not self.reload.asked.is_set():
            return
        self.reload.asked.clear()
        self.notifier.reloading()
        try:
            self.settings = self.reload.read()
        except AlertctlError as exc:
            message = f"settings not read again, the ones in use are kept: {exc.message}"
            self.log(LogLine(LogKind.FAULT, _now(), message, pause_seconds=0.0))
        else:
            held.drop_sender()  # the next turn makes one with the new settings
            self.log(LogLine(LogKind.RELOAD, _now(), "settings read again"))
        self.notifier.ready(f"watching {self.db.describe()}")


class _Beats:
    """The watcher's heartbeat (services/delivery/health.py): recorded at most every
    BEAT_SECONDS, and its waits cut short so that an idle watcher still beats."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.started = _now()
        self.next_at = 0.0

    def beat(self, owner: str) -> bool:
        """Whether it beat (its time had come)."""
        if time.monotonic() < self.next_at:
            return False
        health.beat(self.db, owner, watching=True, started_at=self.started)
        self.next_at = time.monotonic() + health.BEAT_SECONDS
        return True

    def status(self, report: WatchReport) -> str:
        """systemd's status line: the queue's figures, read with the beat."""
        with self.db.session(write=False) as session:
            counts = health.alerts_by_status(session)
        shown = ", ".join(
            f"{counts.get(s.value, 0)} {s.value}"
            for s in (AlertStatus.PENDING, AlertStatus.RETRY, AlertStatus.DEAD)
        )
        return f"{shown}; {report.batches} batch(es) since start"

    def seconds_left(self) -> float:
        return max(0.0, self.next_at - time.monotonic())


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

    def drop_sender(self) -> None:
        if self._sender is not None:
            with contextlib.suppress(Exception):
                self._sender.close()
        self._sender = None

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
