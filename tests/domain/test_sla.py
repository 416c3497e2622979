"""A request's GTI and GTR clocks walked through a week on a Paris calendar: running, paused
while waiting on the client, met, resumed when reopened, missed."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from alertctl.domain.business_time import Calendar
from alertctl.domain.model import StatusType as T
from alertctl.domain.sla import Clock, ClockState, read

PARIS = Calendar("Europe/Paris", dict.fromkeys(range(5), ((time(9), time(18)),)))
HOUR = 3600.0


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2026: day 1 is a Monday."""
    return datetime(2026, 6, day, hour, minute, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


WEEK = [
    (at(1, 10), T.CREATED),  # opened Monday 10:00
    (at(1, 12), T.SUSPENDED),  # waiting on the client until Tuesday 10:00
    (at(2, 10), T.CREATED),
    (at(2, 11), T.IN_PROGRESS),  # taken in hand: GTI stops for good
    (at(3, 10), T.RESOLVED),  # resolved Wednesday 10:00: GTR stops
    (at(4, 9), T.IN_PROGRESS),  # reopened Thursday 9:00: GTR resumes where it was
]


def gti(now: datetime, target: float = 4 * HOUR) -> tuple[float, ClockState, datetime | None]:
    reading = read(Clock.GTI, target, PARIS, [h for h in WEEK if h[0] <= now], now)
    return reading.used / HOUR, reading.state, reading.due


def gtr(now: datetime, target: float = 16 * HOUR) -> tuple[float, ClockState, datetime | None]:
    reading = read(Clock.GTR, target, PARIS, [h for h in WEEK if h[0] <= now], now)
    return reading.used / HOUR, reading.state, reading.due


def test_gti_runs_pauses_while_waiting_and_stops_when_taken_in_hand() -> None:
    assert gti(at(1, 11)) == (1.0, ClockState.RUNNING, at(1, 14))
    assert gti(at(1, 20)) == (2.0, ClockState.PAUSED, None)  # waiting on the client
    assert gti(at(2, 10, 30)) == (
        2.5,
        ClockState.RUNNING,
        at(2, 11, 30) + (at(2, 12) - at(2, 11, 30)),
    )
    assert gti(at(2, 11)) == (3.0, ClockState.MET, None)
    assert gti(at(5, 17)) == (3.0, ClockState.MET, None)  # reopening does not restart it


def test_gtr_resumes_from_where_it_was_when_the_request_is_reopened() -> None:
    # Monday 10-12, (waiting until Tuesday 10), Tuesday 10-18, Wednesday 9-10: 11 hours.
    assert gtr(at(3, 10)) == (11.0, ClockState.MET, None)
    assert gtr(at(4, 9)) == (11.0, ClockState.RUNNING, at(4, 14))  # reopened: 5 hours left
    assert gtr(at(4, 12)) == (14.0, ClockState.RUNNING, at(4, 14))
    assert gtr(at(5, 9)) == (20.0, ClockState.MISSED, at(4, 14))  # reached Thursday 14:00


def test_a_missed_gti_says_when_it_was_missed() -> None:
    _, state, due = gti(at(1, 11, 30), target=1 * HOUR)
    assert (state, due) == (ClockState.MISSED, at(1, 11))


statuses = st.sampled_from([T.CREATED, T.IN_PROGRESS, T.SUSPENDED, T.RESOLVED])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=3000), statuses), max_size=8))
def test_a_pause_never_advances_a_clock(steps: list[tuple[int, T]]) -> None:
    """Putting the request on hold at any point counts no more than leaving it as it was."""
    history = [(at(1, 10), T.CREATED)]
    for minutes, status in steps:
        history.append((history[-1][0] + timedelta(minutes=minutes), status))
    now = history[-1][0] + timedelta(days=3)
    for cut in range(1, len(history) + 1):
        paused = [*history[:cut], (history[cut - 1][0], T.SUSPENDED)]
        for clock in Clock:
            before = read(clock, 1000 * HOUR, PARIS, history[:cut], now).used
            assert read(clock, 1000 * HOUR, PARIS, paused, now).used <= before
