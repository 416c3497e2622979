"""The operator's view of the outbox: list, show, retry, cancel, statistics."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.tables import Alert, AlertAttempt, AlertFault, Person, Request
from alertctl.domain.holds import HoldReason
from alertctl.domain.model import AlertStatus, Event, PersonKind
from alertctl.errors import Conflict, NotFound
from alertctl.services.common import get_person, ident, paged
from alertctl.services.holds.rules import defaults
from alertctl.services.results import Page
from alertctl.services.saves.alert_slice import get_request

# The owner of an attempt an operator settled (`alerts settle`) rather than a sender's try.
OPERATOR = "operator"

STATUSES = tuple(s.value for s in AlertStatus)


# How an alert whose person was erased names them.
ERASED = "(erased)"


@dataclass(frozen=True)
class AlertRow:
    """One alert of the outbox, as `alerts list` shows it."""

    id: int
    request: str
    event: str
    kind: str
    code: str
    channel: str
    address: str
    subject: str
    status: AlertStatus
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_reply: str | None
    created_at: datetime
    # Held (docs/rules.md, "Holding alerts"): why, and until when; told of by another alert.
    hold: str | None = field(default=None, kw_only=True, metadata={"omit_if_none": True})
    held_until: datetime | None = field(default=None, kw_only=True, metadata={"omit_if_none": True})
    merged_into: int | None = field(default=None, kw_only=True, metadata={"omit_if_none": True})
    # The reader's time zone (theirs, else the defaults'), in which a hold's end is said.
    zone: str | None = field(default=None, kw_only=True, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class Attempt:
    at: datetime
    owner: str
    outcome: str
    reply: str | None


@dataclass(frozen=True)
class AlertDetail(AlertRow):
    """One alert with its message as sent and every attempt (`alerts show`)."""

    sources: tuple[str, ...]
    message_id: str | None
    message: str | None
    text: str
    html: str | None
    attempts_log: tuple[Attempt, ...]
    # Tries since the alert was last made due again (`alerts retry`, a release): what the
    # retry limit counts. `attempts` here is every try, as the log lists them.
    attempts_this_round: int
    # The delivered alert this one sends again (`alerts resend`); absent for any other.
    copy_of: int | None = field(default=None, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class DayCounts:
    day: str
    pending: int
    sending: int
    retry: int
    sent: int
    dead: int
    unknown: int
    cancelled: int
    held: int
    merged: int
    skipped: int
    faults: int


@dataclass(frozen=True)
class FaultCounts:
    total: int
    by_reason: dict[str, int]


@dataclass(frozen=True)
class Stats:
    by_status: dict[str, int]
    faults: FaultCounts
    by_day: tuple[DayCounts, ...]
    # Mails that holds spared their readers: the alerts told of by another one, or skipped,
    # less the alerts made to tell of them (docs/rules.md, "Holding alerts").
    mails_saved: int = 0


def _row(found: tuple[Alert, Person | None, str], default_zone: str) -> AlertRow:
    alert, person, reference = found
    kind, code = (person.kind, person.code) if person is not None else (None, None)
    return AlertRow(
        id=ident(alert.id),
        request=reference,
        event=alert.event,
        kind=kind or ERASED,
        code=code or "-",
        channel=alert.channel,
        address=alert.address,
        subject=alert.subject,
        status=AlertStatus(alert.status),
        attempts=alert.attempts,
        next_attempt_at=alert.next_attempt_at,
        sent_at=alert.sent_at,
        last_reply=alert.last_reply,
        created_at=alert.created_at,
        hold=alert.hold,
        held_until=alert.held_until,
        merged_into=alert.merged_into,
        zone=(person.zone or default_zone) if person is not None else None,
    )


def _query() -> Any:
    return (
        select(Alert, Person, Request.reference)
        .join(Person, col(Person.id) == col(Alert.person_id), isouter=True)
        .join(Request, col(Request.id) == col(Alert.request_id))
    )


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts a list shows; each filter given narrows it."""

    status: AlertStatus | None = None
    request: str | None = None
    person: tuple[PersonKind, str] | None = None
    event: Event | None = None
    since: datetime | None = None  # queued at or after


def list_alerts(
    db: Database, filters: AlertFilter | None = None, *, limit: int | None = 1000
) -> Page[AlertRow]:
    """The alerts that pass the filters, oldest first, at most `limit` of them, and how many
    pass in all."""
    wanted = filters or AlertFilter()
    with db.session(write=False) as session:
        query = _query().order_by(col(Alert.id))
        if wanted.status is not None:
            query = query.where(col(Alert.status) == wanted.status.value)
        if wanted.request is not None:
            query = query.where(col(Alert.request_id) == get_request(session, wanted.request).id)
        if wanted.person is not None:
            person = get_person(session, *wanted.person)
            query = query.where(col(Alert.person_id) == person.id)
        if wanted.event is not None:
            query = query.where(col(Alert.event) == wanted.event.value)
        if wanted.since is not None:
            query = query.where(col(Alert.created_at) >= wanted.since)
        rows, total = paged(session, query, limit)
        zone = defaults(session).zone
        return Page(tuple(_row(r, zone) for r in rows), total)


def show_alert(db: Database, *, alert_id: int) -> AlertDetail:
    with db.session(write=False) as session:
        found = session.exec(_query().where(col(Alert.id) == alert_id)).first()
        if found is None:
            raise NotFound(f"unknown alert {alert_id}", hint="alertctl alerts list")
        alert = found[0]
        attempts = session.exec(
            select(AlertAttempt)
            .where(col(AlertAttempt.alert_id) == alert_id)
            .order_by(col(AlertAttempt.id))
        ).all()
        row = _row(found, defaults(session).zone)
        return AlertDetail(
            **{f.name: getattr(row, f.name) for f in fields(row)}
            | {"attempts": _tries(alert, attempts)},
            attempts_this_round=alert.attempts,
            sources=tuple(alert.sources.split(",")) if alert.sources else (),
            message_id=alert.message_id,
            message=alert.raw_message,
            text=alert.text_body,
            html=alert.html_body,
            attempts_log=tuple(
                Attempt(a.finished_at, a.owner, a.outcome, a.reply) for a in attempts
            ),
            copy_of=alert.copy_of,
        )


def _tries(alert: Alert, log: Sequence[AlertAttempt]) -> int:
    """Every try at delivering: the logged ones but an operator's settling, and the one in
    flight, counted when claimed and logged when it ends."""
    logged = sum(1 for a in log if a.owner != OPERATOR)
    return logged + (1 if alert.status == AlertStatus.SENDING else 0)


def settle(db: Database, *, alert_id: int, delivered: bool) -> None:
    """An alert of unknown outcome, settled by someone who checked: `sent`, or due again."""
    with db.session(write=True) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"unknown alert {alert_id}", hint="alertctl alerts list")
        if alert.status != AlertStatus.UNKNOWN:
            raise Conflict(
                f"alert {alert_id} is {alert.status}: only an alert of unknown outcome is settled",
                hint="alertctl alerts list --status unknown",
            )
        now = datetime.now(UTC)
        reply = "settled by an operator: " + ("delivered" if delivered else "not delivered")
        alert.status = AlertStatus.SENT if delivered else AlertStatus.PENDING
        alert.sent_at = now if delivered else None
        alert.next_attempt_at = None
        alert.submit_started_at = None
        alert.last_reply = reply
        session.add(alert)
        session.add(
            AlertAttempt(
                alert_id=alert_id,
                owner=OPERATOR,
                finished_at=now,
                outcome=alert.status,
                reply=reply,
            )
        )
        if not delivered:
            outbox.announce(session)


def cancel(db: Database, *, alert_id: int) -> None:
    with db.session(write=True) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"unknown alert {alert_id}", hint="alertctl alerts list")
        if alert.status not in (
            AlertStatus.PENDING,
            AlertStatus.RETRY,
            AlertStatus.DEAD,
            AlertStatus.UNKNOWN,
            AlertStatus.HELD,
        ):
            raise Conflict(f"alert {alert_id} is {alert.status}: it cannot be cancelled")
        alert.status = AlertStatus.CANCELLED
        alert.next_attempt_at = None
        alert.held_until = None  # no longer waits
        session.add(alert)


def stats(db: Database, *, days: int = 14) -> Stats:
    """Counts by status, the alerts left out by faults, and both by day for the last days."""
    with db.session(write=False) as session:
        by_status = Counter(
            dict(session.exec(select(Alert.status, func.count()).group_by(col(Alert.status))).all())
        )
        summaries = session.exec(
            select(func.count()).where(col(Alert.hold) == HoldReason.SUMMARY)
        ).one()
        day = func.date(Alert.created_at)
        rows = session.exec(
            select(day, Alert.status, func.count()).group_by(day, col(Alert.status))
        ).all()
        fault_day = func.date(AlertFault.created_at)
        fault_rows = session.exec(
            select(fault_day, AlertFault.reason, func.count()).group_by(
                fault_day, col(AlertFault.reason)
            )
        ).all()
    per_day: dict[str, Counter[str]] = {}
    for date, status, count in rows:
        per_day.setdefault(str(date), Counter())[status] = count
    faults_by_reason: Counter[str] = Counter()
    for date, reason, count in fault_rows:
        per_day.setdefault(str(date), Counter())["faults"] += count
        faults_by_reason[reason] += count
    recent = sorted(per_day)[-days:]
    return Stats(
        by_status={s: by_status.get(s, 0) for s in STATUSES},
        faults=FaultCounts(sum(faults_by_reason.values()), dict(faults_by_reason)),
        by_day=tuple(
            DayCounts(d, **{s: per_day[d].get(s, 0) for s in (*STATUSES, "faults")}) for d in recent
        ),
        mails_saved=by_status[AlertStatus.MERGED] + by_status[AlertStatus.SKIPPED] - summaries,
    )
