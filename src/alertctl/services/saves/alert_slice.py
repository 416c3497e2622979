"""Loading what recipient resolution and rendering need for one request, in a fixed number of
queries whatever the size of the database."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from sqlmodel import Session, col, select

from alertctl.db.tables import (
    Client,
    ClientAlertSetting,
    Contract,
    Person,
    Product,
    Request,
    Service,
    Site,
    Status,
    Template,
    contact_site,
    interlocutor_tables,
)
from alertctl.domain.model import (
    Event,
    Language,
    MailFormat,
    PersonKind,
    Source,
    default_template_name,
)
from alertctl.domain.person import Person as PersonFacts
from alertctl.domain.person import PersonKey
from alertctl.domain.recipients import AlertSlice, ClientAlert
from alertctl.errors import NotFound
from alertctl.services.common import opted_in_events
from alertctl.services.saves.feed_memory import ConfigurationKey, FeedMemory, row
from alertctl.templates.context import (
    ClockFacts,
    Named,
    RequestContext,
    RequestFacts,
    StatusFacts,
)
from alertctl.templates.render import RenderError, check_syntax


@dataclass(frozen=True)
class Loaded:
    """A request's alert slice, the templates its client's settings can use, and the template
    context that does not depend on the recipient."""

    slice: AlertSlice
    # The template a client's setting names, for the events whose setting names one.
    own_templates: dict[Event, Template]
    # The shipped default of each event and language, used for a setting that names none.
    shipped: dict[tuple[Event, Language], Template]
    # The language of the request's client: a collaborator's, unless they have their own.
    language: Language
    context: RequestContext
    # The status and the previous status as an alert in each language names them.
    statuses: dict[Language, tuple[StatusFacts | None, StatusFacts | None]]
    person_ids: dict[PersonKey, int]
    # The configuration it was loaded from: a feed's memory keeps each event's decision per
    # configuration, since a decision depends on nothing else.
    configuration: ConfigurationKey
    # The clock an SLA event is about, in each language (set by the clock check and by
    # previews); None for a save's events.
    clock: Mapping[Language, ClockFacts] | None = None

    def request_in(self, language: Language) -> RequestFacts:
        """The request's facts as a template in `language` sees them (its statuses' labels)."""
        status, previous = self.statuses[language]
        return {**self.context["request"], "status": status, "previous_status": previous}

    def template_for(self, event: Event, language: Language) -> tuple[str, Template | None]:
        """The template a recipient reading `language` gets: the client's own as set, or the
        shipped default of that language (None: it does not exist)."""
        own = self.own_templates.get(event)
        if own is not None:
            return own.name, own
        name = default_template_name(event, language)
        return name, self.shipped.get((event, language))


def get_request(session: Session, reference: str) -> Request:
    row = session.exec(select(Request).where(Request.reference == reference)).first()
    if row is None:
        raise NotFound(f"unknown request {reference!r}", hint="alertctl request list")
    return row


def status_dict(status: Status | None, language: Language = Language.FR) -> StatusFacts | None:
    if status is None:
        return None
    return {"code": status.code, "label": status.label_in(language.value), "type": status.type}


def _named(row: Site | Contract | Service | Product | None) -> Named | None:
    return {"code": row.code, "name": row.name} if row is not None else None


def _statuses(
    status: Status | None, previous: Status | None
) -> dict[Language, tuple[StatusFacts | None, StatusFacts | None]]:
    return {
        language: (status_dict(status, language), status_dict(previous, language))
        for language in Language
    }


def load(
    session: Session,
    request: Request,
    *,
    previous_status: Status | None = None,
    memory: FeedMemory | None = None,
) -> Loaded:
    client = row(session, memory, Client, request.client_id)
    assert client is not None
    contract = row(session, memory, Contract, request.contract_id) if request.contract_id else None
    site = row(session, memory, Site, request.site_id) if request.site_id else None
    product = row(session, memory, Product, request.product_id) if request.product_id else None
    service = row(session, memory, Service, request.service_id) if request.service_id else None
    status = row(session, memory, Status, request.status_id)
    holder = row(session, memory, Client, contract.client_id) if contract else None
    targets = _targets(client, contract, site, product, service)
    key = configuration_key(request)
    config = _configuration(session, request, client, key, memory)
    alert_slice = AlertSlice(
        request=request.reference,
        client=client.code,
        contract=contract.code if contract else None,
        settings=config.settings,
        enabled_sources=frozenset(
            s for s in Source if contract is not None and getattr(contract, f"source_{s.value}")
        ),
        targets=targets,
        links=config.links,
        people=config.people,
        main_site=config.main_site,
        holder=holder.code if holder else None,
    )
    context: RequestContext = {
        "request": {
            "reference": request.reference,
            "title": request.title,
            "external_description": request.external_description or "",
            "status": status_dict(status),
            "previous_status": status_dict(previous_status),
            "state": request.state,
            "opened_at": request.created_at.isoformat(),
            "updated_at": request.updated_at.isoformat(),
        },
        "client": {"code": client.code, "name": client.name},
        "site": _named(site),
        "contract": _named(contract),
        "service": _named(service),
        "product": _named(product),
    }
    return Loaded(
        alert_slice,
        config.own_templates,
        config.shipped,
        Language(client.language),
        context,
        _statuses(status, previous_status),
        config.person_ids,
        key,
    )


@dataclass(frozen=True)
class _Configuration:
    """What a request's alerts depend on besides the request: the same for every request of
    the same client, contract, site, product and service."""

    settings: dict[Event, ClientAlert]
    own_templates: dict[Event, Template]
    shipped: dict[tuple[Event, Language], Template]
    links: dict[PersonKey, frozenset[Source]]
    people: dict[PersonKey, PersonFacts]
    person_ids: dict[PersonKey, int]
    main_site: str | None


def configuration_key(request: Request) -> ConfigurationKey:
    return (
        request.client_id,
        request.contract_id,
        request.site_id,
        request.product_id,
        request.service_id,
    )


def _configuration(
    session: Session,
    request: Request,
    client: Client,
    key: ConfigurationKey,
    memory: FeedMemory | None,
) -> _Configuration:
    if memory is not None and key in memory.configurations:
        return cast(_Configuration, memory.configurations[key])
    links = _links(session, request)
    people = (
        session.exec(
            select(Person, Client.language, Client.code)
            .join(Client, col(Client.id) == col(Person.client_id), isouter=True)
            .where(col(Person.id).in_({pid for pid, _ in links}))
        ).all()
        if links
        else []
    )
    on_main = _on_main_site(session, client, [p.id for p, _, _ in people])
    facts = {
        p.id: _facts(p, on_main_site=p.id in on_main, client=(code, language))
        for p, language, code in people
    }
    person_links: dict[PersonKey, set[Source]] = {}
    for person_id, source in links:
        person_links.setdefault(facts[person_id].key, set()).add(source)
    settings, own_templates, shipped = _settings(session, client)
    main_site = session.exec(
        select(Site.code).where(Site.client_id == client.id, col(Site.is_main))
    ).first()
    found = _Configuration(
        settings=settings,
        own_templates=own_templates,
        shipped=shipped,
        links={key: frozenset(sources) for key, sources in person_links.items()},
        people={f.key: f for f in facts.values()},
        person_ids={f.key: pid for pid, f in facts.items() if pid is not None},
        main_site=f"{client.code}/{main_site}" if main_site else None,
    )
    if memory is not None:
        memory.configurations[key] = found
    return found


def _targets(
    client: Client,
    contract: Contract | None,
    site: Site | None,
    product: Product | None,
    service: Service | None,
) -> dict[Source, str]:
    targets: dict[Source, str] = {}
    if product:
        targets[Source.PRODUCT] = product.code
    if site:
        targets[Source.SITE] = f"{client.code}/{site.code}"
    if contract:
        targets[Source.CONTRACT] = contract.code
        if service:
            targets[Source.SERVICE] = f"{contract.code}/{service.code}"
    targets[Source.CLIENT] = client.code
    return targets


def _links(session: Session, request: Request) -> list[tuple[int, Source]]:
    """(person id, source) for every interlocutor of the sources that apply to the request."""
    target_of = {
        Source.PRODUCT: request.product_id,
        Source.SITE: request.site_id,
        Source.CONTRACT: request.contract_id,
        Source.SERVICE: request.service_id if request.contract_id else None,
        Source.CLIENT: request.client_id,
    }
    found: list[tuple[int, Source]] = []
    for source, target_id in target_of.items():
        if target_id is None:
            continue
        table = interlocutor_tables[source.value]
        ids = session.execute(
            select(table.c.person_id).where(table.c.target_id == target_id)
        ).scalars()
        found.extend((pid, source) for pid in ids)
    return found


def _on_main_site(session: Session, client: Client, person_ids: list[int | None]) -> set[int]:
    if not person_ids:
        return set()
    rows = session.execute(
        select(contact_site.c.person_id)
        .join(Site, Site.id == contact_site.c.site_id)  # type: ignore[arg-type]
        .where(
            contact_site.c.person_id.in_(person_ids),
            col(Site.is_main),
            Site.client_id == client.id,
        )
    ).scalars()
    return set(rows)


def person_facts(session: Session, request: Request, person: Person) -> PersonFacts:
    """The alert facts of one person, linked to the request or not (for explanations)."""
    client = session.get(Client, request.client_id)
    assert client is not None
    own = session.get(Client, person.client_id) if person.client_id else None
    return _facts(
        person,
        on_main_site=person.id in _on_main_site(session, client, [person.id]),
        client=(own.code, own.language) if own else (None, None),
    )


def _facts(
    person: Person, *, on_main_site: bool, client: tuple[str | None, str | None]
) -> PersonFacts:
    """`client`: a contact's client's code and language (None for a collaborator)."""
    client_code, client_language = client
    return PersonFacts(
        kind=PersonKind(person.kind),
        code=person.code,
        name=person.name,
        email=person.email,
        fax=person.fax,
        email_active=person.email_active,
        fax_active=person.fax_active,
        active=person.active,
        opt_ins=frozenset(Event(e) for e in opted_in_events(person)),
        on_main_site=on_main_site,
        language=Language(person.language) if person.language else None,
        client_language=Language(client_language) if client_language else None,
        client=client_code,
    )


def _settings(
    session: Session, client: Client
) -> tuple[dict[Event, ClientAlert], dict[Event, Template], dict[tuple[Event, Language], Template]]:
    """The client's settings (each judged with the template its own language uses), the
    templates they name, and the shipped defaults of every language (recipients may read any)."""
    rows = session.exec(
        select(ClientAlertSetting, Template)
        .join(Template, isouter=True)
        .where(ClientAlertSetting.client_id == client.id)
    ).all()
    by_event = {Event(s.event): (s, t) for s, t in rows}
    defaults = {default_template_name(e, lang): (e, lang) for e in Event for lang in Language}
    shipped = {
        defaults[t.name]: t
        for t in session.exec(select(Template).where(col(Template.name).in_(defaults))).all()
    }
    settings: dict[Event, ClientAlert] = {}
    own: dict[Event, Template] = {}
    language = Language(client.language)
    for event in Event:
        setting, named = by_event.get(event, (None, None))
        if named is not None:
            own[event] = named
        template = named or shipped.get((event, language))
        name = template.name if template else default_template_name(event, language)
        mail_format = MailFormat(setting.format) if setting else MailFormat.TEXT
        problem = (
            template_problem(template, html=mail_format is MailFormat.HTML)
            if template
            else f"template {name!r} does not exist"
        )
        settings[event] = ClientAlert(
            enabled=bool(setting and setting.enabled),
            keyword=setting.keyword if setting else None,
            template=name,
            template_problem=problem,
            mail_format=mail_format,
        )
    return settings, own, shipped


def template_problem(template: Template, *, html: bool = True) -> str | None:
    """Why the template cannot write an alert, if it cannot. `html`: the alert has an HTML part;
    a client's events in plain text never render theirs, so a fault there stops none of them."""
    try:
        check_syntax(template.subject)
        check_syntax(template.text)
        if html and template.html:
            check_syntax(template.html, html=True)
    except RenderError as exc:
        return str(exc)
    return None
