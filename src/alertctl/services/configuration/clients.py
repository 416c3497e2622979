"""Clients, their sites, and their alert settings (*Alertes support*)."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Client, ClientAlertSetting, Person, Site, Template, contact_site
from alertctl.domain.model import Event, Language, MailFormat, default_template_name
from alertctl.domain.validation import check_code, check_text
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.common import (
    ensure_new,
    get_client,
    get_site,
    ident,
    refuse_case_twin,
    refuse_if_referenced,
)
from alertctl.services.configuration import template_use
from alertctl.services.configuration.links import Interlocutor


@dataclass(frozen=True)
class ClientRow:
    code: str
    name: str
    language: Language
    sites: int
    contacts: int


@dataclass(frozen=True)
class SiteRow:
    client: str
    code: str
    name: str
    main: bool


@dataclass(frozen=True)
class AlertSettingRow:
    """One event of a client's alert settings (*Alertes support*)."""

    event: Event
    enabled: bool
    keyword: str | None
    template: str
    format: MailFormat


@dataclass(frozen=True)
class ClientDetail:
    code: str
    name: str
    language: Language
    sites: tuple[SiteRow, ...]
    contacts: tuple[str, ...]
    alerts: tuple[AlertSettingRow, ...]


@dataclass(frozen=True)
class SiteDetail(SiteRow):
    contacts: tuple[str, ...]
    interlocutors: list[Interlocutor]


def add_client(db: Database, *, code: str, name: str | None, language: Language) -> ClientRow:
    check_code(code, "client")
    name = check_text(name or code, "name")
    with db.session(write=True) as session:
        ensure_new(session, Client, code, "client")
        client = Client(code=code, name=name, language=language.value)
        session.add(client)
        return _client_row(client, sites=0, contacts=0)


def update_client(
    db: Database, *, code: str, name: str | None = None, language: Language | None = None
) -> ClientRow:
    if name is not None:
        name = check_text(name, "name")
    with db.session(write=True) as session:
        client = get_client(session, code)
        if name is not None:
            client.name = name
        if language is not None:
            client.language = language.value
        session.add(client)
        template_use.ensure_working(session, [ident(client.id)])
        return _client_row(client, sites=0, contacts=0)


def list_clients(db: Database) -> list[ClientRow]:
    with db.session(write=False) as session:
        clients = session.exec(select(Client).order_by(col(Client.code))).all()
        sites = _how_many(session, col(Site.client_id))
        contacts = _how_many(session, col(Person.client_id))
        return [
            ClientRow(
                c.code, c.name, Language(c.language), sites.get(c.id, 0), contacts.get(c.id, 0)
            )
            for c in clients
        ]


def _how_many(
    session: Session, client_id: Mapped[int] | Mapped[int | None]
) -> dict[int | None, int]:
    """How many rows belong to each client, by the column that names the client."""
    return dict(session.exec(select(client_id, func.count()).group_by(client_id)).all())


def show_client(db: Database, *, code: str) -> ClientDetail:
    with db.session(write=False) as session:
        client = get_client(session, code)
        sites = session.exec(
            select(Site).where(Site.client_id == client.id).order_by(col(Site.code))
        ).all()
        contacts = session.exec(
            select(Person.code).where(Person.client_id == client.id).order_by(col(Person.code))
        ).all()
        return ClientDetail(
            client.code,
            client.name,
            Language(client.language),
            tuple(_site_row(client, s) for s in sites),
            tuple(contacts),
            tuple(_alert_settings(session, client)),
        )


def remove_client(db: Database, *, code: str) -> None:
    with db.session(write=True) as session:
        client = get_client(session, code)
        refuse_if_referenced(session, "client", client.id, f"client {code!r}")
        session.delete(client)


def set_client_alert(
    db: Database,
    *,
    code: str,
    event: Event,
    enabled: bool,
    keyword: str | None = None,
    template: str | None = None,
    mail_format: MailFormat | None = None,
) -> AlertSettingRow:
    """Switch one event of a client's alert settings on or off, with its keyword and template."""
    if keyword is not None:
        keyword = check_text(keyword, "keyword")
    with db.session(write=True) as session:
        client = get_client(session, code)
        setting = session.get(ClientAlertSetting, (client.id, event.value))
        if setting is None:
            setting = ClientAlertSetting(client_id=ident(client.id), event=event.value)
            session.add(setting)
        setting.enabled = enabled
        if keyword is not None:
            setting.keyword = keyword
        if template is not None:
            setting.template_id = _template_id(session, template)
        if mail_format is not None:
            setting.format = mail_format.value
        if enabled and not setting.keyword:
            raise Invalid(
                f"switching {event.value} on for client {code!r} needs a subject keyword",
                hint=f"alertctl client alerts {code} --event {event.value} --enable --keyword TEXT",
            )
        template_use.ensure_working(session, [ident(client.id)])
        return next(a for a in _alert_settings(session, client) if a.event is event)


def _template_id(session: Session, name: str) -> int | None:
    template_id = session.exec(select(Template.id).where(Template.name == name)).first()
    if template_id is None:
        raise NotFound(f"unknown template {name!r}", hint="alertctl template list")
    return template_id


def _alert_settings(session: Session, client: Client) -> list[AlertSettingRow]:
    rows = session.exec(
        select(ClientAlertSetting, Template.name)
        .join(Template, isouter=True)
        .where(ClientAlertSetting.client_id == client.id)
    ).all()
    by_event = {setting.event: (setting, name) for setting, name in rows}
    settings = []
    for event in Event:
        setting, name = by_event.get(event.value, (None, None))
        settings.append(
            AlertSettingRow(
                event,
                bool(setting and setting.enabled),
                setting.keyword if setting else None,
                name or default_template_name(event, Language(client.language)),
                MailFormat(setting.format) if setting else MailFormat.TEXT,
            )
        )
    return settings


def _client_row(client: Client, *, sites: int, contacts: int) -> ClientRow:
    return ClientRow(client.code, client.name, Language(client.language), sites, contacts)


def _site_row(client: Client, site: Site) -> SiteRow:
    return SiteRow(client.code, site.code, site.name, site.is_main)


# Sites -----------------------------------------------------------------------------------------


def add_site(db: Database, *, client: str, code: str, name: str | None, main: bool) -> SiteRow:
    """Add a site; a client's first site is its main site, and only one site can be main."""
    check_code(code, "site")
    name = check_text(name or code, "name")
    with db.session(write=True) as session:
        owner = get_client(session, client)
        if session.exec(select(Site).where(Site.client_id == owner.id, Site.code == code)).first():
            raise Conflict(
                f"client {client!r} already has a site {code!r}",
                hint=f"alertctl site update {client} {code} --name NAME",
            )
        refuse_case_twin(session, Site, code, "site", where=Site.client_id == owner.id)
        current_main = _main_site(session, owner)
        if main and current_main is not None:
            raise Conflict(
                f"client {client!r} already has a main site ({current_main.code})",
                hint=f"add it without --main, then: alertctl site main {client} {code}",
            )
        site = Site(client_id=ident(owner.id), code=code, name=name, is_main=current_main is None)
        session.add(site)
        return _site_row(owner, site)


def update_site(db: Database, *, client: str, code: str, name: str) -> SiteRow:
    """A new name (the main site is chosen with `site main`)."""
    name = check_text(name, "name")
    with db.session(write=True) as session:
        owner = get_client(session, client)
        site = get_site(session, owner, code)
        site.name = name
        session.add(site)
        return _site_row(owner, site)


def list_sites(db: Database, *, client: str | None) -> list[SiteRow]:
    with db.session(write=False) as session:
        query = select(Site, Client).join(Client).order_by(col(Client.code), col(Site.code))
        if client is not None:
            query = query.where(Client.id == get_client(session, client).id)
        return [_site_row(c, s) for s, c in session.exec(query).all()]


def show_site(db: Database, *, client: str, code: str) -> SiteDetail:
    """A site, the contacts working there, and its interlocutors for alerts."""
    from alertctl.services.configuration.links import interlocutors_of

    with db.session(write=False) as session:
        owner = get_client(session, client)
        site = get_site(session, owner, code)
        contacts = session.exec(
            select(Person.code)
            .join(contact_site, col(contact_site.c.person_id) == col(Person.id))
            .where(contact_site.c.site_id == site.id)
            .order_by(col(Person.code))
        ).all()
        return SiteDetail(
            owner.code,
            site.code,
            site.name,
            site.is_main,
            tuple(contacts),
            interlocutors_of(session, "site", [site.id])[site.id],
        )


def make_main_site(db: Database, *, client: str, code: str) -> SiteRow:
    with db.session(write=True) as session:
        owner = get_client(session, client)
        site = get_site(session, owner, code)
        current = _main_site(session, owner)
        if current is not None and current.id != site.id:
            current.is_main = False
            session.add(current)
            # The unset must reach the database before the set, or both would be main at once.
            session.flush()
        site.is_main = True
        session.add(site)
        return _site_row(owner, site)


def remove_site(db: Database, *, client: str, code: str) -> None:
    with db.session(write=True) as session:
        owner = get_client(session, client)
        site = get_site(session, owner, code)
        refuse_if_referenced(session, "site", site.id, f"site {client}/{code}")
        others = session.exec(
            select(Site.id).where(Site.client_id == owner.id, Site.id != site.id)
        ).first()
        if site.is_main and others is not None:
            raise Conflict(
                f"site {client}/{code} is the main site of {client!r}",
                hint=f"make another site main first: alertctl site main {client} SITE",
            )
        session.delete(site)


def _main_site(session: Session, client: Client) -> Site | None:
    return session.exec(select(Site).where(Site.client_id == client.id, col(Site.is_main))).first()
