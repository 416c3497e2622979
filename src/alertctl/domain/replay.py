"""What holds make of a sequence of alerts (docs/rules.md, "Holding alerts"): how many mails
each reader gets, by event, when the alerts are held, coalesced and released as a save and a
watcher that is never late would. The forecast replays a period's saves through it."""

from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from alertctl.domain.holds import (
    HOUR,
    HoldReason,
    NoiseRules,
    Outbox,
    Releasing,
    hold_for,
    plan_release,
)
from alertctl.domain.model import Event

SUMMARY = "summary"  # a mail made of alerts released together: coalesced changes, a summary


@dataclass(frozen=True)
class Planned:
    """One alert as a save would write it."""

    reader: Hashable
    channel: str
    event: Event
    request: Hashable
    at: datetime
    change: tuple[Hashable, Hashable] | None = None  # a status change: from, to


@dataclass
class _Held:
    alert: Planned
    reason: HoldReason
    until: datetime


class Replay:
    def __init__(self) -> None:
        self.held: dict[tuple[Hashable, str], list[_Held]] = defaultdict(list)
        self.out: dict[Hashable, list[datetime]] = defaultdict(list)  # mails, for caps
        self.mails: Counter[tuple[Hashable, str]] = Counter()  # (reader, event or summary)

    def add(self, alert: Planned, rules: NoiseRules) -> None:
        self.release(alert.at)
        key = (alert.reader, alert.channel)
        # The request's status changes held as they coalesce, as a save reads them.
        group = [
            h
            for h in self.held[key]
            if h.alert.request == alert.request and h.reason is HoldReason.COALESCING
        ]
        since = min((h.alert.at for h in group), default=None)
        recent = [t for t in self.out[alert.reader] if alert.at - HOUR < t <= alert.at]
        facts = Outbox(since, len(recent), min(recent, default=None))
        hold = hold_for(alert.event, rules, alert.at, facts)
        if hold is None:
            self._mail(alert.reader, alert.event.value, alert.at)
            if alert.event is not Event.STATUS_CHANGE:  # it carries the changes held
                self.held[key] = [h for h in self.held[key] if h not in group]
            return
        if alert.event is Event.STATUS_CHANGE:
            for held in group:
                held.reason, held.until = hold.reason, hold.until
        self.held[key].append(_Held(alert, hold.reason, hold.until))

    def release(self, now: datetime) -> None:
        """Release what is due by `now`, one moment after another, as a punctual sender."""
        moments = sorted({h.until for items in self.held.values() for h in items if h.until <= now})
        for moment in moments:
            for key, items in list(self.held.items()):
                due = [h for h in items if h.until <= moment]
                if due:
                    self.held[key] = [h for h in items if h.until > moment]
                    self._released(key[0], due, moment)

    def finish(self) -> None:
        self.release(datetime.max.replace(tzinfo=UTC))

    def _released(self, reader: Hashable, due: list[_Held], at: datetime) -> None:
        alerts = [h.alert for h in due]
        plan = plan_release([Releasing(a.event, a.request, a.change) for a in alerts])
        if plan.mails:
            event = alerts[plan.items[0][0]].event.value if plan.alone else SUMMARY
            self._mail(reader, event, at)

    def _mail(self, reader: Hashable, event: str, at: datetime) -> None:
        self.mails[(reader, event)] += 1
        self.out[reader].append(at)
