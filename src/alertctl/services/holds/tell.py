"""What a release or a carrier says of held alerts: their reader's language and zone, and the
status changes they were about."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from alertctl.db.outbox import aware
from alertctl.db.tables import Client, Person, Request, RequestSave, Status
from alertctl.domain.model import Language
from alertctl.services.holds.rules import defaults
from alertctl.templates.summary import Transition


class Told(Protocol):
    """What telling of a held alert reads of it: an outbox row, as an object or as the few
    columns a save read (holding reads them by Core, so that a feed's session holds no alert)."""

    @property
    def id(self) -> int | None: ...
    @property
    def person_id(self) -> int | None: ...
    @property
    def request_id(self) -> int: ...
    @property
    def save_id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class Reader:
    language: Language
    zone: str


def reader_of(session: Session, alert: Told) -> Reader:
    """The language the person reads (their own, their client's, or for a collaborator the
    request's client's) and the zone of their quiet hours and digests."""
    person = session.get(Person, alert.person_id) if alert.person_id is not None else None
    language = person.language if person is not None else None
    if language is None:
        client_id = person.client_id if person is not None and person.client_id else None
        if client_id is None:
            request = session.get(Request, alert.request_id)
            client_id = request.client_id if request is not None else None
        client = session.get(Client, client_id) if client_id is not None else None
        language = client.language if client is not None else Language.FR.value
    zone = (person.zone if person is not None else None) or defaults(session).zone
    return Reader(Language(language), zone)


class Changes:
    """The status changes some held alerts told of, read once (their saves in one query, the
    statuses in another), to be told to each reader."""

    def __init__(self, session: Session, alerts: Sequence[Told]) -> None:
        ids = list({a.save_id for a in alerts})
        self.saves = {
            s.id: s for s in session.exec(select(RequestSave).where(col(RequestSave.id).in_(ids)))
        }
        statuses = {i for s in self.saves.values() for i in (s.previous_status_id, s.status_id)}
        self.statuses = {
            s.id: s
            for s in session.exec(select(Status).where(col(Status.id).in_(statuses - {None})))
        }

    def told(self, alerts: Sequence[Told], reader: Reader) -> list[Transition]:
        """The changes of these alerts (among those read), in order, as `reader` reads them."""
        zone = ZoneInfo(reader.zone)

        def label(status_id: int | None) -> str:
            status = self.statuses.get(status_id) if status_id is not None else None
            return status.label_in(reader.language) if status is not None else "-"

        found = []
        for alert in sorted(alerts, key=lambda a: (a.created_at, a.id or 0)):
            save = self.saves[alert.save_id]
            found.append(
                Transition(
                    aware(save.saved_at).astimezone(zone),
                    label(save.previous_status_id),
                    label(save.status_id),
                )
            )
        return found


def transitions_of(session: Session, alerts: Sequence[Told], reader: Reader) -> list[Transition]:
    """The status changes these alerts told of, in order, as `reader` reads them."""
    return Changes(session, alerts).told(alerts, reader)


def back_to_start(session: Session, alerts: Sequence[Told]) -> Status | None:
    """The status the request is back at when these changes ended where they started."""
    ordered = sorted(alerts, key=lambda a: (a.created_at, a.id or 0))
    first = session.get(RequestSave, ordered[0].save_id)
    last = session.get(RequestSave, ordered[-1].save_id)
    if first is None or last is None or first.previous_status_id != last.status_id:
        return None
    return session.get(Status, last.status_id)
