"""A request's SLA clocks as they stand: its targets (the service's, else the contract's), the
calendar they count on, and its status history from the `open` save on."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from alertctl.db.tables import Calendar as CalendarTable
from alertctl.db.tables import Contract, Request, RequestSave, Service, SlaClock, Status
from alertctl.domain.business_time import ROUND_THE_CLOCK, Calendar, spell_duration
from alertctl.domain.model import Event, Language, StatusType
from alertctl.domain.sla import CLOCK_OF, Clock, ClockState, Reading, Warning, read
from alertctl.services.configuration.template_use import SAMPLE_CLOCK
from alertctl.services.saves.alert_slice import Loaded
from alertctl.services.sla.calendars import calendar_of
from alertctl.services.sla.targets import warning_of
from alertctl.templates.context import ClockFacts


@dataclass(frozen=True)
class Sla:
    """What a request's clocks count against."""

    targets: dict[Clock, float]  # business seconds; only the clocks that have a target
    warning: Warning
    calendar: Calendar
    calendar_name: str | None  # None: every hour counts


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    status: str
    type: StatusType


@dataclass(frozen=True)
class ClockView:
    """One clock of a request, as `request show` draws it."""

    reading: Reading
    zone: str

    @property
    def clock(self) -> Clock:
        return self.reading.clock


def sla_of(session: Session, request: Request) -> Sla | None:
    """The request's targets and calendar, as its contract and service set them now; None when
    it has no target."""
    contract = session.get(Contract, request.contract_id) if request.contract_id else None
    if contract is None:
        return None
    service = session.get(Service, request.service_id) if request.service_id else None
    minutes = {
        Clock.GTI: (service.gti_minutes if service else None) or contract.gti_minutes,
        Clock.GTR: (service.gtr_minutes if service else None) or contract.gtr_minutes,
    }
    targets = {clock: m * 60.0 for clock, m in minutes.items() if m}
    if not targets:
        return None
    calendar = _calendar(session, contract.calendar)
    return Sla(targets, warning_of(contract), calendar, contract.calendar)


def _calendar(session: Session, name: str | None) -> Calendar:
    if name is None:
        return ROUND_THE_CLOCK
    row = session.exec(select(CalendarTable).where(CalendarTable.name == name)).first()
    # The services refuse a contract naming an unknown calendar; one gone from under it
    # (removed by hand) counts every hour.
    return calendar_of(row) if row is not None else ROUND_THE_CLOCK


def history_of(session: Session, request_id: int) -> list[HistoryEntry]:
    """The request's statuses from its `open` save on, in time order."""
    return histories_of(session, [request_id]).get(request_id, [])


def histories_of(session: Session, request_ids: list[int]) -> dict[int, list[HistoryEntry]]:
    """The histories of many requests in one query. The saves of SLA events are left out:
    they change no status, and are written when a check finds them."""
    saves = RequestSave.__table__.c  # type: ignore[attr-defined]
    statuses = Status.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(saves.request_id, saves.saved_at, saves.events, statuses.code, statuses.type)
        .join(Status.__table__, statuses.id == saves.status_id)  # type: ignore[attr-defined]
        .where(saves.request_id.in_(request_ids))
        .order_by(saves.request_id, saves.saved_at, saves.id)
    ).all()
    found: dict[int, list[HistoryEntry]] = {}
    for request_id, saved_at, events, code, kind in rows:
        raised = events.split(",") if events else []
        if raised and Event(raised[0]).is_sla:
            continue
        history = found.setdefault(request_id, [])
        if history or Event.OPEN.value in raised:
            history.append(HistoryEntry(_utc(saved_at), code, StatusType(kind)))
    return {k: v for k, v in found.items() if v}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_clocks(session: Session, request: Request, now: datetime) -> list[ClockView]:
    sla = sla_of(session, request)
    if sla is None:
        return []
    history = [(h.at, h.type) for h in history_of(session, _id(request))]
    if not history:
        return []
    return [
        ClockView(read(clock, target, sla.calendar, history, now), sla.calendar.zone)
        for clock, target in sla.targets.items()
    ]


def clock_facts(
    session: Session, request: Request, event: Event, now: datetime | None = None
) -> dict[Language, ClockFacts] | None:
    """An SLA event's clock as its alert tells it, in each language; None if the request has
    no such clock (or has not opened)."""
    clock = CLOCK_OF.get(event)
    views = read_clocks(session, request, now or datetime.now(UTC))
    view = next((v for v in views if v.clock is clock), None)
    return told(view) if view is not None else None


def told(view: ClockView) -> dict[Language, ClockFacts]:
    """The clock as an SLA event's alert tells it, in each language."""
    return {language: facts(view, language) for language in Language}


def facts(view: ClockView, language: Language) -> ClockFacts:
    reading = view.reading
    return {
        "name": reading.clock.value.upper(),
        "target": spell_duration(reading.target),
        "due": spell_due(reading.due, view.zone, language) if reading.due else "",
        "used": spell_duration(reading.used),
        "left": spell_duration(max(0.0, reading.left)),
        "overdue": spell_duration(max(0.0, -reading.left)),
    }


_MONTHS = {
    Language.FR: (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    Language.EN: (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def spell_due(moment: datetime, zone: str, language: Language) -> str:
    """A due time in the calendar's local time, as the language writes it. By hand rather than
    with a locale: the machine's locales are not the reader's, and two languages need twelve
    month names each."""
    local = moment.astimezone(ZoneInfo(zone))
    month = _MONTHS[language][local.month - 1]
    if language is Language.FR:
        return f"{local.day} {month} {local.year} à {local.hour} h {local.minute:02d} ({zone})"
    return f"{local.day} {month} {local.year}, {local:%H:%M} ({zone})"


def _id(request: Request) -> int:
    assert request.id is not None
    return request.id


def events_of(session: Session, request: Request) -> list[Event]:
    """The events a request can raise: those of its saves, and the SLA events of the clocks its
    targets give it."""
    sla = sla_of(session, request)
    clocks = set(sla.targets) if sla is not None else set()
    return [e for e in Event if not e.is_sla or CLOCK_OF[e] in clocks]


def no_clock(session: Session, request: Request, event: Event) -> str | None:
    """Why the request cannot raise an SLA event: it has no such clock, or has not opened."""
    clock = CLOCK_OF.get(event)
    if clock is None:
        return None
    sla = sla_of(session, request)
    if sla is None or clock not in sla.targets:
        return (
            f"the request has no {clock.value.upper()}: neither its contract nor its service "
            f"sets a {clock.value.upper()} target"
        )
    if not history_of(session, _id(request)):
        return f"its {clock.value.upper()} starts at the open, which has not fired"
    return None


def with_clock(session: Session, loaded: Loaded, request: Request, event: Event) -> Loaded:
    """The request's loaded slice with the clock an SLA event tells of: as it stands now, or a
    sample clock when the request has none (a preview of what it would say)."""
    if not event.is_sla:
        return loaded
    found = clock_facts(session, request, event)
    return replace(loaded, clock=found or dict.fromkeys(Language, SAMPLE_CLOCK))


def due_by(session: Session, now: datetime, until: datetime) -> dict[int, datetime]:
    """The requests with a clock running that falls due by `until`, with its due time. Read
    through the index: a running clock's next threshold comes no later than its due time, so
    only the rows due by then can hold one."""
    ids = session.exec(select(SlaClock.request_id).where(col(SlaClock.next_check_at) <= until))
    found: dict[int, datetime] = {}
    for request_id in ids.all():
        request = session.get(Request, request_id)
        if request is None:
            continue
        for view in read_clocks(session, request, now):
            due = view.reading.due
            if view.reading.state is ClockState.RUNNING and due is not None and due <= until:
                found[request_id] = min(found.get(request_id, due), due)
    return found
