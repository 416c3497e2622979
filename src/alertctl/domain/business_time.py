"""Business time: how much of a span a contract's calendar counts, and when a target falls due.

A calendar is opening hours per weekday in a time zone, and the days it is closed (public
holidays, extra dates). Opening hours are local: 09:00-18:00 in Europe/Paris is 08:00-17:00 UTC
in winter and 07:00-16:00 in summer, and the day the clocks change counts what the wall clock
shows (a day of 9 hours stays 9 hours). Every computation walks the local days between two
instants, turns each opening interval into UTC with the zone's own rules (zoneinfo), and counts
or consumes the seconds inside; nothing is approximated.
"""

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alertctl.errors import Invalid

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
            raise Invalid(f"unknown time zone {self.zone!r}") from None
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
        raise Invalid(f"no public holidays known for {where!r}") from None
    return found
