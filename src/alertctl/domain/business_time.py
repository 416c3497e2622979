"""Business time: how much of a span a contract's calendar counts, and when a target falls due.

A calendar is opening hours per weekday in a time zone, and the days it is closed (public
holidays, extra dates). Opening hours are local: 09:00-18:00 in Europe/Paris is 08:00-17:00 UTC
in winter and 07:00-16:00 in summer, and the day the clocks change counts what the wall clock
shows (a day of 9 hours stays 9 hours). Every computation walks the local days between two
instants, turns each opening interval into UTC with the zone's own rules (zoneinfo), and counts
or consumes the seconds inside; nothing is approximated.
"""

import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alertctl.errors import Invalid, Unreadable

Interval = tuple[time, time]  # opening, closing (local); closing 00:00 means midnight
WEEK = 7
# A target longer than this many years of business time is a mistake, not a contract.
MAX_YEARS = 10


@dataclass(frozen=True)
class Calendar:
    zone: str
    # Weekday (0 = Monday) -> its opening intervals, in order, not overlapping.
    hours: Mapping[int, tuple[Interval, ...]]
    # The days it is closed all day: public holidays, extra closed dates.
    closed: Container[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Unreadable(f"unknown time zone {self.zone!r}") from None
        if not any(self.hours.get(day) for day in range(WEEK)):
            raise Invalid("a calendar needs at least one opening interval")
        for day in range(WEEK):
            for opening, closing in self.hours.get(day, ()):
                if _seconds_of(closing, end=True) <= _seconds_of(opening, end=False):
                    raise Invalid(f"an opening interval must end after it starts: {opening}")

    def intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open spans within [start, end), in UTC, in order."""
        zone = ZoneInfo(self.zone)
        day = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date()
        while day <= last:
            for low, high in self._day(day, zone):
                if high > start and low < end:
                    yield max(low, start), min(high, end)
            day += timedelta(days=1)

    def seconds(self, start: datetime, end: datetime) -> float:
        """The business seconds between two instants (0 when end is not after start)."""
        return sum((high - low).total_seconds() for low, high in self.intervals(start, end))

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant `seconds` of business time after `start`: a target's due time. It is
        the end of the open span that uses up the last second, never a closed moment."""
        if seconds <= 0:
            return start
        zone = ZoneInfo(self.zone)
        left = timedelta(seconds=seconds)
        day = start.astimezone(zone).date() - timedelta(days=1)
        for _ in range(MAX_YEARS * 366 + 2):
            for low, high in self._day(day, zone):
                low = max(low, start)
                if high <= low:
                    continue
                if high - low >= left:
                    return low + left
                left -= high - low
            day += timedelta(days=1)
        raise Invalid(f"a target of {seconds / 3600:g} business hours never falls due")

    def _day(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        if day in self.closed:
            return []
        spans = []
        for opening, closing in self.hours.get(day.weekday(), ()):
            low = datetime.combine(day, opening, tzinfo=zone)
            high = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                if closing == time(0)
                else datetime.combine(day, closing, tzinfo=zone)
            )
            spans.append((low.astimezone(UTC), high.astimezone(UTC)))
        return spans


def _seconds_of(moment: time, *, end: bool) -> int:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return 24 * 3600 if end and not seconds else seconds  # midnight closes the day


def public_holidays(country: str, region: str | None = None) -> Container[date]:
    """A country's (and region's) public holidays, every year, from the holidays library; an
    unknown country or region is refused."""
    import holidays

    try:
        found: Container[date] = holidays.country_holidays(country, subdiv=region)
    except NotImplementedError:  # the library's word for an unknown country or region
        where = f"{country}/{region}" if region else country
        raise Unreadable(f"no public holidays known for {where!r}") from None
    return found


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_PART = re.compile(r"([a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+(\S+)")
# An interval as written, two times of day (read by time_of_day): opening hours, quiet hours.
INTERVAL = re.compile(r"(\d{1,2}:\d{2})-(\d{1,2}:\d{2})")


def parse_hours(text: str) -> dict[int, tuple[Interval, ...]]:
    """Opening hours as people write them: `mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00`.
    Days are named by their first three letters (English), in ranges or lists; a day named
    twice is refused, as are intervals that overlap or run backwards."""
    hours: dict[int, tuple[Interval, ...]] = {}
    for part in (p.strip() for p in text.lower().split(";")):
        if not part:
            continue
        found = HOURS_PART.fullmatch(part)
        if found is None:
            raise Unreadable(
                f"cannot read the opening hours {part!r}: write days then intervals, such as "
                "mon-fri 09:00-12:00,14:00-18:00"
            )
        intervals = tuple(parse_interval(i) for i in found.group(2).split(","))
        ordered = sorted(intervals)
        for (_, closing), (opening, _) in pairwise(ordered):
            if closing == time(0) or closing > opening:
                raise Invalid(f"opening intervals overlap in {part!r}")
        for day in parse_days(found.group(1)):
            if day in hours:
                raise Invalid(f"{_DAYS[day]} is given opening hours twice")
            hours[day] = tuple(ordered)
    return hours


def parse_days(text: str) -> list[int]:
    days: list[int] = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        for name in (first, last or first):
            if name not in _DAYS:
                raise Unreadable(f"unknown day {name!r}: expected one of {', '.join(_DAYS)}")
        low, high = _DAYS.index(first), _DAYS.index(last or first)
        if high < low:
            raise Invalid(f"the days {item!r} run backwards: write {_DAYS[high]}-{_DAYS[low]}")
        days.extend(range(low, high + 1))
    return days


def parse_interval(text: str) -> Interval:
    found = INTERVAL.fullmatch(text)
    if found is None:
        raise Unreadable(f"cannot read the interval {text!r}: write it as 09:00-18:00")
    opening, closing = (time_of_day(moment, text) for moment in found.groups())
    if closing != time(0) and closing <= opening:
        raise Invalid(f"the interval {text!r} must end after it starts")
    return opening, closing


def time_of_day(moment: str, written: str) -> time:
    """A time of day (24:00 is the day's end, kept as midnight); an error names the setting
    as written, not as it was cut."""
    hours, minutes = (int(part) for part in moment.split(":"))
    if (hours, minutes) == (24, 0):
        return time(0)
    if hours > 23 or minutes > 59:
        raise Unreadable(f"cannot read {written!r}: {moment} is not a time of day")
    return time(hours, minutes)


def spell_hours(hours: Mapping[int, tuple[Interval, ...]]) -> str:
    """Opening hours as parse_hours reads them, days with the same intervals grouped."""
    parts: list[str] = []
    day = 0
    while day < WEEK:
        intervals = hours.get(day, ())
        last = day
        while last + 1 < WEEK and hours.get(last + 1, ()) == intervals:
            last += 1
        if intervals:
            days = _DAYS[day] if last == day else f"{_DAYS[day]}-{_DAYS[last]}"
            spelt = ",".join(
                f"{a:%H:%M}-{'24:00' if b == time(0) else f'{b:%H:%M}'}" for a, b in intervals
            )
            parts.append(f"{days} {spelt}")
        day = last + 1
    return "; ".join(parts)


_DURATION = re.compile(r"(?:(\d{1,6})\s*h)?\s*(?:(\d{1,6})\s*m(?:in)?)?")


def parse_duration(text: str) -> int:
    """Business time as people write it (`4h`, `30m`, `1h30m`, `2 h 30 min`), in minutes. Days
    are not taken: a business day is whatever the calendar opens, so hours say what is meant."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None or not any(found.groups()):
        raise Unreadable(
            f"cannot read the business time {text!r}: write hours and minutes, such as "
            "4h, 30m or 1h30m"
        )
    minutes = int(found.group(1) or 0) * 60 + int(found.group(2) or 0)
    if minutes <= 0:
        raise Unreadable(f"a target of {text.strip()!r} is zero: give a business time above 0")
    return minutes


def spell_minutes(minutes: int | None) -> str | None:
    """A target or a time kept in minutes, spelt as spell_duration does; None stays None."""
    return spell_duration(minutes * 60) if minutes is not None else None


def spell_duration(seconds: float) -> str:
    """Business time as alerts and tables show it: `2 h 30 min`, `45 min`, `4 h`."""
    minutes = max(0, int(seconds // 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


# Every hour counts: the calendar of a contract that names none.
ROUND_THE_CLOCK = Calendar("UTC", dict.fromkeys(range(WEEK), ((time(0), time(0)),)))
