"""Which alert is held, why and until when (docs/rules.md, "Holding alerts"), on a set clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alertctl.domain.holds import (
    Coalescing,
    Digest,
    Hold,
    HoldReason,
    NoiseRules,
    Outbox,
    hold_for,
    parse_digest,
    parse_quiet,
    parse_urgent,
    quiet_end,
    spell_digest,
    spell_quiet,
)
from alertctl.domain.model import Event
from alertctl.errors import Invalid

PARIS = "Europe/Paris"
DEFAULT = Coalescing(2, 10)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026: day 7 is a Monday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo(PARIS)).astimezone(UTC)


def rules(**more: object) -> NoiseRules:
    return NoiseRules(**{"zone": PARIS, "coalescing": DEFAULT, **more})  # type: ignore[arg-type]


def test_a_status_change_waits_two_minutes_idle_and_ten_at_most() -> None:
    now = paris(7, 14)
    assert hold_for(Event.STATUS_CHANGE, rules(), now, Outbox()) == Hold(
        HoldReason.COALESCING, now + timedelta(minutes=2)
    )
    # The fifth change in nine minutes: the group is due ten minutes after its first change.
    later = now + timedelta(minutes=9)
    assert hold_for(Event.STATUS_CHANGE, rules(), later, Outbox(coalescing_since=now)) == Hold(
        HoldReason.COALESCING, now + timedelta(minutes=10)
    )


@pytest.mark.parametrize(
    "event",
    [
        Event.OPEN,
        Event.RESOLUTION,
        Event.CLOSURE_EXTERNAL,
        Event.CLOSURE_INTERNAL,
        Event.GTR_BREACH,
    ],
)
def test_other_events_are_never_coalesced(event: Event) -> None:
    assert hold_for(event, rules(), paris(7, 14), Outbox(coalescing_since=paris(7, 13))) is None


def test_coalescing_can_be_switched_off() -> None:
    assert (
        hold_for(Event.STATUS_CHANGE, rules(coalescing=Coalescing(0, 0)), paris(7, 14), Outbox())
        is None
    )


def test_quiet_hours_hold_until_they_end_in_the_readers_zone() -> None:
    quiet = parse_quiet("mon-fri 19:00-08:00; sat-sun 00:00-24:00", PARIS)
    at_night = paris(8, 23, 30)  # Tuesday night
    assert hold_for(Event.OPEN, rules(quiet=quiet), at_night, Outbox()) == Hold(
        HoldReason.QUIET_HOURS, paris(9, 8)
    )
    # Friday evening: held through the weekend until Monday 08:00, as people read the text
    # (docs/rules.md, "Quiet hours"): Monday before 08:00 is one of the weekdays' mornings.
    assert quiet_end(quiet, paris(11, 20)) == paris(14, 8)
    assert quiet_end(quiet, paris(14, 3)) == paris(14, 8)
    assert hold_for(Event.OPEN, rules(quiet=quiet), paris(8, 12), Outbox()) is None
    # A change coalescing into the night waits for the morning.
    assert hold_for(Event.STATUS_CHANGE, rules(quiet=quiet), paris(8, 18, 59), Outbox()) == Hold(
        HoldReason.QUIET_HOURS, paris(9, 8)
    )


def test_an_interval_past_midnight_covers_both_ends_of_each_day_it_names() -> None:
    weekdays = parse_quiet("mon-fri 22:00-07:00", PARIS)
    assert quiet_end(weekdays, paris(7, 6)) == paris(7, 7)  # Monday morning
    assert quiet_end(weekdays, paris(11, 23)) == paris(12, 0)  # Friday night, to midnight
    assert quiet_end(weekdays, paris(12, 3)) is None  # Saturday morning is not a weekday's
    assert quiet_end(weekdays, paris(7, 12)) is None


def test_quiet_hours_follow_the_wall_clock_across_a_clock_change() -> None:
    quiet = parse_quiet("mon-sun 22:00-07:00", PARIS)
    # The night of 24 to 25 October 2026 is 25 hours long in Paris: 07:00 local is 06:00 UTC.
    night = datetime(2026, 10, 24, 23, tzinfo=ZoneInfo(PARIS)).astimezone(UTC)
    assert quiet_end(quiet, night) == datetime(2026, 10, 25, 6, tzinfo=UTC)


def test_urgent_events_go_through_everything() -> None:
    quiet = parse_quiet("mon-sun 00:00-23:00", PARIS)
    strict = rules(quiet=quiet, digest=Digest(paris(7, 8).astimezone(ZoneInfo(PARIS)).time()))
    assert hold_for(Event.GTI_BREACH, strict, paris(7, 3), Outbox()) is None
    assert hold_for(Event.GTI_WARNING, strict, paris(7, 3), Outbox()) is not None
    own = rules(quiet=quiet, urgent=parse_urgent("open"))
    assert hold_for(Event.OPEN, own, paris(7, 3), Outbox()) is None
    assert hold_for(Event.GTI_BREACH, own, paris(7, 3), Outbox()) is not None


def test_a_digest_holds_everything_until_its_next_time() -> None:
    daily = parse_digest("daily 08:00")
    weekly = parse_digest("weekly mon 08:00")
    assert hold_for(Event.OPEN, rules(digest=daily), paris(8, 9), Outbox()) == Hold(
        HoldReason.DIGEST, paris(9, 8)
    )
    assert hold_for(Event.OPEN, rules(digest=daily), paris(8, 7), Outbox()) == Hold(
        HoldReason.DIGEST, paris(8, 8)
    )
    assert hold_for(Event.STATUS_CHANGE, rules(digest=weekly), paris(8, 9), Outbox()) == Hold(
        HoldReason.DIGEST, paris(14, 8)
    )


def test_a_cap_holds_what_goes_over_it_until_the_hour_frees_a_place() -> None:
    capped = rules(cap_per_hour=3)
    now = paris(7, 14)
    oldest = now - timedelta(minutes=40)
    assert hold_for(Event.OPEN, capped, now, Outbox(in_last_hour=2, oldest_in_hour=oldest)) is None
    assert hold_for(Event.OPEN, capped, now, Outbox(in_last_hour=3, oldest_in_hour=oldest)) == Hold(
        HoldReason.CAP, oldest + timedelta(hours=1)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-sun 00:00-24:00", "quiet hours all week long would hold alerts for ever"),
        ("mon-sun 19:00-08:00; mon-sun 08:00-19:00", "all week long"),
        ("mon-fri 19:00-19:00", "the quiet interval '19:00-19:00' is empty"),
        ("nights 22:00-06:00", "cannot read the quiet hours"),
        ("mon 25:00-06:00", "cannot read '25:00-06:00': 25:00 is not a time of day"),
        ("mon 22:00-06:75", "cannot read '22:00-06:75': 06:75 is not a time of day"),
        ("xyz 22:00-06:00", "unknown day 'xyz'"),
    ],
)
def test_impossible_quiet_hours_are_refused(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_quiet(text, PARIS)


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(Invalid, match="unknown time zone 'Mars/Olympus'"):
        parse_quiet("mon-sun 22:00-07:00", "Mars/Olympus")


def test_settings_are_spelt_as_they_are_read() -> None:
    assert spell_quiet("Mon-Fri  19:00-08:00 ;SAT-SUN 00:00-24:00") == (
        "mon-fri 19:00-08:00; sat-sun 00:00-24:00"
    )
    for text in ("immediate", "daily 08:00", "weekly fri 17:30"):
        assert spell_digest(parse_digest(text)) == text
    with pytest.raises(Invalid, match="cannot read the delivery 'hourly'"):
        parse_digest("hourly")
    with pytest.raises(Invalid, match=r"^cannot read 'daily 25:00': 25:00 is not a time of day$"):
        parse_digest("daily 25:00")
    with pytest.raises(Invalid, match="unknown event 'opened'"):
        parse_urgent("opened")
    with pytest.raises(Invalid, match="at most 1 min"):
        Coalescing(2, 1)
