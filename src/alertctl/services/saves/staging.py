"""A feed's writes, kept until its transaction ends (docs/architecture.md, "Staged writes").

A save decides its rows before it writes any: the request's record, its alerts, its faults,
what it does to the alerts held before it, and when its SLA clocks are due. A single save
writes them as it goes. A feed's transaction stages them instead: each line's go into a
`LineWrites` while the line is applied, which the transaction's `Staging` takes once the line
has succeeded, and writes with the rest, a few statements a table, before it commits. A line
that fails has written nothing, so it needs no savepoint; the rows of 500 lines cost a few
statements rather than some thousands. What a later line of the same transaction reads of
those rows (the alerts held as they coalesce, what went out to a capped reader in the last
hour) the staging tells it, from memory.

Should writing the staged rows fail (a value the database refuses), the transaction is rolled
back and `ingest` applies its lines again one savepoint each, writing as it goes, so that the
line at fault fails alone.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from alertctl.db import outbox
from alertctl.db.ids import Ids
from alertctl.db.outbox import aware
from alertctl.db.tables import Alert, AlertFault, RequestSave, SlaClock
from alertctl.domain.holds import HoldReason
from alertctl.domain.model import AlertStatus
from alertctl.services.results import Columns

_ALERTS = Alert.__table__  # type: ignore[attr-defined]
_SAVES = RequestSave.__table__  # type: ignore[attr-defined]
_FAULTS = AlertFault.__table__  # type: ignore[attr-defined]
_CLOCKS = SlaClock.__table__  # type: ignore[attr-defined]

# Alert ids, and the values they take if they are still held (a hold moved, a change merged).
Update = tuple[Sequence[int], Columns]


@dataclass
class HeldRow:
    """An alert held as it coalesces, as the transaction knows it: read from the database
    once, or staged by one of its saves, and kept up to date as later saves move or merge it."""

    id: int
    person_id: int | None
    channel: str
    created_at: datetime
    status: str
    hold: str | None
    held_until: datetime | None
    # The change its save recorded.
    saved_at: datetime
    previous_status_id: int | None
    status_id: int | None

    def coalescing(self, now: datetime) -> bool:
        """Whether it still waits at `now` for the changes after it (`holds.hold._coalescing`
        reads the database by the same test)."""
        return (
            self.status == AlertStatus.HELD
            and self.hold == HoldReason.COALESCING
            and self.held_until is not None
            and aware(self.held_until) > now
        )


@dataclass
class LineWrites:
    """What one line's save writes, once the line has succeeded."""

    request_id: int = 0
    opened: bool = False  # the save opened the request
    records: list[Columns] = field(default_factory=list)
    alerts: list[Columns] = field(default_factory=list)
    faults: list[Columns] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    clock_due: datetime | None = None
    announce: bool = False


class Staging:
    """What a feed's transaction has decided and not yet written (see the module's text)."""

    def __init__(self, session: Session) -> None:
        self.ids = Ids(session)
        self.line = LineWrites()
        self._records: list[Columns] = []
        self._alerts: dict[int, Columns] = {}
        self._faults: list[Columns] = []
        self._updates: dict[int, Columns] = {}  # to alerts the database holds already
        self._clocks: dict[int, datetime] = {}
        self._announce = False
        # Each request's alerts held as they coalesce, by request id; and each by its id.
        self._held: dict[int, list[HeldRow]] = {}
        self._held_by_id: dict[int, tuple[int, HeldRow]] = {}
        # The created_at of each staged alert that counts against its reader's cap.
        self._counted: dict[int, list[datetime]] = defaultdict(list)

    def begin_line(self) -> LineWrites:
        self.line = LineWrites()
        return self.line

    # What later lines read.

    def knows_held(self, request_id: int) -> bool:
        return request_id in self._held

    def held(self, request_id: int) -> list[HeldRow]:
        return self._held.get(request_id, [])

    def remember_held(
        self, request_ids: Iterable[int], rows: Iterable[tuple[int, HeldRow]]
    ) -> None:
        """What the database holds of these requests' coalescing alerts, read once: (request
        id, row) pairs."""
        for request_id in request_ids:
            self._held.setdefault(request_id, [])
        for request_id, row in rows:
            if row.status == AlertStatus.HELD:  # one released or merged waits no more
                self._add_held(request_id, row)

    def counted(self, person_id: int, since: datetime, until: datetime) -> list[datetime]:
        """When the staged alerts that count against this reader's cap were written, between
        `since` (excluded) and `until`."""
        return [t for t in self._counted.get(person_id, []) if since < aware(t) <= until]

    # Taking a line that succeeded.

    def take(self, line: LineWrites) -> None:
        if line.opened:
            self._held.setdefault(line.request_id, [])
        changes = {r["id"]: r for r in line.records}
        self._records += line.records
        for row in line.alerts:
            row.setdefault("merged_into", None)  # every staged row has the same columns
            self._alerts[row["id"]] = row
            if row["status"] == AlertStatus.PENDING and row["person_id"] is not None:
                self._counted[row["person_id"]].append(row["created_at"])
            if row["status"] == AlertStatus.HELD and row["hold"] == HoldReason.COALESCING:
                record = changes[row["save_id"]]
                self._add_held(line.request_id, _held_row(row, record))
        self._faults += line.faults
        for ids, values in line.updates:
            for alert_id in ids:
                self._update(alert_id, values)
        if line.clock_due is not None:
            self._clocks[line.request_id] = line.clock_due
        self._announce |= line.announce

    def _add_held(self, request_id: int, row: HeldRow) -> None:
        self._held.setdefault(request_id, []).append(row)
        self._held_by_id[row.id] = request_id, row

    def _update(self, alert_id: int, values: Columns) -> None:
        found = self._held_by_id.get(alert_id)
        if found is None:
            return  # as the database's update does: only while it is still held
        request_id, held = found
        held.status = values.get("status", held.status)
        held.hold = values.get("hold", held.hold)
        held.held_until = values.get("held_until", held.held_until)
        if held.status != AlertStatus.HELD or held.hold != HoldReason.COALESCING:
            # Merged, or held for another reason: no later save reads or moves it.
            self._held[request_id].remove(held)
            del self._held_by_id[alert_id]
        if alert_id in self._alerts:
            self._alerts[alert_id].update(values)
        else:
            self._updates.setdefault(alert_id, {}).update(values)

    # Writing.

    def write(self, session: Session) -> None:
        """Write everything staged, requests first (the rows name them), and forget it; what
        the transaction knows of held alerts stays true, and is kept."""
        session.flush()
        if self._records:
            session.execute(insert(_SAVES), self._records)
        if self._alerts:
            session.execute(insert(_ALERTS), list(self._alerts.values()))
        if self._faults:
            session.execute(insert(_FAULTS), self._faults)
        self._write_updates(session)
        self._write_clocks(session)
        if self._announce:
            outbox.announce(session)
        self._records, self._alerts, self._faults = [], {}, []
        self._updates, self._clocks, self._announce = {}, {}, False
        self._counted.clear()

    def _write_updates(self, session: Session) -> None:
        by_columns: dict[tuple[str, ...], list[Columns]] = defaultdict(list)
        for alert_id, values in self._updates.items():
            names = tuple(sorted(values))
            by_columns[names].append(
                {"alert_id": alert_id, **{f"new_{k}": values[k] for k in names}}
            )
        for names, params in by_columns.items():
            session.execute(
                update(_ALERTS)
                .where(_ALERTS.c.id == bindparam("alert_id"), _ALERTS.c.status == AlertStatus.HELD)
                .values({name: bindparam(f"new_{name}") for name in names}),
                params,
            )

    def _write_clocks(self, session: Session) -> None:
        """As `sla.index.recheck` does for each request: its row due at its last save's time."""
        if not self._clocks:
            return
        ids = list(self._clocks)
        there = set(
            session.execute(
                select(_CLOCKS.c.request_id).where(_CLOCKS.c.request_id.in_(ids))
            ).scalars()
        )
        due = [{"rid": i, "at": self._clocks[i]} for i in ids if i in there]
        if due:
            session.execute(
                update(_CLOCKS)
                .where(_CLOCKS.c.request_id == bindparam("rid"))
                .values(next_check_at=bindparam("at")),
                due,
            )
        new = [{"request_id": i, "next_check_at": self._clocks[i]} for i in ids if i not in there]
        if new:
            session.execute(insert(_CLOCKS), new)


def _held_row(alert: Columns, record: Columns) -> HeldRow:
    return HeldRow(
        alert["id"],
        alert["person_id"],
        alert["channel"],
        alert["created_at"],
        alert["status"],
        alert["hold"],
        alert["held_until"],
        record["saved_at"],
        record["previous_status_id"],
        record["status_id"],
    )
