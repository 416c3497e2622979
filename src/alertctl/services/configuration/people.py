"""Contacts and collaborators: addresses, reception modes, alert opt-ins, leaving.

Both kinds go through the same functions; a contact also has a client and linked sites.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Client, Person, Site, contact_site
from alertctl.domain.model import Channel, Event, Language, PersonKind, PersonLanguage
from alertctl.domain.validation import check_code, check_text, normalize_email, normalize_fax
from alertctl.errors import Conflict, Invalid
from alertctl.services.common import (
    find_person,
    get_client,
    get_person,
    get_site,
    opt_in_column,
    opted_in_events,
    refuse_case_twin,
    refuse_if_referenced,
)
from alertctl.services.configuration.links import LinkRef, links_of_person


@dataclass(frozen=True)
class Reception:
    email: bool
    fax: bool


@dataclass(frozen=True)
class PersonRow:
    """A contact or collaborator, as `list` and `show` print them."""

    kind: PersonKind
    code: str
    name: str
    client: str | None
    sites: tuple[str, ...]
    email: str | None
    fax: str | None
    reception: Reception
    alerts: tuple[str, ...]
    active: bool
    # Their own language for alerts; None: their client's (collaborators: the request's).
    language: Language | None


@dataclass(frozen=True)
class PersonDetail(PersonRow):
    links: tuple[LinkRef, ...]


@dataclass
class Change:
    """What a service changed, and what the user should know about it."""

    row: PersonRow
    warnings: list[str] = field(default_factory=list)


def add_person(
    db: Database,
    *,
    kind: PersonKind,
    code: str,
    name: str | None,
    client: str | None = None,
    sites: Iterable[str] = (),
    email: str | None = None,
    fax: str | None = None,
    language: PersonLanguage = PersonLanguage.CLIENT,
    default_region: str = "FR",
) -> PersonRow:
    """Add a contact or collaborator; an address given is an active reception mode."""
    check_code(code, kind.value)
    name = check_text(name or code, "name")
    email = normalize_email(email) if email is not None else None
    fax = normalize_fax(fax, default_region) if fax is not None else None
    sites = list(sites)
    if kind is PersonKind.CONTACT and client is None:
        raise Invalid(
            "a contact needs a client", hint=f"alertctl contact add {code} --client CLIENT"
        )
    if kind is PersonKind.COLLABORATOR and (client is not None or sites):
        raise Invalid("a collaborator belongs to the support organisation: no client, no site")
    with db.session(write=True) as session:
        if find_person(session, kind, code) is not None:
            raise Conflict(
                f"{kind.value} {code!r} already exists",
                hint=f"to change it: alertctl {kind.value} update {code} "
                f"(alertctl {kind.value} show {code})",
            )
        refuse_case_twin(session, Person, code, kind.value, where=Person.kind == kind.value)
        owner = get_client(session, client) if client is not None else None
        site_rows = [get_site(session, owner, s) for s in sites] if owner else []
        person = Person(
            kind=kind.value,
            code=code,
            client_id=owner.id if owner else None,
            name=name,
            email=email,
            fax=fax,
            email_active=email is not None,
            fax_active=fax is not None,
            language=language.own(),
        )
        session.add(person)
        session.flush()
        _set_sites(session, person, site_rows)
        return _person_rows(session, [person])[0]


def update_person(
    db: Database,
    *,
    kind: PersonKind,
    code: str,
    name: str | None = None,
    email: str | None = None,
    fax: str | None = None,
    sites: list[str] | None = None,
    language: PersonLanguage | None = None,
    default_region: str = "FR",
) -> PersonRow:
    """Change a name, addresses, the language or (contacts) linked sites; empty text clears an
    address."""
    if name is not None:
        name = check_text(name, "name")
    new_email = (normalize_email(email) if email else None) if email is not None else None
    new_fax = (normalize_fax(fax, default_region) if fax else None) if fax is not None else None
    with db.session(write=True) as session:
        person = get_person(session, kind, code)
        if name is not None:
            person.name = name
        if email is not None:
            person.email = new_email
            person.email_active = new_email is not None
        if fax is not None:
            person.fax = new_fax
            person.fax_active = new_fax is not None
        if language is not None:
            person.language = language.own()
        if sites is not None:
            if kind is PersonKind.COLLABORATOR:
                raise Invalid("a collaborator has no site")
            owner = session.get(Client, person.client_id)
            assert owner is not None
            _set_sites(session, person, [get_site(session, owner, s) for s in sites], replace=True)
        session.add(person)
        session.flush()
        return _person_rows(session, [person])[0]


def list_people(db: Database, *, kind: PersonKind, client: str | None = None) -> list[PersonRow]:
    with db.session(write=False) as session:
        query = select(Person).where(Person.kind == kind.value).order_by(col(Person.code))
        if client is not None:
            query = query.where(Person.client_id == get_client(session, client).id)
        return _person_rows(session, list(session.exec(query).all()))


def show_person(db: Database, *, kind: PersonKind, code: str) -> PersonDetail:

    with db.session(write=False) as session:
        person = get_person(session, kind, code)
        row = _person_rows(session, [person])[0]
        return PersonDetail(
            **{f.name: getattr(row, f.name) for f in fields(row)},
            links=tuple(links_of_person(session, person)),
        )


def remove_person(db: Database, *, kind: PersonKind, code: str) -> None:
    with db.session(write=True) as session:
        person = get_person(session, kind, code)
        # The linked sites belong to the contact itself; links to alert sources do not.
        session.execute(delete(contact_site).where(contact_site.c.person_id == person.id))
        refuse_if_referenced(session, "person", person.id, f"{kind.value} {code!r}")
        session.delete(person)


def set_reception(
    db: Database, *, kind: PersonKind, code: str, email: bool | None, fax: bool | None
) -> Change:
    """Switch reception modes on or off. A mode switched on without an address is kept, with a
    warning: such a person is left out with `invalid_address` until the address is set."""
    if email is None and fax is None:
        raise Invalid(
            "nothing to change", hint=f"alertctl {kind.value} reception {code} --email on"
        )
    with db.session(write=True) as session:
        person = get_person(session, kind, code)
        warnings = []
        for channel, wanted in ((Channel.EMAIL, email), (Channel.FAX, fax)):
            if wanted is None:
                continue
            setattr(person, f"{channel.value}_active", wanted)
            if wanted and not getattr(person, channel.value):
                warnings.append(
                    f"{kind.value} {code!r} has no {channel.value} address: "
                    f"no {channel.value} alert can reach them until one is set "
                    f"(alertctl {kind.value} update {code} --{channel.value} ...)"
                )
        session.add(person)
        session.flush()
        return Change(_person_rows(session, [person])[0], warnings)


def set_opt_ins(
    db: Database, *, kind: PersonKind, code: str, on: list[Event], off: list[Event]
) -> PersonRow:
    """Tick and untick events among a person's own alert opt-ins."""
    both = set(on) & set(off)
    if both:
        raise Invalid(f"event {sorted(both)[0].value} is both --on and --off")
    if not on and not off:
        raise Invalid("nothing to change", hint=f"alertctl {kind.value} alerts {code} --on open")
    with db.session(write=True) as session:
        person = get_person(session, kind, code)
        for event in on:
            setattr(person, opt_in_column(event), True)
        for event in off:
            setattr(person, opt_in_column(event), False)
        session.add(person)
        session.flush()
        return _person_rows(session, [person])[0]


def set_active(db: Database, *, kind: PersonKind, code: str, active: bool) -> PersonRow:
    """A person who left (the client or the company) stays on record but gets no alert."""
    with db.session(write=True) as session:
        person = get_person(session, kind, code)
        person.active = active
        session.add(person)
        session.flush()
        return _person_rows(session, [person])[0]


def _set_sites(
    session: Session, person: Person, sites: list[Site], *, replace: bool = False
) -> None:
    if replace:
        session.execute(delete(contact_site).where(contact_site.c.person_id == person.id))
    unique = {site.id: site for site in sites}
    if unique:
        session.execute(
            insert(contact_site), [{"person_id": person.id, "site_id": sid} for sid in unique]
        )


def _person_rows(session: Session, people: list[Person]) -> list[PersonRow]:
    """The rows, with clients and sites loaded in two queries whatever the count."""
    client_ids = {p.client_id for p in people if p.client_id is not None}
    clients = (
        dict(
            session.exec(select(Client.id, Client.code).where(col(Client.id).in_(client_ids))).all()
        )
        if client_ids
        else {}
    )
    sites_of: dict[int, list[str]] = defaultdict(list)
    person_ids = [p.id for p in people if p.kind == PersonKind.CONTACT.value]
    if person_ids:
        rows = session.execute(
            select(contact_site.c.person_id, Site.code, Site.is_main)
            .join(Site, Site.id == contact_site.c.site_id)  # type: ignore[arg-type]
            .where(contact_site.c.person_id.in_(person_ids))
            .order_by(col(Site.code))
        ).all()
        for person_id, site_code, _is_main in rows:
            sites_of[person_id].append(site_code)
    return [
        PersonRow(
            kind=PersonKind(p.kind),
            code=p.code,
            name=p.name,
            client=clients.get(p.client_id) if p.client_id is not None else None,
            sites=tuple(sites_of.get(p.id or 0, [])),
            email=p.email,
            fax=p.fax,
            reception=Reception(p.email_active, p.fax_active),
            alerts=tuple(opted_in_events(p)),
            active=p.active,
            language=Language(p.language) if p.language else None,
        )
        for p in people
    ]
