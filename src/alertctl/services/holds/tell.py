"""What a release or a carrier says of held alerts: their reader's language and zone, and the
status changes they were about."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from alertctl.db.outbox import aware
from alertctl.db.tables import Alert, Client, Person, RequestSave, Status
from alertctl.domain.model import Language
from alertctl.services.common import ident
from alertctl.services.holds.rules import defaults
from alertctl.services.saves.feed_memory import FeedMemory, row
from alertctl.templates.summary import Transition


@dataclass(frozen=True)
class Reader:
    language: Language
    zone: str


def reader_of(
    session: Session,
    person_id: int | None,
    request_client_id: int | None,
    memory: FeedMemory | None = None,
) -> Reader:
    """The language the person reads (their own, their client's, or for a collaborator the
    request's client's) and the zone of their quiet hours and digests."""
    person = row(session, memory, Person, person_id) if person_id is not None else None
    language = person.language if person is not None else None
    if language is None:
        client_id = person.client_id if person is not None and person.client_id else None
        if client_id is None:
            client_id = request_client_id
        client = row(session, memory, Client, client_id) if client_id is not None else None
        language = client.language if client is not None else Language.FR.value
    zone = (person.zone if person is not None else None) or defaults(session, memory).zone
    return Reader(Language(language), zone)


@dataclass(frozen=True)
class Change:
    """One status change, as the save that made it recorded it."""

    saved_at: datetime
    previous_status_id: int | None
    status_id: int | None


def told(
    changes: Sequence[Change], statuses: Mapping[int, Status], reader: Reader
) -> list[Transition]:
    """These changes, in the order given, as `reader` reads them."""
    zone = ZoneInfo(reader.zone)

    def label(status_id: int | None) -> str:
        status = statuses.get(status_id) if status_id is not None else None
        return status.label_in(reader.language) if status is not None else "-"

    return [
        Transition(
            aware(c.saved_at).astimezone(zone), label(c.previous_status_id), label(c.status_id)
        )
        for c in changes
    ]


def statuses_of(
    session: Session, changes: Iterable[Change], memory: FeedMemory | None = None
) -> dict[int, Status]:
    """The statuses these changes name (by the session's identity map: a handful in all)."""
    ids = {i for c in changes for i in (c.previous_status_id, c.status_id) if i is not None}
    return {i: s for i in ids if (s := row(session, memory, Status, i)) is not None}


def changes_of(session: Session, alerts: Sequence[Alert]) -> dict[int, Change]:
    """The change each of these alerts' saves recorded, by save id, in one query."""
    saves = select(RequestSave).where(col(RequestSave.id).in_({a.save_id for a in alerts}))
    return {
        ident(s.id): Change(s.saved_at, s.previous_status_id, s.status_id)
        for s in session.exec(saves)
    }
