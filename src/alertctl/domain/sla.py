"""A request's SLA clocks, read from its status history on its contract's calendar.

- GTI (*garantie de temps d'intervention*) runs from `open` until the request first reaches a
  status of type `in_progress`, `resolved` or closed; it never runs again.
- GTR (*garantie de temps de résolution*) runs from `open` until a status of type `resolved` or
  closed; a request that goes back (reopened) resumes it from where it was, not from zero.
- Both pause while the request is in a status of type `suspended` (waiting on the client).

Only business time counts (domain/business_time.py). Pure: the history and the time of the
reading are given.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from alertctl.domain.business_time import Calendar
from alertctl.domain.model import StatusType


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


def read(
    clock: Clock,
    target: float,
    calendar: Calendar,
    history: Sequence[tuple[datetime, StatusType]],
    now: datetime,
) -> Reading:
    """The clock as it stands at `now`, from the request's statuses in time order (the first
    entry is the `open` save)."""
    used, reached, stopped, running = 0.0, None, False, False
    for index, (since, status) in enumerate(history):
        until = min(history[index + 1][0] if index + 1 < len(history) else now, now)
        stopped = stopped or (clock is Clock.GTI and status in _DONE[clock])
        running = not (stopped or status in _PAUSED or status in _DONE[clock])
        if not running or until <= since:
            continue
        counted = calendar.seconds(since, until)
        if reached is None and used + counted >= target:
            reached = calendar.add(since, target - used)  # the instant the target was used up
        used += counted
    if used >= target:
        return Reading(clock, target, used, ClockState.MISSED, reached)
    if running:
        return Reading(clock, target, used, ClockState.RUNNING, calendar.add(now, target - used))
    paused = not stopped and bool(history) and history[-1][1] in _PAUSED
    return Reading(clock, target, used, ClockState.PAUSED if paused else ClockState.MET, None)
