"""Support requests: each save detects its events, decides who is alerted, and writes the alerts
to the outbox in the same transaction (no save without its alerts, no alert without its save)."""

import json
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.tables import (
    Alert,
    AlertFault,
    Client,
    Contract,
    Person,
    Product,
    Request,
    RequestSave,
    Service,
    Site,
    Status,
    contract_beneficiary,
    contract_product,
)
from alertctl.domain.events import Snapshot, detect_events
from alertctl.domain.model import Event, PersonKind, StatusType
from alertctl.domain.recipients import Fault
from alertctl.domain.validation import check_code, check_length, check_text
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.alert_slice import get_request, load, status_dict
from alertctl.services.common import get_by_code, get_client, get_contract, get_person, ident
from alertctl.services.decide import decide, faults_of

# The fields of a save, as `request open/update` and the JSON Lines feed name them.
SAVE_FIELDS = (
    "reference",
    "contract",
    "client",
    "site",
    "product",
    "service",
    "title",
    "external_description",
    "status",
    "state",
    "requester",
    "save_id",
    "time",
)


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
    events: list[str] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Alerts left out by a fault (a template that does not render, an invalid address).
    faults: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    check_code(change.reference, "request")
    if change.save_id is not None and not change.save_id.strip():
        raise Invalid("the save id is empty", hint="leave it out, or give a non-blank one")
    save_id = change.save_id or uuid.uuid4().hex
    check_text(save_id, "save id")
    request = _find(session, change.reference)
    if change.save_id is not None:
        replayed = session.exec(select(RequestSave).where(RequestSave.save_key == save_id)).first()
        if replayed is not None:
            if request is None or replayed.request_id != request.id:
                raise Conflict(f"save id {save_id!r} was already used for another request")
            return SaveResult(change.reference, save_id, created=False, replayed=True)
    now = change.time or datetime.now(UTC)
    if request is not None and change.time is not None:
        opened = _aware(request.created_at)
        if change.time < opened:
            raise Invalid(
                f"the save's time {change.time.isoformat()} is before request "
                f"{change.reference} was opened ({opened.isoformat()})"
            )
    before = _snapshot(session, request) if request is not None else None
    previous_status = session.get(Status, request.status_id) if request is not None else None
    old = _fields(session, request) if request is not None else {}
    warnings: list[str] = []
    created = request is None
    if request is None:
        request = _new_request(session, change, now)
    _apply(session, request, change, warnings)
    request.updated_at = now
    session.add(request)
    session.flush()

    after = _snapshot(session, request)
    events = detect_events(before, after)
    if Event.OPEN in events:
        request.open_fired = True
        session.add(request)
    record = RequestSave(
        request_id=ident(request.id),
        save_key=save_id,
        saved_at=now,
        previous_status_id=previous_status.id if previous_status else None,
        status_id=request.status_id,
        changes=json.dumps(_diff(old, _fields(session, request)), ensure_ascii=False),
        events=",".join(e.value for e in events),
    )
    session.add(record)
    session.flush()
    alerts, superseded, faults = _write_alerts(
        session, request, record, events, previous_status, now
    )
    record.superseded = json.dumps(superseded, ensure_ascii=False)
    session.add(record)
    if alerts:
        outbox.announce(session)
    return SaveResult(
        change.reference,
        save_id,
        created,
        events=[e.value for e in events],
        alerts=alerts,
        warnings=warnings,
        faults=faults,
    )


def _write_alerts(
    session: Session,
    request: Request,
    record: RequestSave,
    events: list[Event],
    previous_status: Status | None,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Queue the save's alerts; return them, the superseded ones, and those a fault left out
    (each fault recorded too: an alert that should go out and does not is never silent)."""
    if not events:
        return [], [], []
    loaded = load(session, request, previous_status=previous_status)
    outcomes = decide(loaded, events)
    queued: list[tuple[Alert, dict[str, Any]]] = []
    superseded: list[dict[str, Any]] = []
    for outcome in outcomes:
        for recipient in outcome.decision.recipients:
            person = recipient.person
            message = outcome.message(recipient)
            key = f"{record.save_key}/{person.kind.value}:{person.code}/{recipient.channel.value}"
            alert = Alert(
                key=key,
                save_id=ident(record.id),
                request_id=ident(request.id),
                event=outcome.decision.event.value,
                person_id=loaded.person_ids[person.key],
                channel=recipient.channel.value,
                address=recipient.address,
                sources=",".join(s.value for s in recipient.sources),
                subject=message.subject,
                text_body=message.text,
                html_body=message.html,
                created_at=now,
            )
            session.add(alert)
            queued.append(
                (
                    alert,
                    {
                        "event": outcome.decision.event.value,
                        "kind": person.kind.value,
                        "code": person.code,
                        "channel": recipient.channel.value,
                        "address": recipient.address,
                        "subject": message.subject,
                    },
                )
            )
        superseded.extend(
            {
                "event": outcome.decision.event.value,
                "kind": x.person.kind.value,
                "code": x.person.code,
                "channel": x.channel.value if x.channel else None,
                "detail": x.detail,
            }
            for x in outcome.decision.excluded
            if x.reason.value == "superseded"
        )
    faults = [
        _record_fault(session, loaded, record, request, f, now) for f in faults_of(loaded, outcomes)
    ]
    session.flush()
    return [{"id": a.id, **row} for a, row in queued], superseded, faults


def _record_fault(
    session: Session,
    loaded: Any,
    record: RequestSave,
    request: Request,
    fault: Fault,
    now: datetime,
) -> dict[str, Any]:
    session.add(
        AlertFault(
            save_id=ident(record.id),
            request_id=ident(request.id),
            event=fault.event.value,
            person_id=loaded.person_ids[fault.person.key],
            channel=fault.channel.value if fault.channel else None,
            reason=fault.reason.value,
            detail=fault.detail,
            created_at=now,
        )
    )
    return {
        "event": fault.event.value,
        "kind": fault.person.kind.value,
        "code": fault.person.code,
        "channel": fault.channel.value if fault.channel else None,
        "reason": fault.reason.value,
        "detail": fault.detail,
        "fix": fault.fix,
    }


def _aware(moment: datetime) -> datetime:
    """Times come back from SQLite without their offset; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _find(session: Session, reference: str) -> Request | None:
    return session.exec(select(Request).where(Request.reference == reference)).first()


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


def _apply(session: Session, request: Request, change: SaveInput, warnings: list[str]) -> None:
    """Set the fields the save names, then check that they hold together."""
    if change.contract is not None:
        request.contract_id = get_contract(session, change.contract).id if change.contract else None
    if change.client is not None:
        request.client_id = ident(get_client(session, change.client).id)
    elif change.contract:
        contract = session.get(Contract, request.contract_id)
        assert contract is not None
        if not request.client_id or not _may_use(session, contract, request.client_id):
            request.client_id = contract.client_id
    if change.title is not None:
        request.title = check_text(change.title, "title")
    if change.external_description is not None:
        request.external_description = _multiline(change.external_description) or None
    if change.status is not None:
        request.status_id = ident(get_by_code(session, Status, change.status, "status").id)
    if change.state is not None:
        request.state = check_text(change.state, "state", required=False) or None
    client = session.get(Client, request.client_id)
    assert client is not None
    if change.site is not None:
        request.site_id = _site_id(session, client, change.site) if change.site else None
    if change.product is not None:
        request.product_id = (
            get_by_code(session, Product, change.product, "product").id if change.product else None
        )
    if change.service is not None:
        request.service_id = (
            _service_id(session, request, change.service) if change.service else None
        )
    if change.requester is not None:
        request.requester_id = (
            get_person(session, PersonKind.CONTACT, change.requester).id
            if change.requester
            else None
        )
    _check_consistency(session, request, client, warnings)


def _multiline(value: str) -> str:
    """A description may span lines, but carries no other control character."""
    check_length(value, "external description")
    for line in value.replace("\r\n", "\n").split("\n"):
        check_text(line.replace("\t", " "), "external description", required=False)
    return value.replace("\r\n", "\n").strip()


def _site_id(session: Session, client: Client, code: str) -> int:
    site = session.exec(select(Site).where(Site.client_id == client.id, Site.code == code)).first()
    if site is None:
        raise Invalid(
            f"site {code!r} is not a site of client {client.code!r}",
            hint=f"alertctl site list {client.code}",
        )
    return ident(site.id)


def _service_id(session: Session, request: Request, code: str) -> int:
    contract = session.get(Contract, request.contract_id) if request.contract_id else None
    if contract is None:
        raise Invalid("a service needs a contract", hint="add --contract CONTRACT")
    service = session.exec(
        select(Service).where(Service.contract_id == contract.id, Service.code == code)
    ).first()
    if service is None:
        raise Invalid(
            f"service {code!r} is not a service of contract {contract.code!r}",
            hint=f"alertctl service list {contract.code}",
        )
    return ident(service.id)


def _may_use(session: Session, contract: Contract, client_id: int) -> bool:
    if contract.client_id == client_id:
        return True
    found = session.execute(
        select(contract_beneficiary.c.client_id).where(
            contract_beneficiary.c.contract_id == contract.id,
            contract_beneficiary.c.client_id == client_id,
        )
    ).first()
    return found is not None


def _check_consistency(
    session: Session, request: Request, client: Client, warnings: list[str]
) -> None:
    contract = session.get(Contract, request.contract_id) if request.contract_id else None
    if contract is not None and not _may_use(session, contract, ident(client.id)):
        raise Invalid(
            f"client {client.code!r} is neither the client nor a beneficiary of contract "
            f"{contract.code!r}",
            hint=f"alertctl contract show {contract.code}",
        )
    if request.site_id is not None:
        site = session.get(Site, request.site_id)
        if site is None or site.client_id != client.id:
            raise Invalid(f"the request's site is not a site of client {client.code!r}")
    if request.service_id is not None:
        service = session.get(Service, request.service_id)
        if contract is None or service is None or service.contract_id != contract.id:
            raise Invalid("the request's service is not a service of its contract")
    if contract is not None and request.product_id is not None:
        covered = session.execute(
            select(contract_product.c.product_id).where(
                contract_product.c.contract_id == contract.id,
                contract_product.c.product_id == request.product_id,
            )
        ).first()
        if covered is None:
            product = session.get(Product, request.product_id)
            assert product is not None
            warnings.append(f"contract {contract.code} does not cover product {product.code}")
    if request.requester_id is not None:
        requester = session.get(Person, request.requester_id)
        if requester is not None and requester.client_id != client.id:
            warnings.append(f"requester {requester.code} is not a contact of client {client.code}")


def _fields(session: Session, request: Request) -> dict[str, Any]:
    """The request's fields as codes, to record what each save changed."""

    def code_of(model: Any, row_id: int | None) -> str | None:
        row = session.get(model, row_id) if row_id is not None else None
        return getattr(row, "code", None) if row is not None else None

    return {
        "contract": code_of(Contract, request.contract_id),
        "client": code_of(Client, request.client_id),
        "site": code_of(Site, request.site_id),
        "product": code_of(Product, request.product_id),
        "service": code_of(Service, request.service_id),
        "requester": code_of(Person, request.requester_id),
        "title": request.title,
        "external_description": request.external_description,
        "status": code_of(Status, request.status_id),
        "state": request.state,
    }


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


# Reading ---------------------------------------------------------------------------------------


def list_requests(db: Database, *, status: str | None = None) -> list[dict[str, Any]]:
    with db.session(write=False) as session:
        query = (
            select(Request, Status, Client.code, Contract.code)
            .join(Status, Status.id == Request.status_id)  # type: ignore[arg-type]
            .join(Client, Client.id == Request.client_id)  # type: ignore[arg-type]
            .join(Contract, Contract.id == Request.contract_id, isouter=True)  # type: ignore[arg-type]
            .order_by(col(Request.reference))
        )
        if status is not None:
            query = query.where(Status.code == status)
        counts = dict(
            session.exec(
                select(Alert.request_id, func.count()).group_by(col(Alert.request_id))
            ).all()
        )
        return [
            {
                "reference": r.reference,
                "title": r.title,
                "client": client_code,
                "contract": contract_code,
                "status": s.code,
                "status_type": s.type,
                "state": r.state,
                "alerts": counts.get(ident(r.id), 0),
                "updated_at": r.updated_at.isoformat(),
            }
            for r, s, client_code, contract_code in session.exec(query).all()
        ]


def show_request(db: Database, *, reference: str) -> dict[str, Any]:
    """The request as it is, and every save with its events and the alerts it produced."""
    with db.session(write=False) as session:
        request = get_request(session, reference)
        fields_now = _fields(session, request)
        saves = session.exec(
            select(RequestSave)
            .where(RequestSave.request_id == request.id)
            .order_by(col(RequestSave.id))
        ).all()
        alerts = session.exec(
            select(Alert, Person.kind, Person.code)
            .join(Person, col(Person.id) == col(Alert.person_id), isouter=True)
            .where(Alert.request_id == request.id)
            .order_by(col(Alert.id))
        ).all()
        statuses = {s.id: s for s in session.exec(select(Status)).all()}
        by_save: dict[int, list[dict[str, Any]]] = {}
        for alert, kind, code in alerts:
            by_save.setdefault(alert.save_id, []).append(
                {
                    "id": alert.id,
                    "event": alert.event,
                    "kind": kind or "(erased)",
                    "code": code or "-",
                    "channel": alert.channel,
                    "address": alert.address,
                    "sources": alert.sources.split(",") if alert.sources else [],
                    "subject": alert.subject,
                    "status": alert.status,
                }
            )
        return {
            "reference": request.reference,
            **fields_now,
            "status": status_dict(statuses.get(request.status_id)),
            "opened_at": request.created_at.isoformat(),
            "updated_at": request.updated_at.isoformat(),
            "saves": [
                {
                    "save_id": s.save_key,
                    "saved_at": s.saved_at.isoformat(),
                    "previous_status": statuses[s.previous_status_id].code
                    if s.previous_status_id in statuses
                    else None,
                    "status": statuses[s.status_id].code,
                    "changes": json.loads(s.changes),
                    "events": s.events.split(",") if s.events else [],
                    "alerts": by_save.get(ident(s.id), []),
                    "superseded": json.loads(s.superseded),
                }
                for s in saves
            ],
        }


def save_input_from(data: dict[str, Any]) -> SaveInput:
    """A save from one JSON object of the feed; unknown fields are refused by name."""
    unknown = sorted(set(data) - set(SAVE_FIELDS))
    if unknown:
        raise Invalid(f"unknown field {unknown[0]!r}")
    values: dict[str, Any] = {}
    for spec in fields(SaveInput):
        if spec.name not in data or data[spec.name] is None:
            continue
        value = data[spec.name]
        if spec.name == "time":
            values["time"] = parse_time(value)
        elif not isinstance(value, str):
            raise Invalid(f"field {spec.name!r} must be a string")
        else:
            values[spec.name] = value
    if "reference" not in values:
        raise Invalid("missing field 'reference'")
    return SaveInput(**values)


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Invalid("field 'time' must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"field 'time' is not an ISO 8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise Invalid(f"field 'time' {value[:40]!r} has no UTC offset: add Z or one such as +01:00")
    return parsed
