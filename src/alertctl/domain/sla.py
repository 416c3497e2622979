"""A request's SLA clocks, read from its status history on its contract's calendar.

- GTI (*garantie de temps d'intervention*) runs from `open` until the request first reaches a
  status of type `in_progress`, `resolved` or closed; it never runs again.
- GTR (*garantie de temps de résolution*) runs from `open` until a status of type `resolved` or
  closed; a request that goes back (reopened) resumes it from where it was, not from zero.
- Both pause while the request is in a status of type `suspended` (waiting on the client).

Only business time counts (domain/business_time.py). Pure: the history and the time of the
reading are given.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from alertctl.domain.business_time import Calendar
from alertctl.domain.model import Event, StatusType


class Clock(StrEnum):
    GTI = "gti"
    GTR = "gtr"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"  # stopped in time
    MISSED = "missed"  # ran past its target (running or not)


# Where each clock stops for good (GTI) or for now (GTR), and where both pause.
_DONE = {
    Clock.GTI: frozenset(
        {
            StatusType.IN_PROGRESS,
            StatusType.RESOLVED,
            StatusType.CLOSED_EXTERNAL,
            StatusType.CLOSED_INTERNAL,
        }
    ),
    Clock.GTR: frozenset(
        {StatusType.RESOLVED, StatusType.CLOSED_EXTERNAL, StatusType.CLOSED_INTERNAL}
    ),
}
_PAUSED = frozenset({StatusType.SUSPENDED})


@dataclass(frozen=True)
class Reading:
    """A clock at one instant: the business time it counted, and when its target falls due."""

    clock: Clock
    target: float  # business seconds
    used: float  # business seconds counted so far
    state: ClockState
    # When the target is (or was) reached, counting from now on if the clock runs; None when
    # the clock is paused below its target or stopped in time.
    due: datetime | None

    @property
    def left(self) -> float:
        return self.target - self.used


class Role(StrEnum):
    """What a clock did during one status of the request."""

    COUNTED = "counted"  # it ran: business time inside counts
    PAUSED = "paused"  # waiting on the client
    STOPPED = "stopped"  # met its end (GTR: until the request is reopened)


def segments(
    clock: Clock, history: Sequence[tuple[datetime, StatusType]], now: datetime
) -> Iterator[tuple[datetime, datetime, Role]]:
    """Each status of the history up to `now`, as a span of wall-clock time and what the clock
    did in it, in order."""
    stopped = False
    for index, (since, status) in enumerate(history):
        until = min(history[index + 1][0] if index + 1 < len(history) else now, now)
        stopped = stopped or (clock is Clock.GTI and status in _DONE[clock])
        if until <= since:
            continue
        if stopped or status in _DONE[clock]:
            yield since, until, Role.STOPPED
        elif status in _PAUSED:
            yield since, until, Role.PAUSED
        else:
            yield since, until, Role.COUNTED


def spans(
    clock: Clock, history: Sequence[tuple[datetime, StatusType]], now: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The spans of wall-clock time in which the clock ran, up to `now`, in order; business
    time is counted only inside them."""
    for since, until, role in segments(clock, history, now):
        if role is Role.COUNTED:
            yield since, until


def _runs_at_end(clock: Clock, history: Sequence[tuple[datetime, StatusType]]) -> bool:
    if not history:
        return False
    if clock is Clock.GTI and any(status in _DONE[clock] for _, status in history):
        return False
    last = history[-1][1]
    return last not in _PAUSED and last not in _DONE[clock]


def reached_at(
    amount: float,
    calendar: Calendar,
    running: Sequence[tuple[datetime, datetime]],
) -> datetime | None:
    """The instant the clock had counted `amount` business seconds, within its running spans;
    None if it had not yet."""
    used = 0.0
    for since, until in running:
        counted = calendar.seconds(since, until)
        if used + counted >= amount:
            return calendar.add(since, amount - used)
        used += counted
    return None


def read(
    clock: Clock,
    target: float,
    calendar: Calendar,
    history: Sequence[tuple[datetime, StatusType]],
    now: datetime,
) -> Reading:
    """The clock as it stands at `now`, from the request's statuses in time order (the first
    entry is the `open` save)."""
    running = list(spans(clock, history, now))
    used = sum(calendar.seconds(since, until) for since, until in running)
    runs = _runs_at_end(clock, history)
    if used >= target:
        return Reading(
            clock, target, used, ClockState.MISSED, reached_at(target, calendar, running)
        )
    if runs:
        return Reading(clock, target, used, ClockState.RUNNING, calendar.add(now, target - used))
    stopped = (
        not history
        or history[-1][1] in _DONE[clock]
        or (clock is Clock.GTI and any(status in _DONE[clock] for _, status in history))
    )
    return Reading(clock, target, used, ClockState.MET if stopped else ClockState.PAUSED, None)


@dataclass(frozen=True)
class Warning:
    """When a clock's warning fires: at a share of its target used, or when a time is left,
    whichever comes first (the contract's; 75 % and 2 hours unless it says otherwise)."""

    percent: int = 75
    left: float = 2 * 3600.0  # business seconds

    def point(self, target: float) -> float:
        """The business seconds used at which the warning fires. A time left as long as the
        whole target would fire it at the open, which warns of nothing: the share rules."""
        share = target * self.percent / 100
        by_left = target - self.left
        return min(share, by_left) if by_left > 0 else share


class Threshold(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


EVENTS = {
    (Clock.GTI, Threshold.WARNING): Event.GTI_WARNING,
    (Clock.GTI, Threshold.BREACH): Event.GTI_BREACH,
    (Clock.GTR, Threshold.WARNING): Event.GTR_WARNING,
    (Clock.GTR, Threshold.BREACH): Event.GTR_BREACH,
}
CLOCK_OF = {event: clock for (clock, _), event in EVENTS.items()}


@dataclass(frozen=True)
class Due:
    """What a check finds on one clock: the thresholds crossed by now, each with the instant it
    was crossed (what makes it fire once), and when to look again (None: not before a save)."""

    crossed: tuple[tuple[Threshold, datetime], ...]
    next_check: datetime | None
    reading: Reading  # the clock as it stands: what an event raised now tells of it


def due(
    clock: Clock,
    target: float,
    warning: Warning,
    calendar: Calendar,
    history: Sequence[tuple[datetime, StatusType]],
    now: datetime,
) -> Due:
    """The thresholds of a clock crossed by `now`. A breach is crossed once the target is used
    up, even if the clock stopped after; a clock stopped in time never has one. A warning is
    for a clock still counting: none once it stopped, and none when the breach is crossed
    already (a check that comes late says only what is true now)."""
    running = list(spans(clock, history, now))
    reading = read(clock, target, calendar, history, now)
    point = warning.point(target)
    if reading.state is ClockState.MISSED:
        crossed_at = reached_at(target, calendar, running) or now
        return Due(((Threshold.BREACH, crossed_at),), None, reading)
    crossed: tuple[tuple[Threshold, datetime], ...] = ()
    if reading.state in (ClockState.RUNNING, ClockState.PAUSED) and reading.used >= point:
        crossed = ((Threshold.WARNING, reached_at(point, calendar, running) or now),)
    if reading.state is not ClockState.RUNNING:
        return Due(crossed, None, reading)
    goal = target if reading.used >= point else point
    return Due(crossed, calendar.add(now, goal - reading.used), reading)
