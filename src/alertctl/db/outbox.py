"""The outbox queries a sender runs: claim due alerts under a lease, and record outcomes.

Claims are one UPDATE ... RETURNING in a short write transaction (BEGIN IMMEDIATE on SQLite;
FOR UPDATE SKIP LOCKED on PostgreSQL), so two senders never claim the same alert.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, func, insert, or_, select, text, update
from sqlmodel import Session, col

from alertctl.db.tables import Alert, AlertAttempt, Client, Request
from alertctl.domain.model import AlertStatus

DUE_STATUSES = (AlertStatus.PENDING, AlertStatus.RETRY)
# The PostgreSQL notification channel on which saves wake waiting senders.
CHANNEL = "alertctl_outbox"


def due_condition(now: datetime) -> Any:
    return or_(
        col(Alert.status).in_(DUE_STATUSES)
        & (col(Alert.next_attempt_at).is_(None) | (col(Alert.next_attempt_at) <= now)),
        # A sender that died: its lease ran out. At-most-once submits are handled first.
        (col(Alert.status) == AlertStatus.SENDING)
        & (col(Alert.lease_expires_at) < now)
        & col(Alert.submit_started_at).is_(None),
    )


def waiting_condition(now: datetime) -> Any:
    """What waits for a sender at `now`: what is due, and what is held until now or earlier
    (released by the sender's next claim)."""
    held = (col(Alert.status) == AlertStatus.HELD) & (col(Alert.held_until) <= now)
    return or_(due_condition(now), held)


def waiting_since() -> Any:
    """Since when a waiting alert waits: its retry's time, its hold's end, or its writing."""
    return func.coalesce(col(Alert.next_attempt_at), col(Alert.held_until), col(Alert.created_at))


def mark_interrupted_submits(session: Session, now: datetime) -> list[int]:
    """A message handed over by a sender that died before its outcome may or may not have
    arrived: it becomes `unknown`, for the operator, and is never re-sent by itself."""
    rows = (
        session.execute(
            update(Alert)
            .where(
                col(Alert.status) == AlertStatus.SENDING,
                col(Alert.lease_expires_at) < now,
                col(Alert.submit_started_at).is_not(None),
            )
            .values(
                status=AlertStatus.UNKNOWN,
                lease_owner=None,
                lease_expires_at=None,
                last_reply="the sender stopped after handing it over: outcome unknown",
            )
            .returning(col(Alert.id))
        )
        .scalars()
        .all()
    )
    if rows:
        session.execute(
            insert(AlertAttempt),
            [
                {
                    "alert_id": i,
                    "owner": "-",
                    "finished_at": now,
                    "outcome": AlertStatus.UNKNOWN,
                    "reply": "the sender stopped after handing it over: outcome unknown",
                }
                for i in rows
            ],
        )
    return list(rows)


@dataclass(frozen=True)
class Claimed:
    """One alert a sender claimed: what it needs to build, send and record its message."""

    id: int
    key: str
    channel: str
    address: str
    subject: str
    text_body: str
    html_body: str | None
    attempts: int  # this one included
    created_at: datetime
    # The key of the first alert of its request to its person on its channel (its own for the
    # first): the thread the mail joins (transports/message.py).
    thread_key: str
    client: str  # the code of its request's client, which names its mailing list


def claim(
    session: Session,
    *,
    owner: str,
    now: datetime,
    due_at: datetime,
    lease_seconds: float,
    limit: int,
    ids: Sequence[int] | None = None,
) -> list[Claimed]:
    """Claim up to `limit` alerts due at `due_at` (only among `ids` when given): a run passes
    its start, so that an alert it failed and rescheduled waits for the next run, however short
    the backoff."""
    due = (
        select(col(Alert.id))
        .where(due_condition(due_at))
        .order_by(col(Alert.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        due = due.where(col(Alert.id).in_(list(ids)))
    rows = session.execute(
        update(Alert)
        .where(col(Alert.id).in_(due.scalar_subquery()))
        .values(
            status=AlertStatus.SENDING,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=col(Alert.attempts) + 1,
        )
        .returning(
            col(Alert.id),
            col(Alert.key),
            col(Alert.channel),
            col(Alert.address),
            col(Alert.subject),
            col(Alert.text_body),
            col(Alert.html_body),
            col(Alert.attempts),
            col(Alert.created_at),
        )
    ).all()
    threads = _threads(session, [row[0] for row in rows])
    return [Claimed(*(*row, *threads[row[0]])) for row in rows]


def _threads(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """For each claimed alert, the key of its thread's first alert and its client's code; read
    apart from the claim, whose RETURNING SQLite writes without naming tables."""
    if not ids:
        return {}
    rows = session.execute(
        select(col(Alert.id), _THREAD_KEY, col(Client.code))
        .join(Request, col(Request.id) == col(Alert.request_id))
        .join(Client, col(Client.id) == col(Request.client_id))
        .where(col(Alert.id).in_(list(ids)))
    )
    return {alert_id: (thread, client) for alert_id, thread, client in rows}


def _first_of_thread() -> Any:
    """A summary that tells of other requests' alerts (quiet hours, a digest) joins no thread
    and starts none; one that tells of its own request's changes is of its thread."""
    first = Alert.__table__.alias("first")  # type: ignore[attr-defined]
    alerts = Alert.__table__  # type: ignore[attr-defined]
    earliest = (
        select(first.c.key)
        .where(
            first.c.request_id == alerts.c.request_id,
            first.c.person_id == alerts.c.person_id,
            first.c.channel == alerts.c.channel,
            _of_its_request(first),
        )
        .order_by(first.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return case(
        (_of_its_request(alerts), func.coalesce(earliest, alerts.c.key)), else_=alerts.c.key
    )


def _of_its_request(table: Any) -> Any:
    told = Alert.__table__.alias("told")  # type: ignore[attr-defined]
    return ~(
        select(told.c.id)
        .where(told.c.merged_into == table.c.id, told.c.request_id != table.c.request_id)
        .exists()
    )


# Built once; read by the request's index, a few rows each.
_THREAD_KEY = _first_of_thread()


def release(session: Session, ids: Sequence[int], *, owner: str, retry_at: datetime | None) -> int:
    """Hand back claims that were never tried: the attempt the claim counted is taken back, and
    the alert is due as it was (`pending` or `retry`), or as `retry` at `retry_at`."""
    values: dict[str, Any] = {
        "attempts": col(Alert.attempts) - 1,
        "lease_owner": None,
        "lease_expires_at": None,
        "submit_started_at": None,
    }
    if retry_at is None:
        values["status"] = case(
            (col(Alert.attempts) > 1, AlertStatus.RETRY), else_=AlertStatus.PENDING
        )
    else:
        values["status"] = AlertStatus.RETRY
        values["next_attempt_at"] = retry_at
    result = session.execute(update(Alert).where(_held_by(owner, ids)).values(**values))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _held_by(owner: str, ids: Sequence[int]) -> Any:
    """The claims among `ids` that this sender still holds."""
    return (
        col(Alert.id).in_(list(ids))
        & (col(Alert.lease_owner) == owner)
        & (col(Alert.status) == AlertStatus.SENDING)
    )


def renew(
    session: Session, ids: Sequence[int], *, owner: str, now: datetime, lease_seconds: float
) -> set[int]:
    """Extend this sender's lease on these claims; the ids it still held, the others were
    taken over by another sender after the lease ran out, or cancelled."""
    held = session.execute(
        update(Alert)
        .where(_held_by(owner, ids))
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(col(Alert.id))
    )
    return set(held.scalars())


def next_due(session: Session) -> datetime | None:
    """When the next alert falls due, or the next held one is released: now or earlier for
    one due already, None for none."""
    waiting = session.execute(
        select(func.min(func.coalesce(col(Alert.next_attempt_at), col(Alert.created_at)))).where(
            col(Alert.status).in_(DUE_STATUSES)
        )
    ).scalar()
    expiring = session.execute(
        select(func.min(col(Alert.lease_expires_at))).where(
            col(Alert.status) == AlertStatus.SENDING
        )
    ).scalar()
    # Set on held alerts only: the index's first entry.
    held = session.execute(select(func.min(col(Alert.held_until)))).scalar()
    times = [aware(t) for t in (waiting, expiring, held) if t is not None]
    return min(times) if times else None


def aware(value: datetime | str) -> datetime:
    """A time as SQLite gives it back (naive, or text for an aggregate), in UTC, which is how
    every time is stored."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def announce(session: Session) -> None:
    """Wake the senders that wait on this database: on PostgreSQL a NOTIFY, delivered when the
    transaction commits (never before, never for a rollback); SQLite senders poll instead."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


_alerts = Alert.__table__  # type: ignore[attr-defined]


class Recorder:
    """Records outcomes as they happen, one short write transaction each, on one connection
    held for the run: the time between a server's acceptance and its record is the only window
    in which a crash can cause a duplicate, so this path is kept short.

    The SQL is written once, and run on the driver's own connection (SQLite's, or psycopg's):
    SQLAlchemy's execution path costs about 0.1 ms a statement, several times what SQLite
    needs here, and on this path that time is both throughput and the window for duplicates.
    Times are converted by the columns' own SQLAlchemy types, so what is stored is exactly what
    the ORM stores. An outcome is written only while this sender holds the claim.
    """

    _UPDATE = (
        "UPDATE alert SET status = ?, last_reply = ?, sent_at = ?, message_id = ?, "
        "raw_message = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, "
        "submit_started_at = NULL WHERE id = ? AND lease_owner = ?"
    )
    _INSERT = (
        "INSERT INTO alert_attempt (alert_id, owner, finished_at, outcome, reply) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    _SUBMITTING = "UPDATE alert SET submit_started_at = ? WHERE id = ? AND lease_owner = ?"

    def __init__(self, engine: Engine, owner: str) -> None:
        self.owner = owner
        self.raw = engine.raw_connection()
        self.driver: Any = self.raw.driver_connection
        # SQLite's driver leaves BEGIN to us (db/engine.py), and takes `?`; psycopg begins by
        # itself, and takes `%s`.
        self.sqlite = engine.dialect.name == "sqlite"
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self.update, self.insert, self.submitting = (
            sql.replace("?", mark) for sql in (self._UPDATE, self._INSERT, self._SUBMITTING)
        )
        self.time = _alerts.c.sent_at.type.bind_processor(engine.dialect) or (lambda v: v)

    def _stamp(self, value: datetime | None) -> Any:
        return None if value is None else self.time(value)

    def mark_submitting(self, alert_id: int, now: datetime) -> bool:
        with self._transaction() as cursor:
            cursor.execute(self.submitting, (self._stamp(now), alert_id, self.owner))
            return bool(cursor.rowcount)

    def record(
        self,
        alert_id: int,
        *,
        now: datetime,
        outcome: str,
        reply: str,
        sent_at: datetime | None = None,
        message_id: str | None = None,
        raw: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> bool:
        """Record one outcome, only if this sender still holds the lease."""
        with self._transaction() as cursor:
            cursor.execute(
                self.update,
                (
                    outcome,
                    reply,
                    self._stamp(sent_at),
                    message_id,
                    raw,
                    self._stamp(next_attempt_at),
                    alert_id,
                    self.owner,
                ),
            )
            if not cursor.rowcount:
                return False
            cursor.execute(self.insert, (alert_id, self.owner, self._stamp(now), outcome, reply))
        return True

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        cursor = self.driver.cursor()
        if self.sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            if self.sqlite:
                cursor.execute("ROLLBACK")
            else:
                self.driver.rollback()
            raise
        else:
            if self.sqlite:
                cursor.execute("COMMIT")
            else:
                self.driver.commit()
        finally:
            cursor.close()

    def close(self) -> None:
        self.raw.close()
