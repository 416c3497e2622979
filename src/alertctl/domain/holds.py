"""Holding alerts to spare their readers (docs/rules.md, "Holding alerts"): which alert is held,
why, and until when. Pure: the outbox's facts (a change already held, what went out in the last
hour) come in as arguments.

Quiet hours are written as opening hours are, except that an interval may run past midnight
(`mon-fri 19:00-08:00`): they are kept as a business `Calendar` of the quiet spans, so that
local time, clock changes and zones are handled by the same code as SLA clocks.
"""

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alertctl.domain.business_time import (
    HOURS_PART,
    INTERVAL,
    WEEK,
    Calendar,
    Interval,
    parse_days,
    time_of_day,
)
from alertctl.domain.model import Event
from alertctl.domain.wording import counted
from alertctl.errors import Invalid, Unreadable

HOUR = timedelta(hours=1)
# SLA breaches go through quiet hours, digests and caps unless a client says otherwise.
URGENT_BY_DEFAULT = frozenset({Event.GTI_BREACH, Event.GTR_BREACH})


class HoldReason(StrEnum):
    COALESCING = "coalescing"  # a status change, waiting for more changes of the request
    QUIET_HOURS = "quiet_hours"  # its reader's quiet hours
    DIGEST = "digest"  # its reader takes a daily or weekly digest
    CAP = "cap"  # its reader had their hour's share of mail
    SUMMARY = "summary"  # not a hold: the alert a release made of the alerts it released


@dataclass(frozen=True)
class Hold:
    reason: HoldReason
    until: datetime


@dataclass(frozen=True)
class Coalescing:
    """Status changes of one request to one person wait `idle` minutes for another, `most`
    minutes at most from the first; 0 idle minutes: no coalescing."""

    idle_minutes: int
    max_minutes: int

    def __post_init__(self) -> None:
        if self.idle_minutes < 0 or self.max_minutes < 0:
            raise Unreadable("coalescing times cannot be negative")
        if self.idle_minutes and self.max_minutes < self.idle_minutes:
            raise Invalid(
                f"coalescing waits {self.idle_minutes} min for a change but at most "
                f"{self.max_minutes} min: give a longest wait at least as long"
            )

    @property
    def on(self) -> bool:
        return self.idle_minutes > 0

    def due(self, first: datetime, last: datetime) -> datetime:
        return min(
            last + timedelta(minutes=self.idle_minutes),
            first + timedelta(minutes=self.max_minutes),
        )


@dataclass(frozen=True)
class Digest:
    """A daily digest at a local time, or a weekly one on a weekday (0 = Monday)."""

    at: time
    weekday: int | None = None

    def next_after(self, now: datetime, zone: str) -> datetime:
        local = now.astimezone(ZoneInfo(zone))
        day = local.date()
        for _ in range(WEEK + 2):
            moment = datetime.combine(day, self.at, tzinfo=ZoneInfo(zone))
            if moment > now and (self.weekday is None or day.weekday() == self.weekday):
                return moment
            day += timedelta(days=1)
        raise AssertionError("a week always holds a digest time")  # pragma: no cover


@dataclass(frozen=True)
class NoiseRules:
    """What holds one person's alerts: from their own settings, their kind's defaults and
    the request's client."""

    zone: str
    coalescing: Coalescing
    quiet: Calendar | None = None
    digest: Digest | None = None
    cap_per_hour: int | None = None
    urgent: frozenset[Event] = URGENT_BY_DEFAULT


@dataclass(frozen=True)
class Outbox:
    """What the outbox holds for one person, as the rules need it."""

    # The first status change of the request held for them, when one is coalescing.
    coalescing_since: datetime | None = None
    # The alerts that went (or go) out to them in the hour before, and the oldest one's time.
    in_last_hour: int = 0
    oldest_in_hour: datetime | None = None


def hold_for(event: Event, rules: NoiseRules, now: datetime, outbox: Outbox) -> Hold | None:
    """Whether an alert of `event` written at `now` is held, why and until when. Urgent
    events are never held; a digest holds everything else; a status change coalesces; a
    reader over their cap waits until the hour frees a place; and whatever would go out in
    quiet hours waits until they end."""
    if event in rules.urgent:
        return None
    hold = None
    if rules.digest is not None:
        hold = Hold(HoldReason.DIGEST, rules.digest.next_after(now, rules.zone))
    elif event is Event.STATUS_CHANGE and rules.coalescing.on:
        since = outbox.coalescing_since or now
        hold = Hold(HoldReason.COALESCING, rules.coalescing.due(since, now))
    elif rules.cap_per_hour is not None and outbox.in_last_hour >= rules.cap_per_hour:
        hold = Hold(HoldReason.CAP, (outbox.oldest_in_hour or now) + HOUR)
    end = quiet_end(rules.quiet, hold.until if hold is not None else now)
    return hold if end is None else Hold(HoldReason.QUIET_HOURS, end)


@dataclass(frozen=True)
class Releasing:
    """One held alert as a release sees it: its event, its request, and for a status change
    the statuses it went from and to (None when unknown)."""

    event: Event
    request: Hashable
    change: tuple[Hashable, Hashable] | None = None


@dataclass(frozen=True)
class ReleasePlan:
    """What one release makes of the alerts held for one reader and channel until one
    moment, by their positions: each item is one alert, or one request's status changes,
    coalesced; each of `skipped` is a request's changes that ended where they started."""

    items: tuple[tuple[int, ...], ...]
    skipped: tuple[tuple[int, ...], ...]

    @property
    def mails(self) -> int:
        """Nothing, one alert as it was, or one alert made of them (coalesced or a summary)."""
        return 1 if self.items else 0

    @property
    def alone(self) -> bool:
        """One alert, which goes as it was."""
        return len(self.items) == 1 and len(self.items[0]) == 1


def plan_release(alerts: Sequence[Releasing]) -> ReleasePlan:
    """The alerts held for one reader and channel until one moment, in the order they were
    written: each request's status changes become one item (or nothing, when the request is
    back where they started), every other alert an item of its own; items in the order of
    their last alert. So what a reader gets depends on the holds alone, never on when the
    sender ran (docs/rules.md, "Holding alerts")."""
    changes: dict[Hashable, list[int]] = {}
    items: list[tuple[int, ...]] = []
    for position, alert in enumerate(alerts):
        if alert.event is Event.STATUS_CHANGE:
            changes.setdefault(alert.request, []).append(position)
        else:
            items.append((position,))
    skipped = []
    for positions in changes.values():
        first, last = alerts[positions[0]].change, alerts[positions[-1]].change
        if len(positions) > 1 and first is not None and last is not None and first[0] == last[1]:
            skipped.append(tuple(positions))
        else:
            items.append(tuple(positions))
    return ReleasePlan(tuple(sorted(items, key=lambda i: i[-1])), tuple(skipped))


def quiet_end(quiet: Calendar | None, moment: datetime) -> datetime | None:
    """When the quiet hours around `moment` end; None when it is not in quiet hours."""
    if quiet is None:
        return None
    end: datetime | None = None
    for low, high in quiet.intervals(moment, moment + timedelta(days=WEEK + 1)):
        if low > (end or moment):
            break
        end = high
    return end


MIDNIGHT = time(0)


def parse_quiet(text: str, zone: str) -> Calendar | None:
    """Quiet hours as people write them: `mon-fri 19:00-08:00; sat-sun 00:00-24:00`. Each
    interval belongs to the days written before it: one that ends before it starts covers both
    ends of each of those days (weekdays before 08:00 and from 19:00); "" is none.
    Quiet hours that never end are refused: what they hold would never go."""
    spans: dict[int, list[Interval]] = {}
    for part in (p.strip() for p in text.lower().split(";")):
        if not part:
            continue
        found = HOURS_PART.fullmatch(part)
        if found is None:
            raise Unreadable(
                f"cannot read the quiet hours {part!r}: write days then intervals, such as "
                "mon-fri 19:00-08:00"
            )
        for item in found.group(2).split(","):
            for day in parse_days(found.group(1)):
                spans.setdefault(day, []).extend(_split(item))
    check_zone(zone)
    if not spans:
        return None
    hours = {day: _merged(intervals) for day, intervals in spans.items()}
    if all(hours.get(day) == ((MIDNIGHT, MIDNIGHT),) for day in range(WEEK)):
        raise Invalid("quiet hours all week long would hold alerts for ever: leave some hours")
    return Calendar(zone, hours)


def check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Unreadable(f"unknown time zone {zone!r}") from None


def _split(text: str) -> list[Interval]:
    """An interval, as the spans of the day it is written for: one that ends before it starts
    (19:00-08:00) is the day's two ends, before 08:00 and from 19:00, as people mean "quiet
    from 19:00 to 08:00 on weekdays" (so Monday morning is quiet, Saturday morning is not)."""
    found = INTERVAL.fullmatch(text)
    if found is None:
        raise Unreadable(f"cannot read the interval {text!r}: write it as 19:00-08:00")
    start, end = (time_of_day(moment, text) for moment in found.groups())
    if end == start and end != MIDNIGHT:
        raise Invalid(f"the quiet interval {text!r} is empty")
    if end == MIDNIGHT or end > start:
        return [(start, end)]
    return [(start, MIDNIGHT), (MIDNIGHT, end)]


def _merged(intervals: list[Interval]) -> tuple[Interval, ...]:
    """Intervals of one day, overlapping ones joined (a morning and another part's span)."""

    def seconds(moment: time, end: bool) -> int:
        value = moment.hour * 3600 + moment.minute * 60
        return 86400 if end and not value else value

    merged: list[list[int]] = []
    for low, high in sorted(intervals, key=lambda i: seconds(i[0], False)):
        a, b = seconds(low, False), seconds(high, True)
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((_time_of(a), _time_of(b)) for a, b in merged)


def _time_of(seconds: int) -> time:
    return MIDNIGHT if seconds >= 86400 else time(seconds // 3600, seconds % 3600 // 60)


def spell_quiet(text: str) -> str:
    """Quiet hours as kept and shown: as written, in lower case, one space apart. They are not
    spelt from the calendar, which cuts each night at midnight."""
    return "; ".join(" ".join(p.split()) for p in text.lower().split(";") if p.strip())


_DIGEST = re.compile(r"(daily|weekly\s+([a-z]{3}))\s+(\d{1,2}:\d{2})")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_digest(text: str) -> Digest | None:
    """`immediate` (None), `daily 08:00`, or `weekly mon 08:00`."""
    value = " ".join(text.lower().split())
    if value in ("", "immediate"):
        return None
    found = _DIGEST.fullmatch(value)
    if found is None:
        raise Unreadable(
            f"cannot read the delivery {text!r}: write immediate, daily 08:00 or weekly mon 08:00"
        )
    day = found.group(2)
    if day is not None and day not in _WEEKDAYS:
        raise Unreadable(f"unknown day {day!r}: expected one of {', '.join(_WEEKDAYS)}")
    if found.group(3) == "24:00":
        raise Unreadable(f"the delivery {text!r} is not at a time of day: write 00:00")
    return Digest(time_of_day(found.group(3), text), _WEEKDAYS.index(day) if day else None)


def spell_digest(digest: Digest | None) -> str:
    if digest is None:
        return "immediate"
    if digest.weekday is None:
        return f"daily {digest.at:%H:%M}"
    return f"weekly {_WEEKDAYS[digest.weekday]} {digest.at:%H:%M}"


def parse_urgent(text: str) -> frozenset[Event]:
    """Events, comma-separated (`gti_breach,gtr_breach`); `none` or "" for none."""
    names = [n.strip() for n in text.split(",") if n.strip() and n.strip() != "none"]
    unknown = [n for n in names if n not in Event.__members__.values()]
    if unknown:
        raise Unreadable(
            f"unknown event {unknown[0]!r}: expected some of {', '.join(e.value for e in Event)}"
        )
    return frozenset(Event(n) for n in names)


def spell_urgent(events: frozenset[Event]) -> str:
    return ",".join(e.value for e in Event if e in events) or "none"


def tell_hold(hold: Hold, *, waiting: int, zone: str, now: datetime, cap: int | None) -> str:
    """A hold as previews say it: `held: quiet hours until 08:00 Europe/Paris`, `coalescing
    with 2 more changes, due 14:12 Europe/Paris`; the day too when it is not today's."""
    where = ZoneInfo(zone)
    local = hold.until.astimezone(where)
    today = local.date() == now.astimezone(where).date()
    at = f"{local:%H:%M}" if today else f"{local:%Y-%m-%d %H:%M}"
    at = f"{at} {zone}"
    if hold.reason is HoldReason.COALESCING:
        more = f" with {counted(waiting, 'more change', 'more changes')}" if waiting else ""
        return f"coalescing{more}, due {at}"
    if hold.reason is HoldReason.DIGEST:
        return f"held: digest at {at}"
    if hold.reason is HoldReason.CAP:
        return f"held: over the cap of {counted(cap or 0, 'mail')} an hour, until {at}"
    return f"held: quiet hours until {at}"


def tell_carried(waiting: int) -> str:
    """What an alert that goes out at once says of the changes it carries."""
    return f"sent now, with the {waiting} change{'' if waiting == 1 else 's'} held"
