"""The alerts one save writes to the outbox, and the faults it records: decided by the same code
as previews (`decide`), written in the save's transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from alertctl.db.tables import Alert, AlertFault, Request, Status
from alertctl.domain.faults import Fault
from alertctl.domain.holds import HoldReason
from alertctl.domain.model import AlertStatus, Channel, Event, Fix, PersonKind
from alertctl.domain.recipients import Reason, Recipient
from alertctl.services.common import ident, insert_rows
from alertctl.services.holds.hold import hold_alerts, settle, settled
from alertctl.services.results import Columns, Record
from alertctl.services.saves.alert_slice import Loaded, load
from alertctl.services.saves.decide import Outcome, decide, faults_of
from alertctl.services.saves.feed_memory import FeedMemory


@dataclass(frozen=True)
class QueuedAlert:
    """An alert a save queued."""

    id: int
    event: Event
    kind: PersonKind
    code: str
    channel: Channel
    address: str
    subject: str
    held: "Held | None" = None


@dataclass(frozen=True)
class Held:
    """Why a queued alert is held, and until when (docs/rules.md, "Holding alerts")."""

    reason: HoldReason
    until: datetime


def _held(columns: Columns) -> Held | None:
    if columns["status"] != AlertStatus.HELD:
        return None
    return Held(HoldReason(columns["hold"]), columns["held_until"])


@dataclass(frozen=True)
class LeftOut:
    """An alert a save should have queued and did not, because of a fault."""

    event: Event
    kind: PersonKind
    code: str
    channel: Channel | None
    reason: Reason
    detail: str
    fix: Fix | None


@dataclass(frozen=True)
class SavedAs:
    """The save record the alerts belong to."""

    id: int
    key: str


@dataclass(frozen=True)
class PlannedAlerts:
    """What a save's events decide, before anything is written: the alerts to queue, those a
    more specific event supersedes, and those a fault leaves out."""

    loaded: Loaded | None
    outcomes: list[Outcome]

    def superseded(self) -> list[Record]:
        """The alerts a more specific event of the save replaced, as the save records them."""
        return [row for outcome in self.outcomes for row in _superseded(outcome)]


def plan_alerts(
    session: Session,
    request: Request,
    events: list[Event],
    previous_status: Status | None,
    memory: FeedMemory | None = None,
) -> PlannedAlerts:
    if not events:
        return PlannedAlerts(None, [])
    loaded = load(session, request, previous_status=previous_status, memory=memory)
    return PlannedAlerts(loaded, decide(loaded, events, memory))


def write_alerts(
    session: Session,
    planned: PlannedAlerts,
    saved: SavedAs,
    request: Request,
    now: datetime,
    memory: FeedMemory | None = None,
    *,
    fresh: bool = False,
) -> tuple[list[QueuedAlert], list[LeftOut]]:
    """Queue the save's alerts; return them, and those a fault left out (each recorded too:
    an alert that should go out and does not is never silent). `fresh`: the save opened the
    request, which has no alert held yet."""
    loaded = planned.loaded
    if loaded is None:
        return [], []
    queued = [
        _queue(loaded, saved, request, outcome, recipient, now)
        for outcome in planned.outcomes
        for recipient in outcome.decision.recipients
    ]
    # One INSERT for all: a feed queues thousands of alerts, and as ORM objects, building and
    # flushing them cost a fifth of a save.
    columns = [columns for columns, _ in queued]
    holding = hold_alerts(
        session, (ident(request.id), request.client_id), columns, now, memory, fresh=fresh
    )
    staging = memory.staging if memory is not None else None
    found = faults_of(loaded, planned.outcomes)
    faults = [_fault_columns(loaded, saved, request, f) for f in found]
    if staging is None:
        ids = insert_rows(session, _ALERTS, columns, unique="key")
        settle(session, settled(holding, columns, ids))
        insert_rows(session, _FAULTS, faults)
    else:
        ids = staging.ids.take(_ALERTS, len(columns))
        for row, alert_id in zip(columns, ids, strict=True):
            row["id"] = alert_id
        staging.line.alerts += columns
        staging.line.updates += settled(holding, columns, ids)
        staging.line.faults += faults
    return [
        QueuedAlert(i, *row, held=_held(columns))
        for (columns, row), i in zip(queued, ids, strict=True)
    ], [_left_out(f) for f in found]


_ALERTS = Alert.__table__  # type: ignore[attr-defined]
_FAULTS = AlertFault.__table__  # type: ignore[attr-defined]


def _queue(
    loaded: Loaded,
    saved: SavedAs,
    request: Request,
    outcome: Outcome,
    recipient: Recipient,
    now: datetime,
) -> tuple[Columns, tuple[Event, PersonKind, str, Channel, str, str]]:
    """The alert's columns, and what its QueuedAlert says but for its id and hold."""
    person = recipient.person
    alert = queue_columns(saved, request, outcome, recipient, loaded.person_ids[person.key], now)
    said = (
        outcome.decision.event,
        person.kind,
        person.code,
        recipient.channel,
        recipient.address,
        alert["subject"],
    )
    return alert, said


def queue_columns(
    saved: SavedAs,
    request: Request,
    outcome: Outcome,
    recipient: Recipient,
    person_id: int | None,
    now: datetime,
) -> Columns:
    """One alert for the outbox: its key (save, person, channel) makes a replay, or a
    recovery of what a fault stopped, add nothing that is there already."""
    person = recipient.person
    message = outcome.message(recipient)
    return {
        "key": f"{saved.key}/{person.kind.value}:{person.code}/{recipient.channel.value}",
        "save_id": saved.id,
        "request_id": ident(request.id),
        "event": outcome.decision.event.value,
        "person_id": person_id,
        "channel": recipient.channel.value,
        "address": recipient.address,
        "sources": ",".join(s.value for s in recipient.sources),
        "subject": message.subject,
        "text_body": message.text,
        "html_body": message.html,
        "status": AlertStatus.PENDING.value,
        "attempts": 0,
        "created_at": now,
        "hold": None,
        "held_until": None,
    }


def _superseded(outcome: Outcome) -> list[Record]:
    return [
        {
            "event": outcome.decision.event.value,
            "kind": x.person.kind.value,
            "code": x.person.code,
            "channel": x.channel.value if x.channel else None,
            "detail": x.detail,
        }
        for x in outcome.decision.excluded
        if x.reason is Reason.SUPERSEDED
    ]


def _fault_columns(loaded: Loaded, saved: SavedAs, request: Request, fault: Fault) -> Columns:
    return {
        "save_id": saved.id,
        "request_id": ident(request.id),
        "event": fault.event.value,
        "person_id": loaded.person_ids[fault.person.key],
        "channel": fault.channel.value if fault.channel else None,
        "reason": fault.reason.value,
        "detail": fault.detail,
        # When it was found, not the save's own time: a feed of old saves replayed today
        # makes faults that `check` must see today (the save keeps its time).
        "created_at": datetime.now(UTC),
        "handled_at": None,
        "handled": None,
    }


def _left_out(fault: Fault) -> LeftOut:
    return LeftOut(
        fault.event,
        fault.person.kind,
        fault.person.code,
        fault.channel,
        fault.reason,
        fault.detail,
        fault.fix,
    )
