"""Releasing held alerts whose time has come, in a sender's claim transaction (docs/rules.md,
"Holding alerts"): what was held for one person and channel goes out as one alert.

- Status changes of one request that coalesced: one alert listing every transition with its
  time, then the last one's text; nothing when the request is back where it started (the
  changes are `skipped`, with why).
- Anything else (quiet hours, a digest, a cap): one alert as it was, or a summary of them all.

A released alert becomes `pending` (one alone) or `merged` into the alert that tells of it,
in the transaction that writes that alert: a crash leaves all held, or all released, and two
senders never release the same alert (on PostgreSQL the second waits for the first's rows).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.outbox import aware
from alertctl.db.tables import Alert, Request, Status
from alertctl.domain.holds import HoldReason, Releasing, plan_release
from alertctl.domain.model import AlertStatus, Event
from alertctl.services.common import ident, insert_rows
from alertctl.services.holds.hold import merge
from alertctl.services.holds.tell import Change, Reader, changes_of, reader_of, statuses_of, told
from alertctl.templates.summary import Item, coalesced, summary


@dataclass
class Released:
    """What one release did."""

    alone: int = 0  # held alerts that went out as they were
    merged: int = 0  # held alerts told of by another one
    made: int = 0  # alerts made to tell of them (coalesced changes, summaries)
    skipped: int = 0  # changes that brought their request back where it started
    readers: int = 0  # the readers whose held alerts were released

    @property
    def any(self) -> bool:
        return bool(self.alone or self.merged or self.skipped)


# The readers a claim releases for at most: a release writes an alert per reader and channel
# in the claim's transaction, and the alerts that are not held wait for it. Bounded, it adds
# tens of milliseconds to a claim however many digests fall due at once; the rest is released
# by the next claims (the latency benchmark with --held, README).
READERS_PER_CLAIM = 20


def release_due(session: Session, now: datetime, *, readers: int | None = None) -> Released:
    """Release what is held until `now` or earlier, for `readers` readers at most (all: None).
    A reader's alerts due together are released together, whatever the bound."""
    done = Released()
    # `held_until` is set on held alerts only (cleared as they leave `held`): the condition is
    # a range of its index, which holds only what waits, however long the outbox.
    due = col(Alert.held_until) <= now
    # The readers whose alerts fell due first, read along that index (a DISTINCT would have
    # SQLite scan the index of persons, the whole outbox).
    found = session.exec(select(col(Alert.person_id)).where(due).order_by(col(Alert.held_until)))
    chosen = list(dict.fromkeys(found))[:readers]
    whose: ColumnElement[bool] = col(Alert.person_id).in_([p for p in chosen if p is not None])
    if None in chosen:  # a person erased: their alerts are cancelled, not held; all the same
        whose = or_(whose, col(Alert.person_id).is_(None))
    query = (
        select(Alert)
        .where(due, whose)
        .order_by(col(Alert.person_id), col(Alert.channel), col(Alert.created_at), col(Alert.id))
        .with_for_update()
    )
    # One release for each moment: what a punctual sender would have released together.
    groups: dict[tuple[int | None, str, datetime | None], list[Alert]] = defaultdict(list)
    for alert in session.exec(query):
        if alert.status == AlertStatus.HELD:  # always, unless the row was written by hand
            groups[alert.person_id, alert.channel, alert.held_until].append(alert)
    # Earlier moments first, as they would have gone out.
    for key in sorted(groups, key=lambda k: aware(k[2]) if k[2] else now):
        _release(session, groups[key], now, done)
    done.readers = len(chosen)
    return done


def _release(session: Session, alerts: list[Alert], now: datetime, done: Released) -> None:
    """What was held for one reader and channel until one moment (`plan_release`)."""
    if alerts[0].person_id is None:  # erased: nobody to tell, nothing to make
        _alone(session, [ident(a.id) for a in alerts])
        done.alone += len(alerts)
        return
    changes = changes_of(session, [a for a in alerts if a.event == Event.STATUS_CHANGE])
    plan = plan_release([_releasing(a, changes) for a in alerts])
    for positions in plan.skipped:
        some = [alerts[i] for i in positions]
        home = session.get(Status, changes[some[-1].save_id].status_id)
        label = home.label_in("en") if home is not None else "-"
        _skip(session, some, f"the request went back to {label!r}: nothing to tell")
        done.skipped += len(some)
    if not plan.items:
        return
    if plan.alone:
        _alone(session, [ident(alerts[plan.items[0][0]].id)])
        done.alone += 1
        return
    last = alerts[plan.items[-1][-1]]
    request = session.get(Request, last.request_id)
    reader = reader_of(session, last.person_id, request.client_id if request else None)
    statuses = statuses_of(session, changes.values())
    items = [_item([alerts[i] for i in item], changes, statuses, reader) for item in plan.items]
    if len(items) == 1:
        subject, text = last.subject, items[0].text
    else:
        reason = HoldReason(last.hold or HoldReason.QUIET_HOURS)
        subject, text = summary(items, reason, reader.zone, reader.language)
    told = sorted((alerts[i] for item in plan.items for i in item), key=lambda a: ident(a.id))
    made = _write(session, last, subject, text, told, now)
    merge(session, [ident(a.id) for a in told], made)
    done.merged += len(told)
    done.made += 1


def _releasing(alert: Alert, changes: dict[int, Change]) -> Releasing:
    change = changes.get(alert.save_id) if alert.event == Event.STATUS_CHANGE else None
    moved = (change.previous_status_id, change.status_id) if change is not None else None
    return Releasing(Event(alert.event), alert.request_id, moved)


def _item(
    alerts: Sequence[Alert], changes: dict[int, Change], statuses: dict[int, Status], reader: Reader
) -> Item:
    """One alert as it was, or one request's changes, coalesced, as a summary lists it."""
    last = alerts[-1]
    text = last.text_body
    if len(alerts) > 1:
        transitions = told([changes[a.save_id] for a in alerts], statuses, reader)
        text = coalesced(transitions, text, reader.zone, reader.language)
    at = aware(last.created_at).astimezone(ZoneInfo(reader.zone))
    return Item(at, last.subject, text)


def _write(
    session: Session, last: Alert, subject: str, text: str, alerts: Sequence[Alert], now: datetime
) -> int:
    """The alert that tells of `alerts`: keyed by the first of them, which is released once."""
    sources = sorted({s for a in alerts for s in a.sources.split(",") if s})
    columns = {
        "key": f"release/{alerts[0].id}",
        "save_id": last.save_id,
        "request_id": last.request_id,
        "event": last.event,
        "person_id": last.person_id,
        "channel": last.channel,
        "address": last.address,
        "sources": ",".join(sources),
        "subject": subject,
        "text_body": text,
        "html_body": None,
        "status": AlertStatus.PENDING.value,
        "hold": HoldReason.SUMMARY.value,
        "attempts": 0,
        "created_at": now,
    }
    return insert_rows(session, Alert.__table__, [columns])[0]  # type: ignore[attr-defined]


def _alone(session: Session, ids: Sequence[int]) -> None:
    session.execute(
        update(Alert)
        .where(col(Alert.id).in_(list(ids)))
        .values(status=AlertStatus.PENDING, held_until=None)
    )


def _skip(session: Session, alerts: Sequence[Alert], why: str) -> None:
    session.execute(
        update(Alert)
        .where(col(Alert.id).in_([a.id for a in alerts]))
        .values(status=AlertStatus.SKIPPED, held_until=None, last_reply=why)
    )


def release(db: Database, now: datetime) -> Released:
    """Release all that is due at `now`, on its own (senders release in their claims)."""
    with db.session(write=True) as session:
        return release_due(session, now)


def release_some(session: Session, now: datetime) -> None:
    """What a claim releases: up to READERS_PER_CLAIM readers' alerts, more while all it
    released was skipped (a claim that released something finds it due)."""
    while True:
        done = release_due(session, now, readers=READERS_PER_CLAIM)
        if done.readers < READERS_PER_CLAIM or done.alone or done.made:
            return
