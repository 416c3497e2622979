"""Business time on a contract's calendar: exact across daylight-saving changes and holidays,
and consistent with itself (properties)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertctl.domain.business_time import Calendar, public_holidays
from alertctl.errors import Invalid

NINE_TO_SIX = ((time(9), time(18)),)
WEEKDAYS = {day: NINE_TO_SIX for day in range(5)}
PARIS = Calendar("Europe/Paris", WEEKDAYS)
NEW_YORK = Calendar(
    "America/New_York", {d: ((time(8), time(12)), (time(13), time(17))) for d in range(5)}
)
HOUR = 3600.0

instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
spans = st.floats(min_value=0, max_value=400 * HOUR, allow_nan=False)


def local(zone: str, year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@settings(max_examples=200, deadline=None)
@given(instants, spans)
def test_the_due_time_of_a_target_is_that_much_business_time_away(
    start: datetime, seconds: float
) -> None:
    due = PARIS.add(start, seconds)
    assert due >= start
    assert PARIS.seconds(start, due) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants)
def test_business_time_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    whole = NEW_YORK.seconds(a, c)
    assert whole == pytest.approx(NEW_YORK.seconds(a, b) + NEW_YORK.seconds(b, c), abs=1e-3)
    assert 0 <= whole <= (c - a).total_seconds()


@pytest.mark.parametrize(
    ("calendar", "monday"),
    [
        (PARIS, date(2026, 3, 23)),  # Paris moves to summer time on Sunday 29 March
        (PARIS, date(2026, 10, 19)),  # and back on Sunday 25 October
        (NEW_YORK, date(2026, 3, 2)),  # New York moves on Sunday 8 March
        (NEW_YORK, date(2026, 10, 26)),  # and back on Sunday 1 November
    ],
)
def test_a_week_across_a_clock_change_counts_what_the_wall_clock_shows(
    calendar: Calendar, monday: date
) -> None:
    zone = calendar.zone
    start = local(zone, monday.year, monday.month, monday.day)
    for days in (7, 14):
        daily = 9 if calendar is PARIS else 8  # hours a day, whatever the clocks do
        assert calendar.seconds(start, start + timedelta(days=days)) == days / 7 * 5 * daily * HOUR


def test_opening_hours_are_local_on_both_sides_of_the_change() -> None:
    # 9:00 in Paris is 08:00 UTC in March before the change, 07:00 UTC after it.
    before = PARIS.add(local("Europe/Paris", 2026, 3, 27, 8), 1)
    after = PARIS.add(local("Europe/Paris", 2026, 3, 30, 8), 1)
    assert (before.hour, after.hour) == (8, 7)


def test_a_holiday_inside_a_long_target_moves_its_due_time_by_a_day() -> None:
    french = Calendar("Europe/Paris", WEEKDAYS, public_holidays("FR"))
    start = local("Europe/Paris", 2026, 4, 30, 9)  # Thursday; 1 May is a Friday holiday
    due = french.add(start, 2 * 9 * HOUR)  # two business days: Thursday, then Monday
    assert due == local("Europe/Paris", 2026, 5, 4, 18)
    assert PARIS.add(start, 2 * 9 * HOUR) == local("Europe/Paris", 2026, 5, 1, 18)


def test_a_calendar_that_cannot_work_is_refused() -> None:
    with pytest.raises(Invalid, match="at least one opening interval"):
        Calendar("Europe/Paris", {})
    with pytest.raises(Invalid, match="end after it starts"):
        Calendar("Europe/Paris", {0: ((time(18), time(9)),)})
    with pytest.raises(Invalid, match="no public holidays known for 'ZZ'"):
        public_holidays("ZZ")
    with pytest.raises(Invalid, match="unknown time zone 'Mars/Olympus'"):
        Calendar("Mars/Olympus", WEEKDAYS)
    night = Calendar("UTC", {0: ((time(22), time(0)),)})  # 22:00 to midnight
    monday = datetime(2026, 6, 1, tzinfo=UTC)
    assert night.seconds(monday, monday + timedelta(days=1)) == 2 * HOUR
