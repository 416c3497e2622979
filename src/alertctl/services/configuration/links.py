"""Interlocutors: which contacts and collaborators are linked to which alert source."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import (
    Client,
    Contract,
    Person,
    Product,
    Service,
    Site,
    contact_site,
    contract_beneficiary,
    interlocutor_tables,
)
from alertctl.domain.confidentiality import contact_may_link, cross_client_link_message
from alertctl.domain.model import Channel, PersonKind, Source
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.common import (
    get_by_code,
    get_client,
    get_contract,
    get_person,
    get_service,
    get_site,
    ident,
    opted_in_events,
    split_path,
)


@dataclass(frozen=True)
class Interlocutor:
    """A person linked to a source, as `show` lists them under it."""

    kind: PersonKind
    code: str
    name: str
    channels: dict[str, str]  # each active channel and its address
    alerts: tuple[str, ...]
    active: bool
    # Whether a contact is on the client's main site; collaborators have no such fact.
    on_main_site: bool | None = field(default=None, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class Link:
    """A person linked to a source (`link`, `unlink`)."""

    source: Source
    target: str
    kind: PersonKind
    code: str


def resolve_target(session: Session, source: Source, target: str) -> tuple[int, str]:
    """The id behind a target as users write it: a code, CLIENT/SITE or CONTRACT/SERVICE."""
    if source is Source.PRODUCT:
        product = get_by_code(session, Product, target, "product")
        assert product.id is not None
        return product.id, product.code
    if source is Source.SITE:
        client_code, site_code = split_path(target, "site", "client")
        site = get_site(session, get_client(session, client_code), site_code)
        assert site.id is not None
        return site.id, target
    if source is Source.SERVICE:
        contract_code, service_code = split_path(target, "service", "contract")
        service = get_service(session, get_contract(session, contract_code), service_code)
        assert service.id is not None
        return service.id, target
    owner: Contract | Client = (
        get_contract(session, target) if source is Source.CONTRACT else get_client(session, target)
    )
    assert owner.id is not None
    return owner.id, owner.code


def link(
    db: Database, *, source: Source, target: str, kind: PersonKind, code: str, linked: bool
) -> Link:
    """Link a person to (or unlink them from) a source; doing what is already done is an error."""
    table = interlocutor_tables[source.value]
    with db.session(write=True) as session:
        target_id, target_name = resolve_target(session, source, target)
        person = get_person(session, kind, code)
        key = (table.c.person_id == person.id) & (table.c.target_id == target_id)
        exists = session.execute(select(table.c.person_id).where(key)).first() is not None
        label = f"{kind.value} {code!r}"
        if linked and exists:
            raise Conflict(f"{label} is already linked to {source.value} {target_name}")
        if not linked and not exists:
            raise NotFound(f"{label} is not linked to {source.value} {target_name}")
        if linked:
            _refuse_cross_client(session, person, source, target_id, target_name)
            session.execute(insert(table).values(person_id=person.id, target_id=target_id))
        else:
            session.execute(delete(table).where(key))
        return Link(source, target_name, kind, code)


def _refuse_cross_client(
    session: Session, person: Person, source: Source, target_id: int, target_name: str
) -> None:
    """A contact linked where it could only ever hear of other clients' requests is refused
    (docs/rules.md, rule 3)."""
    if person.kind != PersonKind.CONTACT.value or person.client_id is None:
        return
    own = session.get(Client, person.client_id)
    assert own is not None
    clients = target_clients(session, source, [target_id]).get(target_id, frozenset())
    if not contact_may_link(source, own.code, clients):
        raise Invalid(
            cross_client_link_message(person.code, own.code, source, target_name, clients),
            hint="link a contact of that client, or a collaborator",
        )


def target_clients(session: Session, source: Source, ids: list[int]) -> dict[int, frozenset[str]]:
    """The clients whose requests each target concerns: a site's or a client's own; a
    contract's, or its service's, holder and beneficiaries. Products concern every client and
    are not looked up. Two queries at most, whatever the number of targets."""
    if not ids or source is Source.PRODUCT:
        return {}
    if source is Source.SITE:
        rows = session.exec(
            select(Site.id, Client.code).join(Client).where(col(Site.id).in_(ids))
        ).all()
        return {ident(i): frozenset({code}) for i, code in rows}
    if source is Source.CLIENT:
        rows = session.exec(select(Client.id, Client.code).where(col(Client.id).in_(ids))).all()
        return {ident(i): frozenset({code}) for i, code in rows}
    contract_of: dict[int, int] = (
        {i: i for i in ids}
        if source is Source.CONTRACT
        else {
            ident(i): c
            for i, c in session.exec(
                select(Service.id, Service.contract_id).where(col(Service.id).in_(ids))
            ).all()
        }
    )
    holders = select(Contract.id, Client.code).join(Client, col(Client.id) == Contract.client_id)
    beneficiaries = select(contract_beneficiary.c.contract_id, Client.code).join(
        Client,
        Client.id == contract_beneficiary.c.client_id,  # type: ignore[arg-type]
    )
    wanted = set(contract_of.values())
    clients: dict[int, set[str]] = {c: set() for c in wanted}
    for contract_id, code in session.execute(
        holders.where(col(Contract.id).in_(wanted)).union_all(
            beneficiaries.where(contract_beneficiary.c.contract_id.in_(wanted))
        )
    ).all():
        clients[contract_id].add(code)
    return {i: frozenset(clients[c]) for i, c in contract_of.items()}


@dataclass(frozen=True)
class CrossClientLink:
    """A contact linked to a target of other clients only: it can never be alerted through it."""

    code: str
    client: str
    source: Source
    target: str
    target_clients: frozenset[str]


def cross_client_links(session: Session) -> list[CrossClientLink]:
    """Every link of a contact to a site, client, contract or service of other clients only (made
    before rule 3 refused them, or left behind by a change of client or of beneficiaries)."""
    found: list[CrossClientLink] = []
    for source in (Source.SITE, Source.CONTRACT, Source.SERVICE, Source.CLIENT):
        table = interlocutor_tables[source.value]
        rows = session.execute(
            select(table.c.target_id, Person.code, Client.code)
            .join(Person, Person.id == table.c.person_id)  # type: ignore[arg-type]
            .join(Client, col(Client.id) == col(Person.client_id))
            .where(Person.kind == PersonKind.CONTACT.value)
            .order_by(col(Person.code))
        ).all()
        clients = target_clients(session, source, sorted({r[0] for r in rows}))
        names = target_names(session, source, sorted({r[0] for r in rows}))
        found += [
            CrossClientLink(
                code, own, source, names[target_id], clients.get(target_id, frozenset())
            )
            for target_id, code, own in rows
            if not contact_may_link(source, own, clients.get(target_id, frozenset()))
        ]
    return found


def interlocutors_of(
    session: Session, source: str, target_ids: list[int | None]
) -> dict[int | None, list[Interlocutor]]:
    """The people linked to each target of one source, in one query."""
    table = interlocutor_tables[source]
    by_target: dict[int | None, list[Interlocutor]] = {tid: [] for tid in target_ids}
    if not target_ids:
        return by_target
    rows = session.execute(
        select(table.c.target_id, Person)
        .join(Person, Person.id == table.c.person_id)  # type: ignore[arg-type]
        .where(table.c.target_id.in_(target_ids))
        .order_by(col(Person.kind), col(Person.code))
    ).all()
    main_site_people = _people_on_main_site(session, [p.id for _, p in rows])
    for target_id, person in rows:
        by_target[target_id].append(summarise(person, on_main_site=person.id in main_site_people))
    return by_target


def summarise(person: Person, *, on_main_site: bool) -> Interlocutor:
    channels = {
        channel.value: getattr(person, channel.value)
        for channel in Channel
        if getattr(person, f"{channel.value}_active")
    }
    contact = person.kind == PersonKind.CONTACT.value
    return Interlocutor(
        kind=PersonKind(person.kind),
        code=person.code,
        name=person.name,
        channels=channels,
        alerts=tuple(opted_in_events(person)),
        active=person.active,
        on_main_site=on_main_site if contact else None,
    )


def _people_on_main_site(session: Session, person_ids: list[int | None]) -> set[int | None]:
    if not person_ids:
        return set()
    rows = session.execute(
        select(contact_site.c.person_id)
        .join(Site, Site.id == contact_site.c.site_id)  # type: ignore[arg-type]
        .where(contact_site.c.person_id.in_(person_ids), col(Site.is_main))
    ).all()
    return {r[0] for r in rows}


@dataclass(frozen=True)
class LinkRef:
    """A source a person is linked to, named as `alertctl link` takes it."""

    source: Source
    target: str


def links_of_person(session: Session, person: Person) -> list[LinkRef]:
    """Every source a person is linked to, named as `link` takes it (one query per source)."""
    links: list[LinkRef] = []
    for source in Source:
        table = interlocutor_tables[source.value]
        ids = list(
            session.execute(
                select(table.c.target_id).where(table.c.person_id == person.id)
            ).scalars()
        )
        for name in sorted(target_names(session, source, ids).values()):
            links.append(LinkRef(source, name))
    return links


def target_names(session: Session, source: Source, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    if source is Source.SITE:
        sites = session.exec(
            select(Site.id, Client.code, Site.code).join(Client).where(col(Site.id).in_(ids))
        ).all()
        return {ident(i): f"{c}/{s}" for i, c, s in sites}
    if source is Source.SERVICE:
        services = session.exec(
            select(Service.id, Contract.code, Service.code)
            .join(Contract)
            .where(col(Service.id).in_(ids))
        ).all()
        return {ident(i): f"{c}/{s}" for i, c, s in services}
    model: Any = {Source.PRODUCT: Product, Source.CONTRACT: Contract, Source.CLIENT: Client}[source]
    return dict(session.exec(select(model.id, model.code).where(model.id.in_(ids))).all())
