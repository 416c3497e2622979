"""`alertctl alerts recover`: once the cause of a fault is fixed (a template mended, an address
corrected), the alerts the fault stopped are queued, each exactly once, to the people they would
have reached, rendered with what is fixed; each fault is then marked handled, so `check` turns
green at once. A fault still there is said again and left as it is.

An alert is queued under the key its save would have given it (save, person, channel): one
already in the outbox, queued by any path, is never queued twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.tables import Alert, AlertFault, Request, RequestSave
from alertctl.domain.model import Channel, Event, PersonKind
from alertctl.domain.person import PersonKey
from alertctl.errors import NotFound
from alertctl.services.common import insert_rows
from alertctl.services.saves.alert_slice import load
from alertctl.services.saves.decide import Outcome, decide, faults_of
from alertctl.services.saves.save_alerts import SavedAs, queue_columns
from alertctl.services.sla.clocks import with_clock


@dataclass(frozen=True)
class Recovered:
    """One fault, and what became of it."""

    fault: int
    request: str
    event: Event
    kind: PersonKind | None
    code: str | None
    channel: Channel | None
    outcome: str  # queued, already queued, still failing, no longer a recipient, dismissed
    alert: int | None = None
    detail: str = ""


def recover(db: Database, *, request: str | None = None, dismiss: bool = False) -> list[Recovered]:
    """Every fault not yet handled (of one request, or all): its alert queued if the cause is
    gone, or (`dismiss`) marked handled without sending anything."""
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        faults = _unhandled(session, request)
        by_save: defaultdict[tuple[int, str], list[AlertFault]] = defaultdict(list)
        for fault in faults:
            by_save[(fault.save_id, fault.event)].append(fault)
        found: list[Recovered] = []
        for (save_id, event), some in by_save.items():
            found += _recover_save(session, save_id, Event(event), some, dismiss, now)
        if any(r.alert is not None for r in found):
            outbox.announce(session)
        return found


def _unhandled(session: Session, request: str | None) -> list[AlertFault]:
    query = select(AlertFault).where(col(AlertFault.handled_at).is_(None))
    if request is not None:
        found = session.execute(
            select(col(Request.id)).where(col(Request.reference) == request)
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"unknown request {request!r}", hint="alertctl request list")
        query = query.where(col(AlertFault.request_id) == found)
    return list(session.execute(query.order_by(col(AlertFault.id))).scalars())


def _recover_save(
    session: Session,
    save_id: int,
    event: Event,
    faults: list[AlertFault],
    dismiss: bool,
    now: datetime,
) -> list[Recovered]:
    save = session.get(RequestSave, save_id)
    request = session.get(Request, faults[0].request_id)
    assert save is not None and request is not None
    # An SLA event's alert tells of its clock as it stands now.
    loaded = with_clock(session, load(session, request), request, event)
    people = {pid: key for key, pid in loaded.person_ids.items()}
    (outcome,) = decide(loaded, [event])
    still = {(f.person.key, f.channel): f.detail for f in faults_of(loaded, [outcome])}
    saved = SavedAs(save_id, save.save_key)
    found = []
    for fault in faults:
        key = people.get(fault.person_id) if fault.person_id is not None else None
        if dismiss or key is None:
            result = _as(fault, request, key, "dismissed" if dismiss else "no longer a recipient")
        else:
            result = _one(session, fault, request, key, outcome, still, saved, now)
        if result.outcome != "still failing":
            fault.handled_at, fault.handled = now, _note(result)
            session.add(fault)
        found.append(result)
    return found


def _one(
    session: Session,
    fault: AlertFault,
    request: Request,
    key: PersonKey,
    outcome: Outcome,
    still: dict[tuple[PersonKey, Channel | None], str],
    saved: SavedAs,
    now: datetime,
) -> Recovered:
    channel = Channel(fault.channel) if fault.channel else None
    failing = still.get((key, channel)) or (still.get((key, None)) if channel is None else None)
    if failing is not None:
        return _as(fault, request, key, "still failing", detail=failing)
    recipients = [
        r
        for r in outcome.decision.recipients
        if r.person.key == key and (channel is None or r.channel is channel)
    ]
    if not recipients:
        return _as(fault, request, key, "no longer a recipient")
    columns = [queue_columns(saved, request, outcome, r, fault.person_id, now) for r in recipients]
    keys = [c["key"] for c in columns]
    queued = set(session.execute(select(col(Alert.key)).where(col(Alert.key).in_(keys))).scalars())
    fresh = [c for c in columns if c["key"] not in queued]
    ids = insert_rows(session, Alert.__table__, fresh, unique="key")  # type: ignore[attr-defined]
    if not ids:
        return _as(fault, request, key, "already queued")
    return _as(fault, request, key, "queued", alert=ids[0])


def _as(
    fault: AlertFault,
    request: Request,
    key: PersonKey | None,
    outcome: str,
    *,
    alert: int | None = None,
    detail: str = "",
) -> Recovered:
    return Recovered(
        fault.id or 0,
        request.reference,
        Event(fault.event),
        key.kind if key else None,
        key.code if key else None,
        Channel(fault.channel) if fault.channel else None,
        outcome,
        alert,
        detail,
    )


def _note(result: Recovered) -> str:
    return f"{result.outcome} (alert {result.alert})" if result.alert else result.outcome
