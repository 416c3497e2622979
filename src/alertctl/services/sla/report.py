"""The figures behind a contract's penalties: over the requests opened in a period, how many
GTI and GTR were met and missed, and the business time they took (median, 90th percentile)."""

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Contract, Request
from alertctl.domain.sla import Clock, ClockState, read
from alertctl.services.common import get_contract, ident
from alertctl.services.sla.clocks import Sla, histories_of, sla_of


@dataclass(frozen=True)
class ClockFigures:
    clock: Clock
    requests: int  # opened in the period, with this clock
    met: int
    missed: int  # running past the target, or stopped after it
    running: int  # still counting, in time
    # Business seconds the clocks met or missed took (a missed one still running: so far).
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class ContractFigures:
    contract: str
    requests: int  # opened in the period
    clocks: tuple[ClockFigures, ...]


@dataclass(frozen=True)
class SlaReport:
    since: datetime
    until: datetime
    contracts: tuple[ContractFigures, ...]


def sla_report(
    db: Database,
    *,
    since: datetime,
    until: datetime,
    contract: str | None = None,
    now: datetime | None = None,
) -> SlaReport:
    now = now or datetime.now(UTC)
    with db.session(write=False) as session:
        if contract is not None:
            contracts = [get_contract(session, contract)]
        else:
            query = select(Contract).order_by(col(Contract.code))
            contracts = list(session.exec(query).all())
        figures = tuple(_contract(session, c, since, until, now) for c in contracts)
        return SlaReport(since, until, tuple(f for f in figures if f is not None))


def _contract(
    session: Session, contract: Contract, since: datetime, until: datetime, now: datetime
) -> ContractFigures | None:
    requests = session.exec(select(Request).where(Request.contract_id == contract.id)).all()
    histories = histories_of(session, [ident(r.id) for r in requests])
    used: dict[Clock, list[tuple[ClockState, float]]] = {clock: [] for clock in Clock}
    opened = 0
    terms: dict[tuple[int | None, int | None], Sla | None] = {}
    for request in requests:
        history = histories.get(ident(request.id))
        if not history or not since <= history[0].at < until:
            continue
        opened += 1
        key = (request.contract_id, request.service_id)
        if key not in terms:
            terms[key] = sla_of(session, request)
        sla = terms[key]
        if sla is None:
            continue
        pairs = [(h.at, h.type) for h in history]
        for clock, target in sla.targets.items():
            reading = read(clock, target, sla.calendar, pairs, now)
            used[clock].append((reading.state, reading.used))
    if contract.gti_minutes is None and contract.gtr_minutes is None and not any(used.values()):
        return None
    return ContractFigures(
        contract.code, opened, tuple(_figures(c, r) for c, r in used.items() if r)
    )


def _figures(clock: Clock, readings: list[tuple[ClockState, float]]) -> ClockFigures:
    states = [state for state, _ in readings]
    stopped = sorted(u for state, u in readings if state in (ClockState.MET, ClockState.MISSED))
    missed_running = sum(1 for s, _ in readings if s is ClockState.MISSED)
    return ClockFigures(
        clock,
        len(readings),
        states.count(ClockState.MET),
        missed_running,
        states.count(ClockState.RUNNING) + states.count(ClockState.PAUSED),
        statistics.median(stopped) if stopped else None,
        _percentile(stopped, 90),
    )


def _percentile(ordered: list[float], percent: int) -> float | None:
    """The nearest-rank percentile: a value one of the requests really took."""
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]
