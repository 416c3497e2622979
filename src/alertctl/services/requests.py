"""Support requests: each save detects its events, decides who is alerted, and writes the alerts
to the outbox in the same transaction (no save without its alerts, no alert without its save)."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.outbox import aware
from alertctl.db.tables import (
    Request,
    RequestSave,
    Status,
)
from alertctl.domain.events import Snapshot, detect_events
from alertctl.domain.model import Event, StatusType
from alertctl.domain.validation import check_code, check_text
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.alert_slice import get_request
from alertctl.services.common import ident
from alertctl.services.request_fields import apply_fields, diff, field_codes
from alertctl.services.save_alerts import LeftOut, QueuedAlert, write_alerts


@dataclass
class SaveInput:
    """One save of a request. None leaves a field as it is; an empty string clears it."""

    reference: str
    contract: str | None = None
    client: str | None = None
    site: str | None = None
    product: str | None = None
    service: str | None = None
    title: str | None = None
    external_description: str | None = None
    status: str | None = None
    state: str | None = None
    requester: str | None = None
    save_id: str | None = None
    time: datetime | None = None


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


def open_request(db: Database, change: SaveInput) -> SaveResult:
    with db.session(write=True) as session:
        if _find(session, change.reference) is not None:
            raise Conflict(
                f"request {change.reference!r} already exists",
                hint=f"alertctl request update {change.reference} ...",
            )
        return save(session, change)


def update_request(db: Database, change: SaveInput) -> SaveResult:
    with db.session(write=True) as session:
        get_request(session, change.reference)
        return save(session, change)


def save(session: Session, change: SaveInput) -> SaveResult:
    """Apply one save: opens the request when its reference is new, updates it otherwise."""
    save_id = _save_id(change)
    request = _find(session, change.reference)
    if change.save_id is not None and _replayed(session, save_id, request):
        return SaveResult(change.reference, save_id, created=False, replayed=True)
    now = change.time or datetime.now(UTC)
    _check_time(request, change)
    before = _snapshot(session, request) if request is not None else None
    previous_status = session.get(Status, request.status_id) if request is not None else None
    old = field_codes(session, request) if request is not None else {}
    warnings: list[str] = []
    created = request is None
    if request is None:
        request = _new_request(session, change, now)
    apply_fields(session, request, change, warnings)
    request.updated_at = now
    session.add(request)
    session.flush()
    _known(session, request)

    events = detect_events(before, _snapshot(session, request))
    if Event.OPEN in events:
        request.open_fired = True
        session.add(request)
    record = RequestSave(
        request_id=ident(request.id),
        save_key=save_id,
        saved_at=now,
        previous_status_id=previous_status.id if previous_status else None,
        status_id=request.status_id,
        changes=json.dumps(diff(old, field_codes(session, request)), ensure_ascii=False),
        events=",".join(e.value for e in events),
    )
    session.add(record)
    session.flush()
    alerts, superseded, faults = write_alerts(
        session, request, record, events, previous_status, now
    )
    record.superseded = json.dumps(superseded, ensure_ascii=False)
    if alerts:
        outbox.announce(session)
    events_done = list(events)
    return SaveResult(
        change.reference,
        save_id,
        created,
        events=events_done,
        alerts=alerts,
        warnings=warnings,
        faults=faults,
    )


def _save_id(change: SaveInput) -> str:
    check_code(change.reference, "request")
    if change.save_id is not None and not change.save_id.strip():
        raise Invalid("the save id is empty", hint="leave it out, or give a non-blank one")
    save_id = change.save_id or uuid.uuid4().hex
    check_text(save_id, "save id")
    return save_id


def _replayed(session: Session, save_id: str, request: Request | None) -> bool:
    """A save id seen before: the same save again, which changes nothing."""
    seen = session.exec(select(RequestSave).where(RequestSave.save_key == save_id)).first()
    if seen is None:
        return False
    if request is None or seen.request_id != request.id:
        raise Conflict(f"save id {save_id!r} was already used for another request")
    return True


def _check_time(request: Request | None, change: SaveInput) -> None:
    if request is None or change.time is None:
        return
    opened = aware(request.created_at)
    if change.time < opened:
        raise Invalid(
            f"the save's time {change.time.isoformat()} is before request "
            f"{change.reference} was opened ({opened.isoformat()})"
        )


def remember_requests(session: Session) -> None:
    """Let this session find each request by its reference once: a feed saves the same
    requests again and again within one transaction."""
    session.info["requests"] = {}


def _find(session: Session, reference: str) -> Request | None:
    known: dict[str, Request] | None = session.info.get("requests")
    request = known.get(reference) if known is not None else None
    # A request opened by a line whose savepoint was rolled back has left the session.
    if request is not None and request in session:
        return request
    return session.exec(select(Request).where(Request.reference == reference)).first()


def _known(session: Session, request: Request) -> None:
    """Remember a request saved (found or opened), when the session remembers requests."""
    known: dict[str, Request] | None = session.info.get("requests")
    if known is not None:
        known[request.reference] = request


def _snapshot(session: Session, request: Request) -> Snapshot:
    status = session.get(Status, request.status_id)
    assert status is not None
    return Snapshot(
        status=status.code,
        status_type=StatusType(status.type),
        external_description=request.external_description,
        open_fired=request.open_fired,
    )


def _new_request(session: Session, change: SaveInput, now: datetime) -> Request:
    if not change.title:
        raise Invalid("a new request needs a title", hint="add --title TEXT")
    if not change.contract and not change.client:
        raise Invalid(
            "a new request needs a contract or, without one, a client",
            hint="add --contract CONTRACT",
        )
    default_status = session.exec(
        select(Status).where(Status.type == StatusType.CREATED.value).order_by(col(Status.id))
    ).first()
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
