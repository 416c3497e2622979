"""`alertctl db purge`, and the watcher once a day: the `[retention]` setting applied.

- The messages of delivered (sent) or cancelled alerts older than `delivered_days` are removed
  for good: address, subject, bodies, the message as sent, the server's replies. The alert stays,
  with its status, channel and times, so `alerts stats` counts it as before.
- Closed requests not updated for `closed_requests_days` are removed, with their saves, alerts,
  attempts and faults; a client they were the last use of can then be removed too.

Nothing that is not yet delivered is ever touched: an alert pending, sending, to retry, dead
(an operator may still retry it) or of unknown outcome keeps its message, and its request.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, Delete, delete, exists, func, select, update
from sqlmodel import Session, col

from alertctl.config import RetentionSettings
from alertctl.db.engine import Database
from alertctl.db.tables import (
    Alert,
    AlertAttempt,
    AlertFault,
    Request,
    RequestSave,
    SlaClock,
    Status,
)
from alertctl.domain.model import AlertStatus, StatusType

# Merged and skipped alerts are finished too: told of by another alert, or by nothing at all.
FINISHED = (AlertStatus.SENT, AlertStatus.CANCELLED, AlertStatus.MERGED, AlertStatus.SKIPPED)
CLOSED = (StatusType.CLOSED_EXTERNAL, StatusType.CLOSED_INTERNAL)
CHUNK = 500  # ids per statement: well under any database's limit of bound parameters


@dataclass(frozen=True)
class Purged:
    delivered_days: int | None
    closed_requests_days: int | None
    messages: int  # delivered or cancelled alerts whose message was removed
    requests: int
    saves: int
    alerts: int
    faults: int
    wiped: bool  # SQLite's file rebuilt and its WAL emptied: no old copy stays in them


def purge(db: Database, retention: RetentionSettings, *, now: datetime | None = None) -> Purged:
    now = now or datetime.now(UTC)
    with db.session(write=True) as session:
        messages = 0
        if retention.delivered_days is not None:
            messages = _remove_messages(session, now - timedelta(days=retention.delivered_days))
        removed = (0, 0, 0, 0)
        if retention.closed_requests_days is not None:
            cutoff = now - timedelta(days=retention.closed_requests_days)
            removed = _remove_requests(session, _closed_before(session, cutoff))
    wiped = bool(messages or removed[0]) and not db.dry_run and db.wipe_free_space()
    return Purged(
        retention.delivered_days, retention.closed_requests_days, messages, *removed, wiped
    )


def _remove_messages(session: Session, cutoff: datetime) -> int:
    ids = (
        session.execute(
            select(col(Alert.id)).where(
                col(Alert.status).in_(FINISHED),
                func.coalesce(col(Alert.sent_at), col(Alert.created_at)) < cutoff,
                col(Alert.address) != "",  # not removed yet
            )
        )
        .scalars()
        .all()
    )
    for some in _chunks(ids):
        session.execute(
            update(Alert)
            .where(col(Alert.id).in_(some))
            .values(
                address="",
                subject="",
                text_body="",
                html_body=None,
                raw_message=None,
                last_reply=None,
            )
        )
        session.execute(
            update(AlertAttempt).where(col(AlertAttempt.alert_id).in_(some)).values(reply=None)
        )
    return len(ids)


def _closed_before(session: Session, cutoff: datetime) -> list[int]:
    """Closed requests last saved before `cutoff`, every alert of which is finished."""
    unfinished = exists().where(
        col(Alert.request_id) == col(Request.id), col(Alert.status).not_in(FINISHED)
    )
    return list(
        session.execute(
            select(col(Request.id))
            .join(Status, col(Status.id) == col(Request.status_id))
            .where(col(Status.type).in_(CLOSED), col(Request.updated_at) < cutoff, ~unfinished)
        ).scalars()
    )


def _remove_requests(session: Session, ids: Sequence[int]) -> tuple[int, int, int, int]:
    saves = alerts = faults = 0
    for some in _chunks(ids):
        alert_ids = select(col(Alert.id)).where(col(Alert.request_id).in_(some))
        session.execute(delete(AlertAttempt).where(col(AlertAttempt.alert_id).in_(alert_ids)))
        faults += _deleted(session, delete(AlertFault).where(col(AlertFault.request_id).in_(some)))
        alerts += _deleted(session, delete(Alert).where(col(Alert.request_id).in_(some)))
        saves += _deleted(session, delete(RequestSave).where(col(RequestSave.request_id).in_(some)))
        session.execute(delete(SlaClock).where(col(SlaClock.request_id).in_(some)))
        _deleted(session, delete(Request).where(col(Request.id).in_(some)))
    return len(ids), saves, alerts, faults


def _deleted(session: Session, statement: Delete) -> int:
    result: CursorResult[tuple[()]] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
