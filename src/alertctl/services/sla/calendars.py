"""Named business calendars: opening hours per weekday in a time zone, a country's public
holidays, extra closed dates. A contract names one; changing a calendar moves the due times of
the clocks counted on it, so their requests are checked again."""

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Calendar as CalendarTable
from alertctl.db.tables import Contract
from alertctl.domain.business_time import Calendar, parse_hours, public_holidays, spell_hours
from alertctl.domain.validation import check_code
from alertctl.errors import Conflict, Invalid, NotFound, Unreadable
from alertctl.services.common import unknown_hint
from alertctl.services.sla.index import recheck_contracts


@dataclass(frozen=True)
class CalendarRow:
    name: str
    zone: str
    hours: str
    country: str | None
    region: str | None
    closed: tuple[str, ...]  # ISO dates
    contracts: tuple[str, ...]  # the contracts that count on it


@dataclass(frozen=True)
class CalendarChange:
    """What `calendar add` and `calendar update` set; None leaves a field as it is."""

    zone: str | None = None
    hours: str | None = None
    country: str | None = None  # "" drops the public holidays
    region: str | None = None
    closed: str | None = None  # ISO dates, comma-separated; "" drops them


def add_calendar(db: Database, name: str, change: CalendarChange) -> CalendarRow:
    check_code(name, "calendar")
    with db.session(write=True) as session:
        if _find(session, name) is not None:
            raise Conflict(
                f"calendar {name!r} already exists", hint=f"alertctl calendar update {name} ..."
            )
        row = CalendarTable(name=name, zone=change.zone or "", hours=change.hours or "")
        _apply(row, change)
        session.add(row)
        session.flush()
        return _row(session, row)


def update_calendar(db: Database, name: str, change: CalendarChange) -> CalendarRow:
    with db.session(write=True) as session:
        row = get_calendar(session, name)
        _apply(row, change)
        session.add(row)
        session.flush()
        recheck_contracts(session, _contract_ids(session, name))
        return _row(session, row)


def remove_calendar(db: Database, name: str) -> None:
    with db.session(write=True) as session:
        row = get_calendar(session, name)
        users = _contracts(session, name)
        if users:
            raise Conflict(
                f"calendar {name!r} is still used by {len(users)} contract"
                f"{'s' if len(users) > 1 else ''}: {', '.join(users[:3])}",
                hint=f"alertctl contract update {users[0]} --calendar OTHER",
            )
        session.delete(row)


def list_calendars(db: Database) -> list[CalendarRow]:
    with db.session(write=False) as session:
        rows = session.exec(select(CalendarTable).order_by(col(CalendarTable.name))).all()
        return [_row(session, row) for row in rows]


def show_calendar(db: Database, name: str) -> CalendarRow:
    with db.session(write=False) as session:
        return _row(session, get_calendar(session, name))


def get_calendar(session: Session, name: str) -> CalendarTable:
    row = _find(session, name)
    if row is None:
        hint = unknown_hint(
            session, CalendarTable, name, "calendar list", column=CalendarTable.name
        )
        raise NotFound(f"unknown calendar {name!r}", hint=hint)
    return row


def _find(session: Session, name: str) -> CalendarTable | None:
    return session.exec(select(CalendarTable).where(CalendarTable.name == name)).first()


def _apply(row: CalendarTable, change: CalendarChange) -> None:
    """Set what the change gives, then check the whole calendar works (refused otherwise)."""
    if change.zone is not None:
        row.zone = change.zone.strip()
    if change.hours is not None:
        row.hours = spell_hours(parse_hours(change.hours))
    if change.country is not None:
        row.country = change.country.strip().upper() or None
        row.region = None if row.country is None else row.region
    if change.region is not None:
        row.region = change.region.strip().upper() or None
    if change.closed is not None:
        row.closed = ",".join(d.isoformat() for d in parse_dates(change.closed))
    check_calendar(
        CalendarChange(row.zone, row.hours, row.country or "", row.region or "", row.closed)
    )


def check_calendar(change: CalendarChange) -> None:
    """Refuse a calendar that cannot work: no zone, an unknown one, no opening hour, a region
    without its country, an unknown country."""
    if not change.zone:
        raise Invalid("a calendar needs a time zone, such as Europe/Paris")
    if change.region and not change.country:
        raise Invalid("a region is given without its country")
    _calendar(
        change.zone,
        change.hours or "",
        change.country.upper() if change.country else None,
        change.region.upper() if change.region else None,
        change.closed or "",
    )


def parse_dates(text: str) -> list[date]:
    found: set[date] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.add(date.fromisoformat(part))
        except ValueError:
            raise Unreadable(f"cannot read the date {part!r}: write it as 2026-12-24") from None
    return sorted(found)


class _Closed(Container[date]):
    """The days a calendar is closed: its country's public holidays and its own dates."""

    def __init__(self, holidays: Container[date] | None, dates: Iterable[date]) -> None:
        self.holidays = holidays
        self.dates = frozenset(dates)

    def __contains__(self, day: object) -> bool:
        return day in self.dates or (self.holidays is not None and day in self.holidays)


def calendar_of(row: CalendarTable) -> Calendar:
    """The calendar a row describes, ready to count business time."""
    return _calendar(row.zone, row.hours, row.country, row.region, row.closed)


@lru_cache(maxsize=64)
def _calendar(
    zone: str, hours: str, country: str | None, region: str | None, closed: str
) -> Calendar:
    # Cached by value: the clock check reads thousands of requests on a handful of calendars,
    # and the holidays library builds each year's list on first use.
    holidays = public_holidays(country, region) if country else None
    dates = parse_dates(closed) if closed else []
    return Calendar(zone, parse_hours(hours) if hours else {}, _Closed(holidays, dates))


def _contract_ids(session: Session, name: str) -> list[int]:
    rows = session.exec(select(Contract.id).where(Contract.calendar == name)).all()
    return [i for i in rows if i is not None]


def _contracts(session: Session, name: str) -> list[str]:
    return list(
        session.exec(
            select(Contract.code).where(Contract.calendar == name).order_by(col(Contract.code))
        ).all()
    )


def _row(session: Session, row: CalendarTable) -> CalendarRow:
    return CalendarRow(
        row.name,
        row.zone,
        row.hours,
        row.country,
        row.region,
        tuple(d.isoformat() for d in parse_dates(row.closed)),
        tuple(_contracts(session, row.name)),
    )
