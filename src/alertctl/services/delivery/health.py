"""How delivery is doing: the outbox's figures, and each sender's heartbeat.

Read by `check` (which fails on what needs a person), by `metrics` (which a monitoring system
graphs and alerts on) and by the watcher's status line. A sender records its last loop
(`beat`): a sender that died quietly stops beating, which the outbox alone shows only once
alerts pile up.
"""

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from alertctl.db.engine import Database
from alertctl.db.outbox import aware, waiting_condition, waiting_since
from alertctl.db.tables import Alert, AlertAttempt, AlertFault, SenderBeat
from alertctl.db.upsert import upsert
from alertctl.domain.model import AlertStatus

# A watcher records its loop at most this often (a write each time): a beat older than a few of
# these means the sender is gone or stuck.
BEAT_SECONDS = 10.0
# A stopped sender's beat is kept this long, for `check` to say when it was last seen.
FORGET_SENDERS = timedelta(days=30)
# The one row of a host's one-shot runs.
ONE_SHOT = "alerts-send"


@dataclass(frozen=True)
class QueueHealth:
    due: int = 0
    oldest_due_seconds: float | None = None
    sending: int = 0
    retry: int = 0
    dead: int = 0
    unknown: int = 0
    recent_faults: int = 0


@dataclass(frozen=True)
class SenderSeen:
    """A sender, as its last beat left it."""

    owner: str
    host: str
    pid: int
    watching: bool
    started_at: datetime
    last_loop_at: datetime

    def silent_seconds(self, now: datetime) -> float:
        return max(0.0, (now - self.last_loop_at).total_seconds())


def queue_health(session: Session, now: datetime, fault_window: timedelta) -> QueueHealth:
    by_status = alerts_by_status(session)
    due_count, oldest = session.execute(
        select(
            func.count(),
            func.min(waiting_since()),
        ).where(waiting_condition(now))
    ).one()
    recent = session.execute(
        select(func.count()).where(
            col(AlertFault.created_at) >= now - fault_window, col(AlertFault.handled_at).is_(None)
        )
    ).scalar_one()
    age = None if oldest is None else max(0.0, (now - aware(oldest)).total_seconds())
    return QueueHealth(
        due=int(due_count),
        oldest_due_seconds=None if age is None else round(age, 1),
        sending=by_status.get(AlertStatus.SENDING, 0),
        retry=by_status.get(AlertStatus.RETRY, 0),
        dead=by_status.get(AlertStatus.DEAD, 0),
        unknown=by_status.get(AlertStatus.UNKNOWN, 0),
        recent_faults=int(recent),
    )


def alerts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(col(Alert.status), func.count()).group_by(col(Alert.status)))
    return {status: int(count) for status, count in rows.all()}


def senders(session: Session) -> list[SenderSeen]:
    """Every sender seen in the last FORGET_SENDERS, the most recently seen first."""
    rows = session.execute(
        select(SenderBeat).order_by(col(SenderBeat.last_loop_at).desc())
    ).scalars()
    return [
        SenderSeen(b.owner, b.host, b.pid, b.watching, aware(b.started_at), aware(b.last_loop_at))
        for b in rows
    ]


def last_delivery(session: Session) -> datetime | None:
    """When an alert was last delivered, by any sender."""
    found = session.execute(
        select(func.max(col(AlertAttempt.finished_at))).where(
            col(AlertAttempt.outcome) == AlertStatus.SENT
        )
    ).scalar_one()
    return None if found is None else aware(found)


_BEATS = SenderBeat.__table__  # type: ignore[attr-defined]


def beat(db: Database, owner: str, *, watching: bool, started_at: datetime) -> None:
    """Record that this sender went round its loop now (its row, made on its first beat).

    One-shot runs of a host (`alerts send` from cron or a timer) share one row, the last run's:
    a run a minute would otherwise leave 43,200 senders a month, each a series of its own in
    the metrics."""
    now = datetime.now(UTC)
    host = socket.gethostname()
    latest: dict[str, object] = {"last_loop_at": now}
    if not watching:
        owner = f"{ONE_SHOT}@{host}"
        latest |= {"pid": os.getpid(), "started_at": started_at}
    with db.session(write=True) as session:
        done = session.execute(
            update(SenderBeat).where(col(SenderBeat.owner) == owner).values(**latest)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            first = {
                "owner": owner,
                "host": host,
                "pid": os.getpid(),
                "watching": watching,
                "started_at": started_at,
                "last_loop_at": now,
            }
            # Two one-shot runs of a host may make their shared row at once (on PostgreSQL
            # neither sees the other's until it commits): the second updates it instead.
            session.execute(upsert(session, _BEATS, first, key="owner", latest=latest))
            session.execute(
                delete(SenderBeat).where(col(SenderBeat.last_loop_at) < now - FORGET_SENDERS)
            )
