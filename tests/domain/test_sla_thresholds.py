"""When a clock's thresholds are crossed (domain/sla.due), and the words of calendars and
business times (domain/business_time: parse_hours, parse_duration and their spellings)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertctl.domain.business_time import (
    Calendar,
    parse_duration,
    parse_hours,
    spell_duration,
    spell_hours,
)
from alertctl.domain.model import StatusType as T
from alertctl.domain.sla import Clock, Threshold, Warning, due
from alertctl.errors import Invalid

OFFICE = Calendar("UTC", dict.fromkeys(range(5), ((time(9), time(18)),)))
HOUR = 3600.0
MONDAY = datetime(2026, 6, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return MONDAY + timedelta(hours=hours)


def test_the_warning_fires_at_the_share_or_the_time_left_whichever_comes_first() -> None:
    default = Warning()
    assert default.point(16 * HOUR) == 12 * HOUR  # 75 % before 2 h left
    assert default.point(4 * HOUR) == 2 * HOUR  # 2 h left before 75 %
    assert default.point(1 * HOUR) == 0.75 * HOUR  # 2 h left would be at the open: the share
    assert Warning(50, 30 * 60).point(4 * HOUR) == 2 * HOUR


def test_due_says_what_is_crossed_and_when_to_look_again() -> None:
    opened = [(at(9), T.CREATED)]  # Monday 09:00; GTI 4 h: warning at 2 h, breach at 4 h
    nothing = due(Clock.GTI, 4 * HOUR, Warning(), OFFICE, opened, at(10))
    assert nothing.crossed == () and nothing.next_check == at(11)
    warned = due(Clock.GTI, 4 * HOUR, Warning(), OFFICE, opened, at(12))
    assert warned.crossed == ((Threshold.WARNING, at(11)),) and warned.next_check == at(13)
    late = due(Clock.GTI, 4 * HOUR, Warning(), OFFICE, opened, at(40))
    assert late.crossed == ((Threshold.BREACH, at(13)),) and late.next_check is None
    waiting = [*opened, (at(10), T.SUSPENDED)]
    paused = due(Clock.GTI, 4 * HOUR, Warning(), OFFICE, waiting, at(40))
    assert paused.crossed == () and paused.next_check is None  # a save will resume it


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(1, 20 * 60), st.sampled_from(list(T))), min_size=1, max_size=8
    ),
    target=st.integers(1, 30),
    look=st.integers(0, 60 * 60),
)
def test_nothing_is_crossed_after_now_and_a_clock_stopped_in_time_never_breaches(
    steps: list[tuple[int, T]], target: int, look: int
) -> None:
    history, moment = [], MONDAY
    for minutes, status in steps:
        history.append((moment, status))
        moment += timedelta(minutes=minutes)
    now = MONDAY + timedelta(minutes=look)
    history = [h for h in history if h[0] <= now] or history[:1]
    for clock in Clock:
        found = due(clock, target * HOUR, Warning(), OFFICE, history, max(now, history[0][0]))
        for _, crossed in found.crossed:
            assert crossed <= max(now, history[0][0])
        if found.next_check is not None:
            assert found.next_check > max(now, history[0][0]) - timedelta(seconds=1)


@given(
    st.dictionaries(
        st.integers(0, 6),
        st.lists(st.integers(0, 47), min_size=2, max_size=6, unique=True).map(sorted),
        min_size=1,
    )
)
def test_opening_hours_read_back_as_they_are_spelt(days: dict[int, list[int]]) -> None:
    hours = {}
    for day, halves in days.items():
        bounds = [time(h // 2, 30 * (h % 2)) for h in halves[: len(halves) // 2 * 2]]
        hours[day] = tuple(zip(bounds[::2], bounds[1::2], strict=True))
    assert parse_hours(spell_hours(hours)) == {d: i for d, i in hours.items() if i}


def test_opening_hours_as_people_write_them() -> None:
    assert parse_hours("mon-fri 09:00-12:00,14:00-18:00; sat 9:00-12:00")[5] == (
        (time(9), time(12)),
    )
    assert parse_hours("sun 00:00-24:00")[6] == ((time(0), time(0)),)
    for wrong, said in [
        ("mon 09:00-08:00", "must end after it starts"),
        ("mon 09:00-12:00,11:00-13:00", "overlap"),
        ("mon 09:00-12:00; mon 14:00-15:00", "twice"),
        ("fri-mon 09:00-12:00", "run backwards"),
        ("lun 09:00-12:00", "unknown day 'lun'"),
        ("mon 9h-12h", "cannot read the interval"),
    ]:
        with pytest.raises(Invalid, match=said):
            parse_hours(wrong)


def test_business_times_as_people_write_them() -> None:
    assert [parse_duration(t) for t in ("4h", "90m", "1h30m", "2 h 30 min", "45 min")] == [
        240,
        90,
        90,
        150,
        45,
    ]
    assert [spell_duration(s) for s in (45 * 60, 4 * HOUR, 150 * 60)] == [
        "45 min",
        "4 h",
        "2 h 30 min",
    ]
    for wrong in ("0m", "3d", "", "four hours"):
        with pytest.raises(Invalid):
            parse_duration(wrong)
