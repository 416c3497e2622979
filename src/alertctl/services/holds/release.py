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
from alertctl.db.tables import Alert
from alertctl.domain.holds import HoldReason, coalesced_changes
from alertctl.domain.model import AlertStatus, Event
from alertctl.services.common import insert_rows
from alertctl.services.holds.hold import merge
from alertctl.services.holds.tell import back_to_start, reader_of, transitions_of
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
    groups: dict[tuple[int | None, str], list[Alert]] = defaultdict(list)
    for alert in session.exec(query):
        if alert.status == AlertStatus.HELD:  # always, unless the row was written by hand
            groups[alert.person_id, alert.channel].append(alert)
    for alerts in groups.values():
        _release(session, alerts, now, done)
    done.readers = len(chosen)
    return done


def _release(session: Session, alerts: list[Alert], now: datetime, done: Released) -> None:
    changes_of_one = coalesced_changes([(Event(a.event), a.request_id) for a in alerts])
    if changes_of_one:
        home = back_to_start(session, alerts)
        if home is not None:
            _skip(
                session,
                alerts,
                f"the request went back to {home.label_in('en')!r}: nothing to tell",
            )
            done.skipped += len(alerts)
            return
    if len(alerts) == 1 or alerts[0].person_id is None:
        _alone(session, [a.id for a in alerts if a.id is not None])
        done.alone += len(alerts)
        return
    reader = reader_of(session, alerts[-1].person_id, alerts[-1].request_id)
    last = alerts[-1]
    if changes_of_one:
        subject = last.subject
        text = coalesced(
            transitions_of(session, alerts, reader), last.text_body, reader.zone, reader.language
        )
    else:
        reason = HoldReason(alerts[-1].hold or HoldReason.QUIET_HOURS)
        subject, text = summary(_items(alerts, reader.zone), reason, reader.zone, reader.language)
    made = _write(session, last, subject, text, alerts, now)
    merge(session, [a.id for a in alerts if a.id is not None], made)
    done.merged += len(alerts)
    done.made += 1


def _items(alerts: Sequence[Alert], zone: str) -> list[Item]:
    where = ZoneInfo(zone)
    return [Item(aware(a.created_at).astimezone(where), a.subject, a.text_body) for a in alerts]


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
