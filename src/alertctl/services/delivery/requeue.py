"""Alerts made due again by an operator: one, every dead one, every one waiting for its next
try (after an outage), narrowed by channel, request or event; and a delivered alert sent again,
as a new alert that names the first (`copy_of`), so the history keeps both."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlmodel import Session, col

from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.tables import Alert, Request
from alertctl.domain.model import AlertStatus, Channel, Event
from alertctl.errors import Conflict, Invalid, NotFound

# What one alert id may be retried from: anything not being sent, delivered or due already.
RETRIABLE = (AlertStatus.DEAD, AlertStatus.UNKNOWN, AlertStatus.CANCELLED, AlertStatus.RETRY)


@dataclass(frozen=True)
class Narrowing:
    """Which alerts `--dead` and `--waiting` take: all, or of one channel, request or event."""

    channel: Channel | None = None
    request: str | None = None
    event: Event | None = None

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.channel, self.request, self.event))


def retry(
    db: Database,
    *,
    alert_id: int | None = None,
    dead: bool = False,
    waiting: bool = False,
    narrowing: Narrowing = Narrowing(),
) -> int:
    """Make alerts due now. One alert (dead, unknown, cancelled or waiting) starts over with
    its attempts reset, as every dead one does; a waiting one keeps its attempts, so that an
    outage made shorter does not make a hopeless alert try for ever."""
    if (alert_id is not None) == (dead or waiting):
        raise Invalid("give an alert id, or --dead and/or --waiting")
    if alert_id is not None and narrowing.given:
        raise Invalid("--channel, --request and --event narrow --dead and --waiting, not an id")
    with db.session(write=True) as session:
        if alert_id is not None:
            alert = session.get(Alert, alert_id)
            if alert is None:
                raise NotFound(f"unknown alert {alert_id}", hint="alertctl alerts list")
            if alert.status not in RETRIABLE:
                raise Conflict(
                    f"alert {alert_id} is {alert.status}: only dead, unknown, cancelled or "
                    "waiting (retry) alerts can be retried",
                    hint=f"alertctl alerts resend {alert_id}" if alert.status == "sent" else None,
                )
            changed = _due_again(session, [col(Alert.id) == alert_id], reset=True)
        else:
            changed = 0
            if dead:
                changed += _due_again(session, _chosen(AlertStatus.DEAD, narrowing), reset=True)
            if waiting:
                changed += _due_again(session, _chosen(AlertStatus.RETRY, narrowing), reset=False)
        outbox.announce(session)
        return changed


def _chosen(status: AlertStatus, narrowing: Narrowing) -> list[ColumnElement[bool]]:
    """The alerts of a status, narrowed: conditions of one UPDATE."""
    found = [col(Alert.status) == status]
    if narrowing.channel is not None:
        found.append(col(Alert.channel) == narrowing.channel.value)
    if narrowing.event is not None:
        found.append(col(Alert.event) == narrowing.event.value)
    if narrowing.request is not None:
        request = select(col(Request.id)).where(col(Request.reference) == narrowing.request)
        found.append(col(Alert.request_id).in_(request))
    return found


def _due_again(session: Session, where: list[ColumnElement[bool]], reset: bool) -> int:
    values: dict[str, object] = {"status": AlertStatus.PENDING, "next_attempt_at": None}
    if reset:
        values |= {"attempts": 0, "submit_started_at": None}
    statement = update(Alert).where(*where).values(**values)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def resend(db: Database, *, alert_id: int) -> int:
    """A delivered alert sent again, word for word, to the same address: a new alert, due now,
    that names the first. The id of the new alert."""
    with db.session(write=True) as session:
        first = session.get(Alert, alert_id)
        if first is None:
            raise NotFound(f"unknown alert {alert_id}", hint="alertctl alerts list")
        if first.status != AlertStatus.SENT:
            raise Conflict(
                f"alert {alert_id} is {first.status}: only a delivered alert is sent again",
                hint=f"alertctl alerts retry {alert_id}",
            )
        if not first.address:
            raise Conflict(f"alert {alert_id} no longer holds its message ([retention], or erased)")
        copies = session.execute(
            select(func.count()).where(col(Alert.copy_of) == alert_id)
        ).scalar_one()
        copy = Alert(
            key=f"{first.key}/copy-{int(copies) + 1}",
            save_id=first.save_id,
            request_id=first.request_id,
            event=first.event,
            person_id=first.person_id,
            channel=first.channel,
            address=first.address,
            sources=first.sources,
            subject=first.subject,
            text_body=first.text_body,
            html_body=first.html_body,
            status=AlertStatus.PENDING,
            created_at=datetime.now(UTC),
            copy_of=alert_id,
        )
        session.add(copy)
        session.flush()
        outbox.announce(session)
        assert copy.id is not None
        return copy.id
