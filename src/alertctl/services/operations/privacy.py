"""A person's data: all of it exported (GDPR article 15), or erased for good (article 17).

Erasing removes the person and every piece of personal data the history held about them (their
addresses, their name in the messages, the messages themselves, the replies that quoted their
address, their code in the saves' records), and keeps what the history needs without them: that
an alert of an event went out on a channel, when, and with what status. On SQLite every write
runs with `secure_delete` (freed bytes are overwritten with zeros), and the erase ends with a
TRUNCATE checkpoint and a read of the files for any copy SQLite left where it moved rows, which
is said (`db vacuum` rebuilds the file): a large file is not rebuilt by each erase. On
PostgreSQL the old row versions stay on disk until the tables are vacuumed: the README says
what to run.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlmodel import Session, col

from alertctl.db.engine import Database
from alertctl.db.tables import (
    Alert,
    AlertAttempt,
    AlertFault,
    Client,
    Person,
    Request,
    RequestSave,
    Site,
    contact_site,
    interlocutor_tables,
)
from alertctl.domain.model import AlertStatus, Language, PersonKind
from alertctl.domain.wording import counted
from alertctl.errors import Conflict
from alertctl.services.common import get_person, opted_in_events
from alertctl.services.configuration.links import links_of_person
from alertctl.services.configuration.people import Reception

ERASED = "(erased)"


@dataclass(frozen=True)
class Erased:
    kind: PersonKind
    code: str
    alerts: int  # alerts kept in the history, without the person's data
    cancelled: int  # alerts not sent yet, cancelled since they can no longer go anywhere
    faults: int
    saves: int  # request saves whose records named them
    wiped: bool  # no copy left in the database files (SQLite); False on PostgreSQL


@dataclass(frozen=True)
class ExportedAttempt:
    at: datetime
    outcome: str
    reply: str | None


@dataclass(frozen=True)
class ExportedAlert:
    id: int
    request: str
    event: str
    channel: str
    address: str
    status: AlertStatus
    created_at: datetime
    sent_at: datetime | None
    subject: str
    text: str
    html: str | None
    message: str | None
    attempts: tuple[ExportedAttempt, ...]


@dataclass(frozen=True)
class ExportedFault:
    event: str
    channel: str | None
    reason: str
    detail: str
    at: datetime


@dataclass(frozen=True)
class PersonExport:
    """Everything held about one person (GDPR article 15)."""

    kind: PersonKind
    code: str
    name: str
    client: str | None
    sites: tuple[str, ...]
    email: str | None
    fax: str | None
    reception: Reception
    alerts_opted_in: tuple[str, ...]
    active: bool
    language: Language | None  # their own; None: their client's
    links: tuple[str, ...]
    requested: tuple[str, ...]
    # The requests whose history names them (a requester they were, an alert replaced).
    named_in_history: tuple[str, ...]
    alerts: tuple[ExportedAlert, ...]
    faults: tuple[ExportedFault, ...]


def export_person(db: Database, *, kind: PersonKind, code: str) -> PersonExport:
    """Everything held about one person, as one document."""
    with db.session(write=False) as session:
        person = get_person(session, kind, code)
        requested = session.execute(
            select(col(Request.reference))
            .where(col(Request.requester_id) == person.id)
            .order_by(col(Request.reference))
        ).scalars()
        faults = session.execute(
            select(AlertFault)
            .where(col(AlertFault.person_id) == person.id)
            .order_by(col(AlertFault.id))
        ).scalars()
        return PersonExport(
            kind=kind,
            code=person.code,
            name=person.name,
            client=_client_code(session, person),
            sites=tuple(_sites(session, person)),
            email=person.email,
            fax=person.fax,
            reception=Reception(person.email_active, person.fax_active),
            alerts_opted_in=tuple(opted_in_events(person)),
            active=person.active,
            language=Language(person.language) if person.language else None,
            links=tuple(_links(session, person)),
            requested=tuple(requested),
            named_in_history=_requests_of(session, _saves_naming(session, kind, person.code)),
            alerts=tuple(_alerts(session, person)),
            faults=tuple(
                ExportedFault(f.event, f.channel, f.reason, f.detail, f.created_at) for f in faults
            ),
        )


def _client_code(session: Session, person: Person) -> str | None:
    if person.client_id is None:
        return None
    return session.execute(
        select(col(Client.code)).where(col(Client.id) == person.client_id)
    ).scalar()


def _sites(session: Session, person: Person) -> list[str]:
    rows = session.execute(
        select(col(Site.code))
        .join(contact_site, contact_site.c.site_id == col(Site.id))
        .where(contact_site.c.person_id == person.id)
        .order_by(col(Site.code))
    ).all()
    return [code for (code,) in rows]


def _links(session: Session, person: Person) -> list[str]:
    return [f"{link.source.value}:{link.target}" for link in links_of_person(session, person)]


def _alerts(session: Session, person: Person) -> list[ExportedAlert]:
    rows = session.execute(
        select(Alert, col(Request.reference))
        .join(Request, col(Request.id) == col(Alert.request_id))
        .where(col(Alert.person_id) == person.id)
        .order_by(col(Alert.id))
    ).all()
    attempts: dict[int, list[ExportedAttempt]] = {}
    for attempt in session.execute(
        select(AlertAttempt)
        .where(col(AlertAttempt.alert_id).in_([a.id for a, _ in rows]))
        .order_by(col(AlertAttempt.id))
    ).scalars():
        attempts.setdefault(attempt.alert_id, []).append(
            ExportedAttempt(attempt.finished_at, attempt.outcome, attempt.reply)
        )
    return [
        ExportedAlert(
            id=a.id or 0,
            request=reference,
            event=a.event,
            channel=a.channel,
            address=a.address,
            status=AlertStatus(a.status),
            created_at=a.created_at,
            sent_at=a.sent_at,
            subject=a.subject,
            text=a.text_body,
            html=a.html_body,
            message=a.raw_message,
            attempts=tuple(attempts.get(a.id or 0, [])),
        )
        for a, reference in rows
    ]


def erase_person(db: Database, *, kind: PersonKind, code: str) -> Erased:
    with db.session(write=True) as session:
        person = get_person(session, kind, code)
        traces = (person.email, person.fax, person.name)
        result = _erase(session, person, kind)
    if db.dry_run:  # it wrote nothing, so has nothing to wipe
        return Erased(kind, code, *result, wiped=True)
    # Not rebuilt (a large file would take long): read through instead, and any copy left
    # where SQLite moved rows (the README, Privacy) is said, with `db vacuum`, which clears it.
    wiped = db.empty_wal() and db.copies_left(t for t in traces if t) == 0
    return Erased(kind, code, *result, wiped=wiped)


def _erase(session: Session, person: Person, kind: PersonKind) -> tuple[int, int, int, int]:
    pid = person.id
    # The person's alerts are locked first: on PostgreSQL a sender's claim skips locked rows,
    # so none of them is claimed between this check and the commit, and nothing is sent to
    # the person, or written back, after it. (SQLite's write lock does the same.)
    session.execute(select(col(Alert.id)).where(col(Alert.person_id) == pid).with_for_update())
    sending = session.execute(
        select(func.count()).where(
            col(Alert.person_id) == pid, col(Alert.status) == AlertStatus.SENDING
        )
    ).scalar_one()
    if sending:
        raise Conflict(
            f"{counted(sending, 'alert')} to {kind.value} {person.code} being sent right now",
            hint="try again in a minute",
        )
    alert_ids = list(
        session.execute(select(col(Alert.id)).where(col(Alert.person_id) == pid)).scalars()
    )
    cancelled = session.execute(
        update(Alert)
        .where(
            col(Alert.person_id) == pid,
            col(Alert.status).in_((AlertStatus.PENDING, AlertStatus.RETRY, AlertStatus.HELD)),
        )
        .values(status=AlertStatus.CANCELLED, next_attempt_at=None, held_until=None)
    ).rowcount  # type: ignore[attr-defined]
    token = uuid.uuid4().hex[:12]
    for alert in session.execute(select(Alert).where(col(Alert.person_id) == pid)).scalars():
        save_key = alert.key.split("/", 1)[0]
        alert.key = f"{save_key}/{ERASED}:{token}/{alert.channel}"
        alert.person_id = None
        alert.address = ""
        alert.subject = ""  # a subject may name them ({{ recipient.name }})
        alert.lease_owner = None
        alert.text_body = ""
        alert.html_body = None
        alert.raw_message = None
        alert.last_reply = None
    if alert_ids:
        session.execute(
            update(AlertAttempt).where(col(AlertAttempt.alert_id).in_(alert_ids)).values(reply=None)
        )
    faults = session.execute(
        update(AlertFault).where(col(AlertFault.person_id) == pid).values(person_id=None, detail="")
    ).rowcount  # type: ignore[attr-defined]
    session.execute(
        update(Request).where(col(Request.requester_id) == pid).values(requester_id=None)
    )
    saves = _scrub_saves(session, kind, person.code)
    session.execute(delete(contact_site).where(contact_site.c.person_id == pid))
    for table in interlocutor_tables.values():
        session.execute(delete(table).where(table.c.person_id == pid))
    session.delete(person)
    return len(alert_ids), int(cancelled), int(faults), saves


def _requests_of(session: Session, saves: list[RequestSave]) -> tuple[str, ...]:
    ids = {save.request_id for save in saves}
    if not ids:
        return ()
    found = session.execute(
        select(col(Request.reference))
        .where(col(Request.id).in_(ids))
        .order_by(col(Request.reference))
    ).scalars()
    return tuple(found)


def _saves_naming(session: Session, kind: PersonKind, code: str) -> list[RequestSave]:
    """The saves whose records name the person by code: as requester in what changed, or among
    the alerts a more specific event replaced."""
    quoted = json.dumps(code)
    rows = session.execute(
        select(RequestSave).where(
            or_(
                col(RequestSave.changes).contains(quoted),
                col(RequestSave.superseded).contains(quoted),
            )
        )
    ).scalars()
    return [save for save in rows if _names(save, kind, code)]


def _names(save: RequestSave, kind: PersonKind, code: str) -> bool:
    requester = json.loads(save.changes).get("requester") or []
    superseded = json.loads(save.superseded)
    return code in requester or any(
        s.get("kind") == kind.value and s.get("code") == code for s in superseded
    )


def _scrub_saves(session: Session, kind: PersonKind, code: str) -> int:
    """The saves' records name people by code: each record that names the person is rewritten
    without them."""
    touched = 0
    for save in _saves_naming(session, kind, code):
        changes = json.loads(save.changes)
        requester = changes.get("requester")
        if requester is not None:
            changes["requester"] = [ERASED if v == code else v for v in requester]
        superseded = [
            {**s, "code": ERASED, "detail": ""}
            if s.get("kind") == kind.value and s.get("code") == code
            else s
            for s in json.loads(save.superseded)
        ]
        save.changes = json.dumps(changes, ensure_ascii=False)
        save.superseded = json.dumps(superseded, ensure_ascii=False)
        touched += 1
    return touched
