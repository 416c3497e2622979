"""The outbox queries a sender runs: claim due alerts under a lease, and record outcomes.

Claims are one UPDATE ... RETURNING in a short write transaction (BEGIN IMMEDIATE on SQLite;
FOR UPDATE SKIP LOCKED on PostgreSQL), so two senders never claim the same alert.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlmodel import Session, col

from alertctl.db.tables import Alert, AlertAttempt

DUE_STATUSES = ("pending", "retry")


def due_condition(now: datetime) -> Any:
    return or_(
        col(Alert.status).in_(DUE_STATUSES)
        & (col(Alert.next_attempt_at).is_(None) | (col(Alert.next_attempt_at) <= now)),
        # A sender that died: its lease ran out. At-most-once submits are handled first.
        (col(Alert.status) == "sending")
        & (col(Alert.lease_expires_at) < now)
        & col(Alert.submit_started_at).is_(None),
    )


def mark_interrupted_submits(session: Session, now: datetime) -> list[int]:
    """An at-most-once submit whose sender died before recording the outcome may or may not
    have gone out: it becomes `unknown`, for the operator, and is never re-sent by itself."""
    rows = (
        session.execute(
            update(Alert)
            .where(
                col(Alert.status) == "sending",
                col(Alert.lease_expires_at) < now,
                col(Alert.submit_started_at).is_not(None),
            )
            .values(
                status="unknown",
                lease_owner=None,
                lease_expires_at=None,
                last_reply="interrupted during submit: outcome unknown",
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
                    "outcome": "unknown",
                    "reply": "interrupted during submit: outcome unknown",
                }
                for i in rows
            ],
        )
    return list(rows)


def claim(
    session: Session,
    *,
    owner: str,
    now: datetime,
    due_at: datetime,
    lease_seconds: float,
    limit: int,
) -> list[Any]:
    """Claim up to `limit` alerts due at `due_at`: a run passes its start, so that an alert it
    failed and rescheduled waits for the next run, however short the backoff."""
    due = (
        select(col(Alert.id))
        .where(due_condition(due_at))
        .order_by(col(Alert.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(
        session.execute(
            update(Alert)
            .where(col(Alert.id).in_(due.scalar_subquery()))
            .values(
                status="sending",
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
    )


def mark_submitting(session: Session, *, alert_id: int, owner: str, now: datetime) -> bool:
    result = session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id, col(Alert.lease_owner) == owner)
        .values(submit_started_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record(
    session: Session,
    *,
    alert_id: int,
    owner: str,
    now: datetime,
    outcome: str,
    reply: str,
    values: dict[str, Any],
) -> bool:
    """Record one outcome, only if this sender still holds the lease."""
    result = session.execute(
        update(Alert)
        .where(col(Alert.id) == alert_id, col(Alert.lease_owner) == owner)
        .values(
            status=outcome,
            last_reply=reply,
            lease_owner=None,
            lease_expires_at=None,
            submit_started_at=None,
            **values,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(
        insert(AlertAttempt).values(
            alert_id=alert_id, owner=owner, finished_at=now, outcome=outcome, reply=reply
        )
    )
    return True
