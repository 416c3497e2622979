"""The SLA part of the configuration file: `[calendars.NAME]`, and the terms of contracts and
services (`gti`, `gtr`, `calendar`, `warn_percent`, `warn_left`). Business times are kept in
the document as `spell_duration` writes them ("4 h", "1 h 30 min"), so that "4h" in a file and
240 minutes in the database compare equal."""

from typing import Protocol, TypedDict

from sqlmodel import Session, col, select

from alertctl.db.tables import Calendar, Contract, Service
from alertctl.domain.business_time import (
    parse_duration,
    parse_hours,
    spell_duration,
    spell_hours,
    spell_minutes,
)
from alertctl.domain.model import Source
from alertctl.errors import Invalid
from alertctl.services.configuration.document import ContractEntry, ServiceEntry
from alertctl.services.results import Table

SLA_KEYS = {"calendar", "gti", "gtr", "warn_percent", "warn_left"}
SERVICE_SLA_KEYS = {"gti", "gtr"}


class CalendarEntry(TypedDict):
    zone: str | None
    hours: str | None
    holidays: str | None  # "FR", or "DE/BY" with a region
    closed: list[str]


class _Checker(Protocol):
    def problem(self, path: str, message: str) -> None: ...
    def table(self, value: object, path: str) -> Table: ...
    def code(self, code: str, path: str, what: str) -> bool: ...
    def text(
        self, row: Table, key: str, path: str, *, default: str | None = None, required: bool = False
    ) -> str | None: ...
    def members(self, row: Table, key: str, path: str, choices: type[Source]) -> list[str]: ...
    def keys(self, value: Table, path: str, allowed: set[str]) -> None: ...
    def strings(self, row: Table, key: str, path: str) -> list[str]: ...


def parse_calendar(check: _Checker, row: Table, path: str, code: str) -> CalendarEntry:
    from alertctl.services.sla.calendars import CalendarChange, check_calendar

    check.keys(row, path, {"zone", "hours", "holidays", "closed"})
    values = {k: row.get(k) for k in ("zone", "hours", "holidays")}
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            check.problem(f"{path}.{key}", "must be a string")
            values[key] = None
    closed = sorted(set(check.strings(row, "closed", path)))
    country, _, region = (values["holidays"] or "").partition("/")
    hours: str | None = values["hours"]
    try:
        hours = spell_hours(parse_hours(values["hours"] or ""))
        check_calendar(
            CalendarChange(values["zone"] or "", hours, country, region, ",".join(closed))
        )
    except Invalid as exc:
        check.problem(path, exc.message)
    return {
        "zone": values["zone"],
        "hours": hours,
        "holidays": values["holidays"],
        "closed": closed,
    }


class ContractTerms(TypedDict):
    calendar: str | None
    gti: str | None
    gtr: str | None
    warn_percent: int | None
    warn_left: str | None


class ServiceTerms(TypedDict):
    gti: str | None
    gtr: str | None


def parse_contract_terms(check: _Checker, row: Table, path: str) -> ContractTerms:
    """A contract's terms, checked: a value that cannot work is a problem at its path."""
    calendar = row.get("calendar")
    if calendar is not None and not isinstance(calendar, str):
        check.problem(f"{path}.calendar", "must be a calendar's name, as a string")
        calendar = None
    percent = row.get("warn_percent")
    if percent is not None and (not isinstance(percent, int) or not 1 <= percent <= 99):
        check.problem(f"{path}.warn_percent", "must be a whole number from 1 to 99")
        percent = None
    return {
        "calendar": calendar,
        "gti": _business_time(check, row, path, "gti"),
        "gtr": _business_time(check, row, path, "gtr"),
        "warn_percent": percent,
        "warn_left": _business_time(check, row, path, "warn_left"),
    }


def parse_service_terms(check: _Checker, row: Table, path: str) -> ServiceTerms:
    return {
        "gti": _business_time(check, row, path, "gti"),
        "gtr": _business_time(check, row, path, "gtr"),
    }


def _business_time(check: _Checker, row: Table, path: str, key: str) -> str | None:
    """A business time as the document keeps it ("4 h"), or None (absent, or a problem)."""
    value = row.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise Invalid('must be a business time written as a string, such as "4h"')
        return spell_duration(parse_duration(value) * 60)
    except Invalid as exc:
        check.problem(f"{path}.{key}", exc.message)
        return None


def read_calendars(session: Session) -> dict[str, CalendarEntry]:
    rows = session.exec(select(Calendar).order_by(col(Calendar.name))).all()
    return {
        row.name: {
            "zone": row.zone,
            "hours": row.hours,
            "holidays": f"{row.country}/{row.region}" if row.region else row.country,
            "closed": [d for d in row.closed.split(",") if d],
        }
        for row in rows
    }


class _ContractTerms(Protocol):
    """A contract as an object or as a plain row (the configuration is read as rows)."""

    calendar: str | None
    gti_minutes: int | None
    gtr_minutes: int | None
    warn_percent: int | None
    warn_left_minutes: int | None


class _ServiceTerms(Protocol):
    gti_minutes: int | None
    gtr_minutes: int | None


def contract_terms(contract: _ContractTerms) -> ContractTerms:
    return {
        "calendar": contract.calendar,
        "gti": spell_minutes(contract.gti_minutes),
        "gtr": spell_minutes(contract.gtr_minutes),
        "warn_percent": contract.warn_percent,
        "warn_left": spell_minutes(contract.warn_left_minutes),
    }


def service_terms(service: _ServiceTerms) -> ServiceTerms:
    return {"gti": spell_minutes(service.gti_minutes), "gtr": spell_minutes(service.gtr_minutes)}


def write_contract_terms(row: Contract, values: ContractEntry) -> None:
    row.gti_minutes = _minutes(values["gti"])
    row.gtr_minutes = _minutes(values["gtr"])
    row.warn_left_minutes = _minutes(values["warn_left"])
    row.calendar = values["calendar"]
    row.warn_percent = values["warn_percent"]


def write_service_terms(row: Service, values: ServiceEntry) -> None:
    row.gti_minutes = _minutes(values.get("gti"))
    row.gtr_minutes = _minutes(values.get("gtr"))


def _minutes(spelt: str | None) -> int | None:
    return parse_duration(spelt) if spelt else None


def write_calendar(row: Calendar, values: CalendarEntry) -> None:
    country, _, region = (values["holidays"] or "").partition("/")
    row.zone = values["zone"] or ""
    row.hours = values["hours"] or ""
    row.country, row.region = country or None, region or None
    row.closed = ",".join(values["closed"])


def parse_contract(check: _Checker, row: Table, path: str, code: str) -> ContractEntry:
    """A contract, its services, and their SLA terms."""
    check.keys(
        row, path, {"client", "name", "beneficiaries", "products", "sources", "services", *SLA_KEYS}
    )
    services: dict[str, ServiceEntry] = {}
    for service_code, raw in check.table(row.get("services", {}), f"{path}.services").items():
        service_path = f"{path}.services.{service_code}"
        service = check.table(raw, service_path)
        check.keys(service, service_path, {"name", *SERVICE_SLA_KEYS})
        if check.code(service_code, service_path, "service"):
            services[service_code] = {
                "name": check.text(service, "name", service_path, default=service_code),
                **parse_service_terms(check, service, service_path),
            }
    return {
        "client": check.text(row, "client", path, required=True),
        "name": check.text(row, "name", path, default=code),
        "beneficiaries": check.strings(row, "beneficiaries", path),
        "products": check.strings(row, "products", path),
        "sources": check.members(row, "sources", path, Source),
        "services": services,
        **parse_contract_terms(check, row, path),
    }
