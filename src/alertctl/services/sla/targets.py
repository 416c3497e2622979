"""A contract's SLA terms (GTI, GTR, calendar, when the warning fires) and a service's own
targets, which win over the contract's. Changing them moves the due times of the requests they
apply to, which the next check reads again."""

from dataclasses import dataclass

from sqlmodel import Session

from alertctl.db.tables import Contract, Service
from alertctl.domain.business_time import parse_duration, spell_duration, spell_minutes
from alertctl.domain.sla import Warning
from alertctl.errors import Invalid, Unreadable
from alertctl.services.common import ident
from alertctl.services.sla.index import recheck_contracts, recheck_services

NONE = "none"  # what removes a target, a calendar, a warning setting


@dataclass(frozen=True)
class SlaChange:
    """What a command or a file sets; None leaves a term as it is, "none" removes it."""

    gti: str | None = None  # business time as written: 4h, 90m, 1h30m
    gtr: str | None = None
    calendar: str | None = None
    warn_percent: str | None = None
    warn_left: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in vars(self).values())


@dataclass(frozen=True)
class SlaTerms:
    """The SLA terms as `contract show` and `service show` tell them."""

    gti: str | None
    gtr: str | None
    calendar: str | None = None
    warning: str | None = None


def set_contract_sla(session: Session, contract: Contract, change: SlaChange) -> None:
    if not change:
        return
    contract.gti_minutes = _minutes(change.gti, contract.gti_minutes, "GTI")
    contract.gtr_minutes = _minutes(change.gtr, contract.gtr_minutes, "GTR")
    if change.calendar is not None:
        contract.calendar = _calendar(session, change.calendar)
    if change.warn_percent is not None:
        contract.warn_percent = _percent(change.warn_percent)
    if change.warn_left is not None:
        contract.warn_left_minutes = (
            None if change.warn_left.lower() == NONE else parse_duration(change.warn_left)
        )
    session.add(contract)
    recheck_contracts(session, [ident(contract.id)])


def set_service_sla(session: Session, service: Service, change: SlaChange) -> None:
    if not change:
        return
    if change.calendar is not None or change.warn_percent is not None or change.warn_left:
        raise Invalid("a service sets its own GTI and GTR only: the calendar is the contract's")
    service.gti_minutes = _minutes(change.gti, service.gti_minutes, "GTI")
    service.gtr_minutes = _minutes(change.gtr, service.gtr_minutes, "GTR")
    session.add(service)
    recheck_services(session, [ident(service.id)])


def warning_of(contract: Contract) -> Warning:
    """When the contract's clocks warn: its own share and time left, or the defaults."""
    default = Warning()
    return Warning(
        contract.warn_percent if contract.warn_percent is not None else default.percent,
        contract.warn_left_minutes * 60.0
        if contract.warn_left_minutes is not None
        else default.left,
    )


def contract_terms(contract: Contract) -> SlaTerms | None:
    if not (contract.gti_minutes or contract.gtr_minutes):
        return None
    warning = warning_of(contract)
    return SlaTerms(
        spell_minutes(contract.gti_minutes),
        spell_minutes(contract.gtr_minutes),
        contract.calendar or "every hour counts",
        f"at {warning.percent} % used or {spell_duration(warning.left)} left",
    )


def service_terms(service: Service) -> SlaTerms | None:
    if not (service.gti_minutes or service.gtr_minutes):
        return None
    return SlaTerms(spell_minutes(service.gti_minutes), spell_minutes(service.gtr_minutes))


def _minutes(text: str | None, current: int | None, clock: str) -> int | None:
    if text is None:
        return current
    if text.strip().lower() == NONE:
        return None
    try:
        return parse_duration(text)
    except Invalid as exc:
        raise type(exc)(f"{clock}: {exc}") from None  # unreadable stays unreadable


def _calendar(session: Session, name: str) -> str | None:
    from alertctl.services.sla.calendars import get_calendar

    if name.strip().lower() == NONE:
        return None
    return get_calendar(session, name).name


def _percent(text: str) -> int | None:
    if text.strip().lower() == NONE:
        return None
    try:
        value = int(text.strip().rstrip("%"))
    except ValueError:
        raise Unreadable(f"cannot read the warning share {text!r}: give a percentage") from None
    if not 1 <= value <= 99:
        raise Unreadable(f"the warning share must be between 1 and 99 %, not {value}")
    return value
