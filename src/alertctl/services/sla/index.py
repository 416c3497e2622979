"""The index of when each request's clocks are next worth reading (`sla_clock`).

A save that may move a clock (the open, a status, the contract or the service), and a change
of targets or calendar, make the request's row due now; the check reads only the rows due, and
leaves each with the instant its next threshold would be crossed if nothing changes, or none.
So a check costs what is due, not what is open (docs/architecture.md, "SLA clocks")."""

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, Table, func, insert, literal, or_, select, update
from sqlmodel import Session

from alertctl.db.tables import Contract, Request, Service, SlaClock
from alertctl.services.saves.feed_memory import FeedMemory, fact

# Due at any check, whatever time it is given: what a change of configuration leaves.
AT_ONCE = datetime(1970, 1, 1, tzinfo=UTC)
_CLOCKS = SlaClock.__table__  # type: ignore[attr-defined]
_REQUESTS = Request.__table__  # type: ignore[attr-defined]
_CONTRACTS = Contract.__table__  # type: ignore[attr-defined]
_SERVICES = Service.__table__  # type: ignore[attr-defined]


def recheck(session: Session, request_id: int, at: datetime) -> None:
    """Make one request's clocks due at `at` (a save's time)."""
    moved = session.execute(
        update(_CLOCKS).where(_CLOCKS.c.request_id == request_id).values(next_check_at=at)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(_CLOCKS).values(request_id=request_id, next_check_at=at))


def has_terms(session: Session, request: Request, memory: FeedMemory | None) -> bool:
    """Whether the request's contract or service sets a target: a request with none has no
    clock, and its saves write no row (a feed of them would pay for rows never read). Giving
    its contract or service a target later makes the rows (`recheck_contracts`)."""

    def read() -> bool:
        contract = session.get(Contract, request.contract_id)
        service = session.get(Service, request.service_id) if request.service_id else None
        return any(
            row is not None and (row.gti_minutes or row.gtr_minutes) for row in (contract, service)
        )

    return bool(fact(memory, ("has SLA terms", request.contract_id, request.service_id), read))


def recheck_contracts(session: Session, contract_ids: Collection[int]) -> None:
    """Make due now the clocks of every request of these contracts (their targets or calendar
    changed)."""
    if contract_ids:
        _recheck(session, _REQUESTS.c.contract_id.in_(list(contract_ids)))


def recheck_services(session: Session, service_ids: Collection[int]) -> None:
    if service_ids:
        _recheck(session, _REQUESTS.c.service_id.in_(list(service_ids)))


def _recheck(session: Session, which: object) -> None:
    """The rows of these requests due at once, for those whose contract or service sets a
    target (a row made for each opened one that has none yet: its saves made none while no
    target was set); the others have no clock, and their rows nothing to wait for."""
    requests = select(_REQUESTS.c.id).where(which)  # type: ignore[arg-type]
    timed = requests.where(_REQUESTS.c.id.in_(_with_terms()))
    session.execute(
        update(_CLOCKS).where(_CLOCKS.c.request_id.in_(timed)).values(next_check_at=AT_ONCE)
    )
    session.execute(
        update(_CLOCKS)
        .where(_CLOCKS.c.request_id.in_(requests), _CLOCKS.c.request_id.not_in(timed))
        .values(next_check_at=None)
    )
    missing = (
        select(_REQUESTS.c.id, literal(AT_ONCE, _CLOCKS.c.next_check_at.type))
        .where(_REQUESTS.c.id.in_(timed))
        .where(_REQUESTS.c.open_fired)
        .where(_REQUESTS.c.id.not_in(select(_CLOCKS.c.request_id)))
    )
    session.execute(insert(_CLOCKS).from_select(["request_id", "next_check_at"], missing))


def _with_terms() -> Select[tuple[int]]:
    """The requests whose contract or service sets a target (as `has_terms` reads one)."""
    contract, service = _CONTRACTS, _SERVICES

    def sets(table: Table) -> ColumnElement[bool]:
        return or_(
            func.coalesce(table.c.gti_minutes, 0) > 0, func.coalesce(table.c.gtr_minutes, 0) > 0
        )

    return (
        select(_REQUESTS.c.id)
        .join(contract, contract.c.id == _REQUESTS.c.contract_id)
        .outerjoin(service, service.c.id == _REQUESTS.c.service_id)
        .where(or_(sets(contract), sets(service)))
    )


def overdue(session: Session, before: datetime) -> int:
    """How many requests' clocks were due before `before` and are not checked yet: none when
    a watcher or a cron job checks them."""
    found = session.execute(
        select(func.count()).select_from(_CLOCKS).where(_CLOCKS.c.next_check_at <= before)
    ).scalar_one()
    return int(found)
