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
from alertctl.services.delivery import BatchReport, Failed, Sender
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
    waiter = waiter_for(db.engine, poll_seconds)
    sender: Sender | None = None
    pause = 0.0
    started = False
    try:
        while not stop.is_set():
            try:
                waiter.arm()
                if not started:
                    log(LogLine(LogKind.START, _now(), f"watching {db.describe()}"))
                    started = True
                if sender is None:
                    sender = Sender(db, settings, transports, rng)
                unknown = len(sender.recover())
                _drain(sender, stop, log, report, unknown)
                pause = 0.0
                waiter.wait(_seconds_until(sender.next_due()), stop)
            except Exception as exc:
                if not _transient(exc):
                    raise
                pause = min(FAULT_PAUSE_CAP_SECONDS, max(1.0, pause * 2))
                report.faults += 1
                log(LogLine(LogKind.FAULT, _now(), _first_line(exc), pause_seconds=pause))
                # Connections that failed are opened again after the pause.
                for part in (sender, waiter):
                    with contextlib.suppress(Exception):
                        if part is not None:
                            part.close()
                sender = None
                stop.wait(pause)
    finally:
        if sender is not None:
            sender.close()
        waiter.close()
        log(LogLine(LogKind.STOP, _now(), f"stopped after {report.batches} batch(es)"))
    return report


def _drain(
    sender: Sender,
    stop: threading.Event,
    log: Callable[[LogLine], None],
    report: WatchReport,
    unknown: int,
) -> None:
    """Batches due now, until none is due, a transport cannot work, or stop; one log line
    each (the first one also counts the submits found interrupted)."""
    pending = [unknown]

    def logged(result: BatchReport, seconds: float) -> None:
        report.batches += 1
        log(_batch_line(result, seconds, pending.pop() if pending else 0))
        for failed in result.failed:
            log(_failure_line(failed))

    sender.send(None, None, stop=stop, on_batch=logged)


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


def _failure_line(failed: Failed) -> LogLine:
    return LogLine(
        LogKind.DEAD if failed.outcome is AlertStatus.DEAD else LogKind.RETRY,
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


def _transient(exc: Exception) -> bool:
    """Database trouble that waiting can cure: locked, restarting, unreachable."""
    import sqlite3

    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError | sqlite3.OperationalError) or (
        type(exc).__module__.startswith("psycopg") and "Operational" in type(exc).__name__
    )


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _now() -> datetime:
    return datetime.now(UTC)
