"""The clock check: the SLA events whose thresholds are crossed, each raised once.

Each threshold a check finds crossed is recorded as a save of the request whose key names the
request, the clock, the threshold and the instant it was crossed: the same threshold found
again (by a second sender, or after a crash) has its save already and adds nothing; a change of
target or calendar that moves the instant makes a new one. The save, its alerts and the index's
next time are written in one transaction, under the lock saves take, so a crash leaves all or
nothing (docs/rules.md, "SLA clocks")."""

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from alertctl.db import outbox
from alertctl.db.engine import Database, serialise_saves
from alertctl.db.outbox import aware
from alertctl.db.tables import Request, RequestSave, SlaClock
from alertctl.domain.model import Event, Language, StatusType
from alertctl.domain.sla import EVENTS, Clock, Threshold, due
from alertctl.services.common import ident
from alertctl.services.saves.alert_slice import load
from alertctl.services.saves.decide import decide
from alertctl.services.saves.save_alerts import LeftOut, PlannedAlerts, SavedAs, write_alerts
from alertctl.services.sla.clocks import ClockView, Sla, histories_of, sla_of, told
from alertctl.templates.context import ClockFacts

# Rows read in one transaction: a check that finds many due (after a change of calendar) holds
# the write lock for a bounded time, and commits as it goes.
BATCH = 500
# The longest a check holds the write lock in one transaction, then commits and goes on.
HOLD_SECONDS = 0.5
FAIR_PAUSE_SECONDS = 0.1


@dataclass(frozen=True)
class Fired:
    """One SLA event a check raised."""

    reference: str
    event: Event
    crossed_at: datetime
    alerts: int
    faults: tuple[LeftOut, ...]


@dataclass
class CheckReport:
    checked: int = 0  # the requests whose clocks were read
    fired: list[Fired] = field(default_factory=list)
    next_check_at: datetime | None = None  # the earliest row due later
    checked_at: datetime | None = None  # the time the check took as now

    def summary(self, shown: int = 5) -> str:
        named = ", ".join(f"{f.reference} {f.event.value}" for f in self.fired[:shown])
        more = len(self.fired) - shown
        return f"{named} and {more} more" if more > 0 else named


def check_clocks(db: Database, now: datetime | None = None) -> CheckReport:
    """Read the clocks due by `now` (the current time unless given: tests and replays set it),
    raise the SLA events they crossed, and leave each with its next due time."""
    now = now or datetime.now(UTC)
    report = CheckReport(checked_at=now)
    after = 0  # batches go by request id: each is read once, even in a dry run, which keeps none
    while _any_due(db, now, after):
        with db.session(write=True) as session:
            serialise_saves(session)
            rows = session.exec(
                select(SlaClock)
                .where(col(SlaClock.next_check_at) <= now, col(SlaClock.request_id) > after)
                .order_by(col(SlaClock.request_id))
                .limit(BATCH)
            ).all()
            done, batch = _check_batch(session, list(rows), now)
            report.checked += done
            after = rows[done - 1].request_id if done else after
        report.fired.extend(batch)
        if done == len(rows) < BATCH:
            break
        if db.is_sqlite:
            # SQLite's lock is not fair: a writer that waits polls, and one that commits and
            # begins again at once can starve it past its timeout. A pause lets it in.
            time.sleep(FAIR_PAUSE_SECONDS)
    with db.session(write=False) as session:
        report.next_check_at = session.exec(
            select(SlaClock.next_check_at)
            .where(col(SlaClock.next_check_at).is_not(None))
            .order_by(col(SlaClock.next_check_at))
            .limit(1)
        ).first()
    if report.next_check_at is not None:
        report.next_check_at = aware(report.next_check_at)
    return report


def _any_due(db: Database, now: datetime, after: int) -> bool:
    """Whether any clock is due, read without the write lock: the watcher asks every minute,
    and most minutes nothing is due."""
    with db.session(write=False) as session:
        found = session.exec(
            select(SlaClock.request_id)
            .where(col(SlaClock.next_check_at) <= now, col(SlaClock.request_id) > after)
            .limit(1)
        ).first()
    return found is not None


def _check_batch(session: Session, rows: list[SlaClock], now: datetime) -> tuple[int, list[Fired]]:
    """A batch's requests and histories read in one query each, and each contract's terms once:
    after a change of calendar every row is due, and one query per row would be most of it.
    It stops after HOLD_SECONDS, with how many rows it did: raising an event renders its
    alerts, and the write lock must not be held so long that a save waiting for it gives up
    (engine.BUSY_TIMEOUT_MS), however busy the machine."""
    started = time.monotonic()
    ids = [row.request_id for row in rows]
    requests = {r.id: r for r in session.exec(select(Request).where(col(Request.id).in_(ids)))}
    histories = histories_of(session, ids)
    terms: dict[tuple[int | None, int | None], Sla | None] = {}
    found: list[Fired] = []
    for done, row in enumerate(rows):
        if time.monotonic() - started > HOLD_SECONDS:
            return done, found
        request = requests.get(row.request_id)
        key = (request.contract_id, request.service_id) if request is not None else (None, None)
        if request is not None and key not in terms:
            terms[key] = sla_of(session, request)
        history = [(h.at, h.type) for h in histories.get(row.request_id, [])]
        found.extend(_check(session, row, request, terms.get(key), history, now))
    return len(rows), found


def _check(
    session: Session,
    row: SlaClock,
    request: Request | None,
    sla: Sla | None,
    history: list[tuple[datetime, StatusType]],
    now: datetime,
) -> list[Fired]:
    if request is None or sla is None:
        row.next_check_at = None
        session.add(row)
        return []
    found: list[Fired] = []
    next_check: datetime | None = None
    if history:
        for clock, target in sla.targets.items():
            state = due(clock, target, sla.warning, sla.calendar, history, now)
            for threshold, crossed_at in state.crossed:
                tells = functools.partial(told, ClockView(state.reading, sla.calendar.zone))
                one = _fire(session, request, tells, clock, threshold, crossed_at, now)
                if one is not None:
                    found.append(one)
            if state.next_check is not None:
                next_check = min(next_check or state.next_check, state.next_check)
    row.next_check_at = next_check
    session.add(row)
    return found


def _fire(
    session: Session,
    request: Request,
    tells: Callable[[], dict[Language, ClockFacts]],
    clock: Clock,
    threshold: Threshold,
    crossed_at: datetime,
    now: datetime,
) -> Fired | None:
    key = f"sla/{request.reference}/{clock.value}/{threshold.value}/{crossed_at.isoformat()}"
    if session.exec(select(RequestSave.id).where(RequestSave.save_key == key)).first():
        return None  # raised already
    event = EVENTS[clock, threshold]
    record = RequestSave(
        request_id=ident(request.id),
        save_key=key,
        saved_at=crossed_at,
        previous_status_id=request.status_id,
        status_id=request.status_id,
        events=event.value,
    )
    session.add(record)
    session.flush()
    loaded = replace(load(session, request), clock=tells())
    planned = PlannedAlerts(loaded, decide(loaded, [event]))
    alerts, faults = write_alerts(session, planned, SavedAs(ident(record.id), key), request, now)
    if alerts:
        outbox.announce(session)
    return Fired(request.reference, event, crossed_at, len(alerts), tuple(faults))
