"""A request's history: the list of requests, and one request with every save, its events and
the alerts it produced."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Alert, Client, Contract, Person, Request, RequestSave, Status
from alertctl.domain.model import AlertStatus, Channel, Event, StatusType
from alertctl.services.common import ident, paged
from alertctl.services.results import Page, Record
from alertctl.services.saves.alert_slice import get_request
from alertctl.services.saves.fields import field_codes


@dataclass(frozen=True)
class RequestRow:
    reference: str
    title: str
    client: str
    contract: str | None
    status: str
    status_type: StatusType
    state: str | None
    alerts: int
    updated_at: datetime
    due: datetime | None = None  # with --due-within: when its first running clock falls due


@dataclass(frozen=True)
class StatusRef:
    code: str
    label: str
    type: StatusType


@dataclass(frozen=True)
class SavedAlert:
    id: int
    event: Event
    kind: str
    code: str
    channel: Channel
    address: str
    sources: tuple[str, ...]
    subject: str
    status: AlertStatus


@dataclass(frozen=True)
class SaveEntry:
    save_id: str
    saved_at: datetime
    previous_status: str | None
    status: str
    # As recorded with the save: field -> [before, after], and who a more specific event of the
    # same save reached instead (free-form records, kept as they were written).
    changes: dict[str, list[Any]]
    events: tuple[Event, ...]
    alerts: tuple[SavedAlert, ...]
    superseded: list[Record]


@dataclass(frozen=True)
class ClockRow:
    """An SLA clock as `request show` draws it (business seconds)."""

    clock: str
    target: float
    used: float
    left: float
    state: str
    due: datetime | None
    due_local: str | None  # in the calendar's zone


@dataclass(frozen=True)
class RequestDetail:
    reference: str
    contract: str | None
    client: str | None
    site: str | None
    product: str | None
    service: str | None
    requester: str | None
    title: str
    external_description: str | None
    status: StatusRef | None
    state: str | None
    opened_at: datetime
    updated_at: datetime
    saves: tuple[SaveEntry, ...]
    clocks: tuple[ClockRow, ...] = ()


def list_requests(
    db: Database,
    *,
    status: str | None = None,
    limit: int | None = None,
    due_within: timedelta | None = None,
) -> Page[RequestRow]:
    """Requests by reference, at most `limit` of them, and how many there are in all; with
    `due_within`, those with an SLA clock running that falls due within that time."""
    with db.session(write=False) as session:
        due: dict[int, datetime] = {}
        if due_within is not None:
            from alertctl.services.sla.clocks import due_by

            now = datetime.now(UTC)
            due = due_by(session, now, now + due_within)
        query = (
            select(Request, Status, Client.code, Contract.code)
            .join(Status, Status.id == Request.status_id)  # type: ignore[arg-type]
            .join(Client, Client.id == Request.client_id)  # type: ignore[arg-type]
            .join(Contract, Contract.id == Request.contract_id, isouter=True)  # type: ignore[arg-type]
            .order_by(col(Request.reference))
        )
        if status is not None:
            query = query.where(Status.code == status)
        if due_within is not None:
            query = query.where(col(Request.id).in_(list(due)))
        rows, total = paged(session, query, limit)
        per_request = select(Alert.request_id, func.count()).group_by(col(Alert.request_id))
        if limit is not None:  # the page's requests only; all of them, counted in one pass
            per_request = per_request.where(col(Alert.request_id).in_([r.id for r, *_ in rows]))
        counts = dict(session.exec(per_request).all())
        found = [
            RequestRow(
                reference=r.reference,
                title=r.title,
                client=client_code,
                contract=contract_code,
                status=s.code,
                status_type=StatusType(s.type),
                state=r.state,
                alerts=counts.get(ident(r.id), 0),
                updated_at=r.updated_at,
                due=due.get(ident(r.id)),
            )
            for r, s, client_code, contract_code in rows
        ]
        return Page(tuple(found), total)


def show_request(db: Database, *, reference: str) -> RequestDetail:
    """The request as it is, and every save with its events and the alerts it produced."""
    with db.session(write=False) as session:
        request = get_request(session, reference)
        now = field_codes(session, request)
        saves = session.exec(
            select(RequestSave)
            .where(RequestSave.request_id == request.id)
            .order_by(col(RequestSave.id))
        ).all()
        statuses = {s.id: s for s in session.exec(select(Status)).all()}
        by_save = _alerts_by_save(session, ident(request.id))
        current = statuses.get(request.status_id)
        return RequestDetail(
            reference=request.reference,
            contract=now["contract"],
            client=now["client"],
            site=now["site"],
            product=now["product"],
            service=now["service"],
            requester=now["requester"],
            title=request.title,
            external_description=request.external_description,
            status=StatusRef(current.code, current.label, StatusType(current.type))
            if current
            else None,
            state=request.state,
            opened_at=request.created_at,
            updated_at=request.updated_at,
            saves=tuple(_entry(s, statuses, by_save.get(ident(s.id), ())) for s in saves),
            clocks=_clocks(session, request),
        )


def _clocks(session: Session, request: Request) -> tuple[ClockRow, ...]:
    from alertctl.services.sla.clocks import read_clocks

    rows = []
    for view in read_clocks(session, request, datetime.now(UTC)):
        reading = view.reading
        local = reading.due.astimezone(ZoneInfo(view.zone)) if reading.due else None
        rows.append(
            ClockRow(
                reading.clock.value,
                reading.target,
                reading.used,
                reading.left,
                reading.state.value,
                reading.due,
                f"{local:%Y-%m-%d %H:%M} {view.zone}" if local else None,
            )
        )
    return tuple(rows)


def _alerts_by_save(session: Session, request_id: int) -> dict[int, tuple[SavedAlert, ...]]:
    alerts = session.exec(
        select(Alert, Person.kind, Person.code)
        .join(Person, col(Person.id) == col(Alert.person_id), isouter=True)
        .where(Alert.request_id == request_id)
        .order_by(col(Alert.id))
    ).all()
    by_save: dict[int, list[SavedAlert]] = {}
    for alert, kind, code in alerts:
        by_save.setdefault(alert.save_id, []).append(
            SavedAlert(
                id=ident(alert.id),
                event=Event(alert.event),
                kind=kind or "(erased)",
                code=code or "-",
                channel=Channel(alert.channel),
                address=alert.address,
                sources=tuple(alert.sources.split(",")) if alert.sources else (),
                subject=alert.subject,
                status=AlertStatus(alert.status),
            )
        )
    return {k: tuple(v) for k, v in by_save.items()}


def _entry(
    save: RequestSave, statuses: dict[Any, Status], alerts: tuple[SavedAlert, ...]
) -> SaveEntry:
    previous = statuses.get(save.previous_status_id) if save.previous_status_id else None
    return SaveEntry(
        save_id=save.save_key,
        saved_at=save.saved_at,
        previous_status=previous.code if previous else None,
        status=statuses[save.status_id].code,
        changes=json.loads(save.changes),
        events=tuple(Event(e) for e in save.events.split(",")) if save.events else (),
        alerts=alerts,
        superseded=json.loads(save.superseded),
    )
