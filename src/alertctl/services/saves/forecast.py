"""A forecast of the mail a configuration sends: the recorded saves of a period replayed
through the current configuration, or through a configuration file not yet applied, against
what was really sent. Each save's recorded events are decided again for the request as it was
at that save; nothing is written (the replay runs in a transaction that is rolled back)."""

import json
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.outbox import aware
from alertctl.db.tables import (
    Alert,
    Client,
    Contract,
    Person,
    Product,
    Request,
    RequestSave,
    Service,
    Site,
)
from alertctl.domain.holds import HoldReason, NoiseRules
from alertctl.domain.model import AlertStatus, Event
from alertctl.domain.recipients import most_specific, resolve
from alertctl.domain.replay import SUMMARY, Planned, Replay
from alertctl.services.configuration.document import Document
from alertctl.services.holds.rules import rules_for
from alertctl.services.saves.alert_slice import load

# The request's fields a save records by code, which decide who is reached.
_FIELDS = ("client", "contract", "site", "product", "service")
Who = tuple[str, str]  # kind, code


@dataclass(frozen=True)
class PersonForecast:
    """One person's mail over the period, by event: as replayed, and as the saves really made
    it; of the mails made, how many were delivered and how many wait in the outbox."""

    kind: str
    code: str
    name: str
    forecast: dict[str, int]
    made: dict[str, int]
    total: int
    total_made: int
    change: int  # total - total_made
    sent: int  # of the mails made, delivered
    queued: int  # of the mails made, not yet delivered nor given up (due, retrying, unknown)


@dataclass(frozen=True)
class Forecast:
    since: datetime
    until: datetime
    configuration: str  # "the current configuration", or the file's name
    saves: int  # the saves replayed: those of the period that raised an event
    people: tuple[PersonForecast, ...]  # the noisiest first

    @property
    def total(self) -> int:
        return sum(p.total for p in self.people)

    @property
    def total_made(self) -> int:
        return sum(p.total_made for p in self.people)

    @property
    def sent(self) -> int:
        return sum(p.sent for p in self.people)

    @property
    def queued(self) -> int:
        return sum(p.queued for p in self.people)


def forecast(
    db: Database,
    *,
    since: datetime,
    until: datetime,
    desired: Document | None = None,
    configuration: str = "the current configuration",
) -> Forecast:
    """`desired` is a checked configuration document (`config` apply's reading of a file):
    applied first, in the transaction that is rolled back."""
    rehearsal = Database(db.url, dry_run=True)
    try:
        with rehearsal.session(write=True) as session:
            if desired is not None:
                _apply(session, desired)
            saves = _saves(session, since, until)
            names: dict[Who, str] = {}
            mails = _replay(session, saves, names)
            made = _made(session, [s.id for s in saves if s.id is not None], names)
    finally:
        rehearsal.close()
    people = {who for who, _ in mails} | set(made.people)
    rows = [_person(who, names.get(who, "(erased)"), mails, made) for who in people]
    rows.sort(key=lambda p: (-p.total, -p.total_made, p.kind, p.code))
    return Forecast(since, until, configuration, len(saves), tuple(rows))


def _person(who: Who, name: str, mails: Counter[tuple[Who, str]], made: "_Made") -> PersonForecast:
    replayed, really = _by_event(mails, who), _by_event(made.by_event, who)
    total, total_made = sum(replayed.values()), sum(really.values())
    return PersonForecast(
        who[0],
        who[1],
        name,
        replayed,
        really,
        total,
        total_made,
        total - total_made,
        made.sent[who],
        made.queued[who],
    )


def _apply(session: Session, desired: Document) -> None:
    from alertctl.services.configuration.plan import make_plan
    from alertctl.services.configuration.read import read
    from alertctl.services.configuration.write import Applier

    plan = make_plan(read(session), desired, prune=False)
    Applier(session, desired).run(plan)
    session.flush()
    session.expire_all()


def _saves(session: Session, since: datetime, until: datetime) -> list[RequestSave]:
    return list(
        session.exec(
            select(RequestSave)
            .where(col(RequestSave.saved_at) >= since, col(RequestSave.saved_at) < until)
            .where(RequestSave.events != "")
            .order_by(col(RequestSave.saved_at), col(RequestSave.id))
        ).all()
    )


def _replay(
    session: Session, saves: list[RequestSave], names: dict[Who, str]
) -> Counter[tuple[Who, str]]:
    """Who each save's events would reach, as the request was at that save (and their
    names, into `names`)."""
    replay = Replay()
    fields = _fields_at_each_save(session, {s.request_id for s in saves})
    ids = _Ids(session)
    rules = _Rules(session)
    readers: dict[Hashable, Who] = {}
    for save in saves:
        request = session.get(Request, save.request_id)
        if request is None or save.id is None:
            continue
        ids.set(request, fields.get(save.id, {}))
        loaded = load(session, request)
        events = [Event(e) for e in save.events.split(",")]
        change = (save.previous_status_id, save.status_id)
        for decision in most_specific(resolve(loaded.slice, e) for e in events):
            for recipient in decision.recipients:
                person = recipient.person
                reader = loaded.person_ids[person.key]
                readers[reader] = (person.kind.value, person.code)
                names[readers[reader]] = person.name
                alert = Planned(
                    reader,
                    recipient.channel.value,
                    decision.event,
                    request.id,
                    aware(save.saved_at),
                    change if decision.event is Event.STATUS_CHANGE else None,
                )
                replay.add(alert, rules.of(reader, request.client_id))
    replay.finish()
    mails: Counter[tuple[Who, str]] = Counter()
    for (mailed, event), count in replay.mails.items():
        mails[(readers[mailed], event)] += count
    return mails


class _Rules:
    """Each reader's noise rules under a client, read once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[int, int], NoiseRules] = {}

    def of(self, person_id: int, client_id: int) -> NoiseRules:
        key = (person_id, client_id)
        if key not in self.cache:
            found = rules_for(self.session, [person_id], client_id)
            self.cache[key] = found[person_id]
        return self.cache[key]


def _fields_at_each_save(
    session: Session, request_ids: Iterable[int]
) -> dict[int, dict[str, str | None]]:
    """The codes of each save's request as they were once the save applied, from the changes
    every save of the request recorded, in order."""
    rows = session.exec(
        select(RequestSave)
        .where(col(RequestSave.request_id).in_(list(request_ids)))
        .order_by(col(RequestSave.request_id), col(RequestSave.saved_at), col(RequestSave.id))
    ).all()
    found: dict[int, dict[str, str | None]] = {}
    current: dict[int, dict[str, str | None]] = {}
    for save in rows:
        fields = current.setdefault(save.request_id, {})
        for name, (_, new) in json.loads(save.changes).items():
            if name in _FIELDS:
                fields[name] = new
        if save.id is not None:
            found[save.id] = dict(fields)
    return found


class _Ids:
    """Codes back to ids, each looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[str, ...], int | None] = {}

    def set(self, request: Request, fields: dict[str, str | None]) -> None:
        client = self._id(Client, fields.get("client"))
        if client is None:
            return  # a request always has a client: a save that names none changed nothing
        contract = self._id(Contract, fields.get("contract"))
        request.client_id, request.contract_id = client, contract
        request.product_id = self._id(Product, fields.get("product"))
        request.site_id = self._child(Site, "client_id", client, fields.get("site"))
        request.service_id = self._child(Service, "contract_id", contract, fields.get("service"))

    def _id(self, model: type[Client | Contract | Product], code: str | None) -> int | None:
        if code is None:
            return None
        key = (model.__name__, code)
        if key not in self.cache:
            self.cache[key] = self.session.exec(select(model.id).where(model.code == code)).first()
        return self.cache[key]

    def _child(
        self, model: type[Site | Service], parent: str, parent_id: int | None, code: str | None
    ) -> int | None:
        if code is None or parent_id is None:
            return None
        key = (model.__name__, str(parent_id), code)
        if key not in self.cache:
            self.cache[key] = self.session.exec(
                select(model.id).where(getattr(model, parent) == parent_id, model.code == code)
            ).first()
        return self.cache[key]


@dataclass
class _Made:
    by_event: Counter[tuple[Who, str]]
    sent: Counter[Who]
    queued: Counter[Who]

    @property
    def people(self) -> set[Who]:
        return {who for who, _ in self.by_event}


def _made(session: Session, save_ids: list[int], names: dict[Who, str]) -> _Made:
    """The mails those saves really made (copies sent again left out; alerts held, merged or
    skipped are not mails, the alerts a release made of them are), by person, and how many of
    them were delivered or wait (and the people's names, into `names`)."""
    rows = session.execute(
        sa_select(
            col(Person.kind),
            col(Person.code),
            col(Person.name),
            col(Alert.event),
            col(Alert.hold),
            col(Alert.status),
        )
        .join(Person, col(Person.id) == col(Alert.person_id))
        .where(col(Alert.save_id).in_(save_ids), col(Alert.copy_of).is_(None))
        .where(col(Alert.status).not_in(NOT_MAILS))
    ).all()
    made = _Made(Counter(), Counter(), Counter())
    for kind, code, name, event, hold, status in rows:
        made.by_event[((kind, code), SUMMARY if hold == HoldReason.SUMMARY else event)] += 1
        made.sent[(kind, code)] += status == AlertStatus.SENT
        made.queued[(kind, code)] += status in WAITING
        names.setdefault((kind, code), name)
    return made


# Alerts that are not mails of their own.
NOT_MAILS = (AlertStatus.HELD, AlertStatus.MERGED, AlertStatus.SKIPPED)
# Mails made and not yet delivered nor given up (dead or cancelled are neither).
WAITING = (AlertStatus.PENDING, AlertStatus.SENDING, AlertStatus.RETRY, AlertStatus.UNKNOWN)


def _by_event(counts: Counter[tuple[Who, str]], who: Who) -> dict[str, int]:
    """By event, then `summary` for the mails a release made of held alerts."""
    keys = [*(e.value for e in Event), SUMMARY]
    return {k: counts[(who, k)] for k in keys if counts[(who, k)]}
