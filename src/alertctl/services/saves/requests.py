"""Support requests: each save detects its events, decides who is alerted, and writes the alerts
to the outbox in the same transaction (no save without its alerts, no alert without its save)."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from alertctl.db import outbox
from alertctl.db.engine import Database, serialise_saves
from alertctl.db.outbox import aware
from alertctl.db.tables import (
    Request,
    RequestSave,
    Status,
)
from alertctl.domain.events import Snapshot, detect_events, why_no_event
from alertctl.domain.model import Event, StatusType
from alertctl.domain.validation import check_reference, check_text
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.common import ident, insert_rows
from alertctl.services.holds.hold import load_held
from alertctl.services.results import Columns
from alertctl.services.saves.alert_slice import get_request
from alertctl.services.saves.feed_memory import LOOKUP_KEYS, FeedMemory, fact, row
from alertctl.services.saves.fields import SaveInput, apply_fields, diff, field_codes
from alertctl.services.saves.save_alerts import (
    LeftOut,
    PlannedAlerts,
    QueuedAlert,
    SavedAs,
    plan_alerts,
    write_alerts,
)
from alertctl.services.sla.index import has_terms, recheck


@dataclass
class SaveResult:
    reference: str
    save_id: str
    created: bool
    replayed: bool = False
    events: list[Event] = field(default_factory=list)
    alerts: list[QueuedAlert] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Alerts left out by a fault (a template that does not render, an invalid address).
    faults: list[LeftOut] = field(default_factory=list)
    # Why the save raised no event, when it raised none.
    no_event_reason: str | None = None


def open_request(db: Database, change: SaveInput) -> SaveResult:
    with db.session(write=True) as session:
        serialise_saves(session)
        if _find(session, change.reference, None) is not None:
            raise Conflict(
                f"request {change.reference!r} already exists",
                hint=f"alertctl request update {change.reference} ...",
            )
        return save(session, change)


def update_request(db: Database, change: SaveInput) -> SaveResult:
    with db.session(write=True) as session:
        serialise_saves(session)
        get_request(session, change.reference)
        return save(session, change)


def save(session: Session, change: SaveInput, memory: FeedMemory | None = None) -> SaveResult:
    """Apply one save: opens the request when its reference is new, updates it otherwise. A
    feed's saves share their transaction's `memory`; a single save has none."""
    save_id = _save_id(change)
    request = _find(session, change.reference, memory)
    if change.save_id is not None and _replayed(session, save_id, request, memory):
        return SaveResult(change.reference, save_id, created=False, replayed=True)
    now = change.time or datetime.now(UTC)
    _check_time(request, change)
    before = snapshot(session, request, memory) if request is not None else None
    previous_status = row(session, memory, Status, request.status_id) if request else None
    old = field_codes(session, request, memory) if request is not None else {}
    warnings: list[str] = []
    created = request is None
    if request is None:
        request = _new_request(session, change, now, memory)
    apply_fields(session, request, change, warnings, memory)
    request.updated_at = now
    after = snapshot(session, request, memory)
    events = detect_events(before, after)
    if Event.OPEN in events:
        request.open_fired = True
    staging = memory.staging if memory is not None else None
    _keep(session, request, created, memory)
    planned = plan_alerts(session, request, events, previous_status, memory)
    changes = diff(old, field_codes(session, request, memory))
    record = _record(request, save_id, now, previous_status, changes, events, planned)
    if staging is None:
        (record["id"],) = insert_rows(session, _SAVES, [record])
    else:
        (record["id"],) = staging.ids.take(_SAVES, 1)
        staging.line.records.append(record)
    saved = SavedAs(record["id"], save_id)
    alerts, faults = write_alerts(session, planned, saved, request, now, memory, fresh=created)
    moves_clocks = _moves_clocks(request, events, changes) and has_terms(session, request, memory)
    if staging is not None:
        staging.line.announce = bool(alerts)
        staging.line.clock_due = now if moves_clocks else None
    else:
        if alerts:
            outbox.announce(session)
        if moves_clocks:
            recheck(session, ident(request.id), now)
    return SaveResult(
        change.reference,
        save_id,
        created,
        events=list(events),
        alerts=alerts,
        warnings=warnings,
        faults=faults,
        no_event_reason=None if events else why_no_event(before, after),
    )


def _keep(session: Session, request: Request, created: bool, memory: FeedMemory | None) -> None:
    """The request in the session, with an id for its save and its alerts: flushed by a single
    save, named ahead of its write in a staged feed (services/saves/staging.py)."""
    session.add(request)
    staging = memory.staging if memory is not None else None
    if request.id is None:
        if staging is None:
            session.flush()
        else:
            (request.id,) = staging.ids.take(_REQUESTS, 1)
    if memory is not None:
        memory.requests.remember(request.reference, request)
    if staging is not None:
        staging.line.request_id, staging.line.opened = ident(request.id), created


def _moves_clocks(request: Request, events: list[Event], changes: dict[str, list[Any]]) -> bool:
    """Whether the save may move the request's SLA clocks: they start at the open, and follow
    its statuses, its contract and its service."""
    if not request.open_fired or request.contract_id is None:
        return False
    return bool(events) or "contract" in changes or "service" in changes


_SAVES = RequestSave.__table__  # type: ignore[attr-defined]
_REQUESTS = Request.__table__  # type: ignore[attr-defined]


def _record(
    request: Request,
    save_id: str,
    now: datetime,
    previous_status: Status | None,
    changes: dict[str, list[Any]],
    events: list[Event],
    planned: PlannedAlerts,
) -> Columns:
    """The save's record: what changed, the events it raised, who was superseded. Written by
    Core: a feed writes one per line, and none is read back as an object."""
    return {
        "request_id": ident(request.id),
        "save_key": save_id,
        "saved_at": now,
        "previous_status_id": previous_status.id if previous_status else None,
        "status_id": request.status_id,
        "changes": json.dumps(changes, ensure_ascii=False),
        "events": ",".join(e.value for e in events),
        "superseded": json.dumps(planned.superseded(), ensure_ascii=False),
    }


def _save_id(change: SaveInput) -> str:
    check_reference(change.reference)
    if change.save_id is not None and not change.save_id.strip():
        raise Invalid("the save id is empty", hint="leave it out, or give a non-blank one")
    save_id = change.save_id or uuid.uuid4().hex
    check_text(save_id, "save id")
    return save_id


def _replayed(
    session: Session, save_id: str, request: Request | None, memory: FeedMemory | None
) -> bool:
    """A save id seen before: the same save again, which changes nothing."""
    if memory is not None and save_id in memory.saves.looked_up:
        seen_for = memory.saves.found.get(save_id)
    else:
        seen_for = session.execute(
            select(Request.reference)
            .join(RequestSave, col(RequestSave.request_id) == col(Request.id))
            .where(RequestSave.save_key == save_id)
        ).scalar()
    if seen_for is None:
        return False
    if request is None or seen_for != request.reference:
        raise Conflict(f"save id {save_id!r} was already used for another request")
    return True


def remember_save(memory: FeedMemory, result: SaveResult) -> None:
    """A save applied in this transaction, once it has succeeded: a later line with
    its id is a replay."""
    memory.saves.remember(result.save_id, result.reference)


def _check_time(request: Request | None, change: SaveInput) -> None:
    if request is None or change.time is None:
        return
    opened = aware(request.created_at)
    if change.time < opened:
        raise Invalid(
            f"the save's time {change.time.isoformat()} is before request "
            f"{change.reference} was opened ({opened.isoformat()})"
        )
    # A late line (a fixed copy of an earlier save, a feed replayed out of order) would move the
    # request back and raise its events again: saves are applied in time order only.
    last = aware(request.updated_at)
    if change.time < last:
        raise Invalid(
            f"the time of this save, {change.time.isoformat()}, is before the last applied save "
            f"of request {change.reference} ({last.isoformat()}): saves are applied in time "
            "order, and this one was not"
        )


@dataclass(frozen=True)
class Before:
    """A request as a feed's line found it (None: not there yet), to put back if the line
    fails: a staged transaction has no savepoint to roll back (services/saves/staging.py)."""

    reference: str
    request: Request | None
    values: Columns


_REQUEST_COLUMNS = tuple(_REQUESTS.columns.keys())


def before_save(session: Session, change: SaveInput, memory: FeedMemory) -> Before:
    request = _find(session, change.reference, memory)
    values = {k: getattr(request, k) for k in _REQUEST_COLUMNS} if request is not None else {}
    return Before(change.reference, request, values)


def put_back(session: Session, memory: FeedMemory, before: Before) -> None:
    """Undo what a failed line did to its request: its fields as they were, or the request it
    was opening gone from the session, and from the memory."""
    if before.request is not None:
        for name, value in before.values.items():
            setattr(before.request, name, value)
        return
    opened = memory.requests.found.pop(before.reference, None)
    if opened is not None and opened in session:
        session.expunge(opened)


def remember_ahead(session: Session, memory: FeedMemory, changes: list[SaveInput]) -> None:
    """Look up the requests and the save ids of a feed's next saves in a query or two, rather
    than one or two per save; in a staged transaction, the alerts of those requests held as
    they coalesce too."""
    memory.requests.look_up(
        (c.reference for c in changes),
        lambda references: (
            (request.reference, request)
            for request in session.exec(
                select(Request).where(col(Request.reference).in_(references))
            )
        ),
    )
    memory.saves.look_up(
        (c.save_id for c in changes if c.save_id),
        lambda keys: session.execute(
            select(RequestSave.save_key, Request.reference)
            .join(Request, col(Request.id) == col(RequestSave.request_id))
            .where(col(RequestSave.save_key).in_(keys))
        ).all(),
    )
    if memory.staging is not None:
        found = (memory.requests.found.get(c.reference) for c in changes)
        ids = sorted({r.id for r in found if r is not None and r.id is not None})
        for start in range(0, len(ids), LOOKUP_KEYS):
            load_held(session, memory.staging, ids[start : start + LOOKUP_KEYS])


def _find(session: Session, reference: str, memory: FeedMemory | None) -> Request | None:
    if memory is not None:
        request = memory.requests.found.get(reference)
        # A request opened by a line that failed has left the session.
        if request is not None and request in session:
            return request
        if request is None and reference in memory.requests.looked_up:
            return None  # looked up ahead, not found, and not opened since
    return session.exec(select(Request).where(Request.reference == reference)).first()


def snapshot(session: Session, request: Request, memory: FeedMemory | None = None) -> Snapshot:
    """What event detection knows of the request as it is in the session."""
    status = row(session, memory, Status, request.status_id)
    assert status is not None
    return Snapshot(
        status=status.code,
        status_type=StatusType(status.type),
        external_description=request.external_description,
        open_fired=request.open_fired,
        state=request.state,
    )


def _first_created(session: Session) -> Status | None:
    return session.exec(
        select(Status).where(Status.type == StatusType.CREATED.value).order_by(col(Status.id))
    ).first()


def _new_request(
    session: Session, change: SaveInput, now: datetime, memory: FeedMemory | None
) -> Request:
    if not change.title:
        raise Invalid("a new request needs a title", hint="add --title TEXT")
    if not change.contract and not change.client:
        raise Invalid(
            "a new request needs a contract or, without one, a client",
            hint="add --contract CONTRACT",
        )
    default_status = fact(memory, ("default status",), lambda: _first_created(session))
    if default_status is None and change.status is None:
        raise NotFound("no status of type created", hint="alertctl status add OPEN --type created")
    return Request(
        reference=change.reference,
        client_id=0,
        title="",
        status_id=ident(default_status.id) if default_status else 0,
        created_at=now,
        updated_at=now,
    )
