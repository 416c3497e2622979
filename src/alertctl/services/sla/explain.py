"""One clock of one request, explained: the statuses it went through, what the clock did in
each (counted, paused, stopped), the opening hours it counted, and the thresholds it raised."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import RequestSave
from alertctl.domain.business_time import Calendar, spell_hours
from alertctl.domain.sla import EVENTS, Clock, Reading, Role, Threshold, read, segments
from alertctl.errors import Invalid
from alertctl.services.common import ident
from alertctl.services.saves.alert_slice import get_request
from alertctl.services.sla.clocks import history_of, sla_of


@dataclass(frozen=True)
class Segment:
    since: datetime
    until: datetime
    status: str
    role: Role
    business_seconds: float  # counted: only for a counted segment
    intervals: tuple[tuple[datetime, datetime], ...]  # the opening hours inside it, counted


@dataclass(frozen=True)
class Raised:
    event: str
    crossed_at: datetime


@dataclass(frozen=True)
class ClockExplanation:
    reference: str
    clock: Clock
    calendar: str | None  # None: every hour counts
    zone: str
    hours: str
    warning_at: float  # business seconds used when the warning fires
    reading: Reading
    segments: tuple[Segment, ...]
    raised: tuple[Raised, ...]


def explain_clock(
    db: Database, *, reference: str, clock: Clock, now: datetime | None = None
) -> ClockExplanation:
    now = now or datetime.now(UTC)
    with db.session(write=False) as session:
        request = get_request(session, reference)
        sla = sla_of(session, request)
        if sla is None or clock not in sla.targets:
            raise Invalid(
                f"request {reference!r} has no {clock.value.upper()}: neither its contract nor "
                "its service sets that target",
                hint="alertctl contract update CONTRACT --gti 4h --gtr 16h",
            )
        entries = history_of(session, ident(request.id))
        if not entries:
            raise Invalid(f"request {reference!r} has not opened: its clocks start at the open")
        history = [(h.at, h.type) for h in entries]
        codes = {h.at: h.status for h in entries}
        target = sla.targets[clock]
        parts = tuple(
            _segment(sla.calendar, since, until, codes.get(since, "?"), role)
            for since, until, role in segments(clock, history, now)
        )
        return ClockExplanation(
            reference,
            clock,
            sla.calendar_name,
            sla.calendar.zone,
            spell_hours(sla.calendar.hours),
            sla.warning.point(target),
            read(clock, target, sla.calendar, history, now),
            parts,
            _raised(session, ident(request.id), clock),
        )


def _segment(
    calendar: object, since: datetime, until: datetime, status: str, role: Role
) -> Segment:

    assert isinstance(calendar, Calendar)
    if role is not Role.COUNTED:
        return Segment(since, until, status, role, 0.0, ())
    intervals = tuple(calendar.intervals(since, until))
    counted = sum((high - low).total_seconds() for low, high in intervals)
    return Segment(since, until, status, role, counted, intervals)


def _raised(session: Session, request_id: int, clock: Clock) -> tuple[Raised, ...]:
    events = {EVENTS[clock, t].value for t in Threshold}
    rows = session.exec(
        select(RequestSave.events, RequestSave.saved_at)
        .where(RequestSave.request_id == request_id, col(RequestSave.events).in_(events))
        .order_by(col(RequestSave.saved_at))
    ).all()
    return tuple(Raised(event, at if at.tzinfo else at.replace(tzinfo=UTC)) for event, at in rows)
