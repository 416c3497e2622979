"""Holding a save's alerts, in the save's transaction (docs/rules.md, "Holding alerts").

Before the alerts are written, each one's hold is decided (`hold_alerts`); once written, a held
status change moves the hold of the changes held before it for the same person, request and
channel, and an alert that goes out at once carries those changes (`settle`).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from alertctl.db.outbox import aware
from alertctl.db.tables import Alert, RequestSave
from alertctl.domain.holds import HOUR, Hold, HoldReason, NoiseRules, Outbox, hold_for
from alertctl.domain.model import AlertStatus, Event
from alertctl.services.holds.rules import rules_for
from alertctl.services.holds.tell import Change, reader_of, statuses_of, told
from alertctl.services.results import Columns
from alertctl.services.saves.feed_memory import FeedMemory, fact
from alertctl.services.saves.staging import HeldRow, Staging, Update
from alertctl.templates.summary import coalesced

# The alerts that count against a reader's cap: those that went or go out on their own.
COUNTED = (
    AlertStatus.PENDING,
    AlertStatus.SENDING,
    AlertStatus.RETRY,
    AlertStatus.SENT,
    AlertStatus.DEAD,
    AlertStatus.UNKNOWN,
)
Group = tuple[int, str]  # person id, channel
_ALERTS = Alert.__table__  # type: ignore[attr-defined]
_SAVES = RequestSave.__table__  # type: ignore[attr-defined]
_STILL_HELD = _ALERTS.c.status == AlertStatus.HELD


@dataclass(frozen=True)
class HeldChange:
    """A status change held as it coalesces, with the change its save recorded."""

    id: int
    person_id: int
    channel: str
    request_id: int
    created_at: datetime
    change: Change


class Holding:
    """What holding needs to know for one request's alerts at `now`: each person's rules, the
    changes held as they coalesce, and what went out to capped readers in the last hour. Read
    once, for a save's alerts or a preview's."""

    def __init__(
        self,
        session: Session,
        request_id: int,
        rules: dict[int, NoiseRules],
        now: datetime,
        *,
        fresh: bool = False,
        lock: bool = False,
        staging: Staging | None = None,
    ) -> None:
        """`fresh`: the request is new in this save, with no alert held yet. `lock`: a save
        that will move or merge the held changes locks them (docs/architecture.md). `staging`:
        a feed's transaction, which knows the held changes of its requests and the alerts it
        has not written yet."""
        self.now = now
        self.rules = rules
        self.groups: dict[Group, list[HeldChange]] = {}
        if self.rules and not fresh:
            if staging is not None and staging.knows_held(request_id):
                self.groups = _grouped(request_id, staging.held(request_id), now)
            else:
                self.groups = _coalescing(session, request_id, now, lock=lock)
        capped = [p for p, r in self.rules.items() if r.cap_per_hour]
        self.counts = _last_hour(session, capped, now, staging)

    def hold(self, person_id: int | None, channel: str, event: Event) -> Hold | None:
        rules = self.rules.get(person_id) if person_id is not None else None
        if person_id is None or rules is None:
            return None
        group = self.groups.get((person_id, channel), [])
        since = aware(min(h.created_at for h in group)) if group else None
        in_hour, oldest = self.counts.get(person_id, (0, None))
        return hold_for(event, rules, self.now, Outbox(since, in_hour, oldest))

    def waiting(self, person_id: int, channel: str) -> int:
        """The changes held for this person and channel as they coalesce."""
        return len(self.groups.get((person_id, channel), []))


def hold_alerts(
    session: Session,
    request: tuple[int, int],
    columns: Sequence[Columns],
    now: datetime,
    memory: FeedMemory | None = None,
    *,
    fresh: bool = False,
) -> Holding:
    """Decide each alert's hold, on its columns, before they are written, and write into an
    alert that goes out at once the changes it carries; what was read for it serves `settle`
    once they are written. `request`: its id and its client's; a feed's `memory` reads each
    person's rules once per transaction."""
    request_id, client_id = request
    people = tuple(sorted({c["person_id"] for c in columns if c["person_id"] is not None}))
    rules = fact(
        memory, ("noise", client_id, people), lambda: rules_for(session, people, client_id)
    )
    staging = memory.staging if memory is not None else None
    holding = Holding(session, request_id, rules, now, fresh=fresh, lock=True, staging=staging)
    for row in columns:
        hold = holding.hold(row["person_id"], row["channel"], Event(row["event"]))
        if hold is not None:
            row.update(status=AlertStatus.HELD.value, hold=hold.reason.value)
            row["held_until"] = hold.until
        elif _carries(row) and (held := _group(holding, row)):
            row["text_body"] = _carried(session, row, held, client_id, memory)
    return holding


def settled(holding: Holding, columns: Sequence[Columns], ids: Sequence[int]) -> list[Update]:
    """What the save's alerts, once written with these ids, do to those held before them: a
    held status change moves the hold of the changes held before it to its own; the changes an
    alert carries are merged into it. Each applies to an alert only while it is still held."""
    moved: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    updates: list[Update] = []
    for row, alert_id in zip(columns, ids, strict=True):
        held = _group(holding, row)
        if not held:
            continue
        if row["event"] == Event.STATUS_CHANGE and row["status"] == AlertStatus.HELD:
            moved[row["hold"], row["held_until"]] += [h.id for h in held]
        elif _carries(row):
            merged = {"status": AlertStatus.MERGED.value, "merged_into": alert_id}
            updates.append(([h.id for h in held], merged | {"held_until": None}))
    moves = [(some, {"hold": hold, "held_until": until}) for (hold, until), some in moved.items()]
    return moves + updates


def settle(session: Session, updates: Sequence[Update]) -> None:
    """Write what `settled` decided, by Core statements on the outbox table, one a move or a
    merge: an ORM statement would compare its criteria with every object of the session, which
    a feed's transaction fills (a feed's cost grew with the square of its length)."""
    for ids, values in updates:
        session.execute(
            _ALERTS.update().where(_ALERTS.c.id.in_(list(ids)), _STILL_HELD).values(values)
        )


def _group(holding: Holding, row: Columns) -> list[HeldChange]:
    return holding.groups.get((row["person_id"], row["channel"]), [])


def _carries(row: Columns) -> bool:
    """An alert that goes out at once carries the status changes held for its reader."""
    return bool(row["event"] != Event.STATUS_CHANGE and row["status"] == AlertStatus.PENDING)


def _carried(
    session: Session,
    row: Columns,
    held: Sequence[HeldChange],
    client_id: int,
    memory: FeedMemory | None,
) -> str:
    """The alert's text, after the held changes it carries, as its reader reads them."""
    ordered = sorted(held, key=lambda h: (aware(h.created_at), h.id))
    changes = [h.change for h in ordered]
    reader = reader_of(session, ordered[-1].person_id, client_id, memory)
    transitions = told(changes, statuses_of(session, changes, memory), reader)
    return coalesced(transitions, row["text_body"], reader.zone, reader.language)


def merge(session: Session, ids: Sequence[int], into: int) -> list[int]:
    """Those of `ids` still held are told of by the alert `into`; their ids. By Core, as in
    `settle`."""
    found = session.execute(
        _ALERTS.update()
        .where(_ALERTS.c.id.in_(list(ids)), _STILL_HELD)
        .values(status=AlertStatus.MERGED, merged_into=into, held_until=None)
        .returning(_ALERTS.c.id)
    )
    return list(found.scalars())


def _coalescing(
    session: Session, request_id: int, now: datetime, *, lock: bool
) -> dict[Group, list[HeldChange]]:
    """The status changes of a request held as they coalesce and not due at `now`, by person
    and channel, with the changes their saves recorded. Read by the request's index (a request
    has few alerts); whether each still waits is checked here, so that the index of statuses,
    whose `held` may hold thousands, is not the one read. A change due at `now` or earlier
    goes on its own, as a punctual sender would have released it (docs/rules.md): a save does
    not join it, whenever the sender runs."""
    query = _COALESCING_LOCKED if lock else _COALESCING
    rows = session.execute(query, {"request_ids": [request_id]})
    return _grouped(request_id, [HeldRow(*row) for _, *row in rows], now)


def _grouped(
    request_id: int, rows: Iterable[HeldRow], now: datetime
) -> dict[Group, list[HeldChange]]:
    found: dict[Group, list[HeldChange]] = defaultdict(list)
    for row in rows:
        if row.person_id is None or not row.coalescing(now):
            continue
        change = Change(row.saved_at, row.previous_status_id, row.status_id)
        held = HeldChange(row.id, row.person_id, row.channel, request_id, row.created_at, change)
        found[row.person_id, row.channel].append(held)
    return found


def load_held(session: Session, staging: Staging, request_ids: Sequence[int]) -> None:
    """Read the alerts held as they coalesce of a feed's next requests, in one query, and lock
    them as a save does (`hold_alerts`)."""
    fresh = [i for i in request_ids if not staging.knows_held(i)]
    if fresh:
        rows = session.execute(_COALESCING_LOCKED, {"request_ids": fresh})
        staging.remember_held(fresh, ((request_id, HeldRow(*row)) for request_id, *row in rows))


# Built once: a save reads it, and building a statement costs more than running it.
_COALESCING = (
    sa_select(
        _ALERTS.c.request_id,
        # A HeldRow's fields, in order.
        _ALERTS.c.id,
        _ALERTS.c.person_id,
        _ALERTS.c.channel,
        _ALERTS.c.created_at,
        _ALERTS.c.status,
        _ALERTS.c.hold,
        _ALERTS.c.held_until,
        _SAVES.c.saved_at,
        _SAVES.c.previous_status_id,
        _SAVES.c.status_id,
    )
    .join(_SAVES, _SAVES.c.id == _ALERTS.c.save_id)
    .where(
        _ALERTS.c.request_id.in_(bindparam("request_ids", expanding=True)),
        _ALERTS.c.hold == HoldReason.COALESCING.value,
    )
    .order_by(_ALERTS.c.id)
)
# PostgreSQL: a sender's release waits for the save (SQLite has its write lock).
_COALESCING_LOCKED = _COALESCING.with_for_update(of=_ALERTS)


def _last_hour(
    session: Session, people: Sequence[int], now: datetime, staging: Staging | None = None
) -> dict[int, tuple[int, datetime | None]]:
    """For each capped person: how many alerts went or go out to them in the hour before
    `now`, and when the oldest of them was written; with a feed's `staging`, those it has not
    written yet too."""
    if not people:
        return {}
    found = _last_hour_written(session, people, now)
    if staging is None:
        return found
    for person in people:
        staged = staging.counted(person, now - HOUR, now)
        if staged:
            count, oldest = found.get(person, (0, None))
            first = min(aware(t) for t in staged)
            found[person] = (count + len(staged), min(oldest, first) if oldest else first)
    return found


def _last_hour_written(
    session: Session, people: Sequence[int], now: datetime
) -> dict[int, tuple[int, datetime | None]]:
    rows = session.execute(
        select(Alert.person_id, func.count(), func.min(Alert.created_at))
        .where(
            col(Alert.person_id).in_(list(people)),
            col(Alert.status).in_(COUNTED),
            col(Alert.created_at) > now - HOUR,
            col(Alert.created_at) <= now,
        )
        .group_by(col(Alert.person_id))
    ).all()
    return {p: (n, aware(oldest) if oldest else None) for p, n, oldest in rows if p is not None}
