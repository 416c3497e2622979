"""Reading the configuration document from the database (the shape: document.py)."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row
from sqlmodel import Session, SQLModel, select

from alertctl.db.tables import (
    Client,
    ClientAlertSetting,
    Contract,
    Person,
    Product,
    Service,
    Site,
    Status,
    Template,
    contact_site,
    contract_beneficiary,
    contract_product,
    interlocutor_tables,
)
from alertctl.domain.model import (
    Channel,
    Event,
    Language,
    MailFormat,
    PersonKind,
    Source,
    values_of,
)
from alertctl.services.common import opted_in_events
from alertctl.services.configuration.document import PEOPLE, SECTIONS, Document, PersonEntry
from alertctl.services.configuration.noise_terms import (
    FACTORY,
    compact_noise,
    read_client_noise,
    read_noise,
    read_person_noise,
)
from alertctl.services.configuration.sla_terms import (
    contract_terms,
    read_calendars,
    service_terms,
)
from alertctl.services.holds.rules import defaults
from alertctl.services.results import Table

# A row of a table, read as a plain row (its columns are the table's, which Row cannot name).
Stored = Row[Any]
# A table's rows by id.
ById = dict[int, Stored]

# Reading the database ----------------------------------------------------------------------------


def read(session: Session) -> Document:
    """The configuration stored in the database, complete (every field, defaults included),
    in a fixed number of queries."""
    doc: Document = {section: {} for section in SECTIONS}
    for status in _rows(session, Status):
        doc["statuses"][status.code] = {
            "label": status.label,
            "label_en": status.label_en,
            "type": status.type,
        }
    templates = {t.id: t for t in _rows(session, Template)}
    for template in templates.values():
        if not template.builtin:
            doc["templates"][template.name] = {
                "language": template.language,
                "subject": template.subject,
                "text": template.text,
                "html": template.html,
            }
    clients, sites = _read_clients(session, doc, templates)
    products = {p.id: p for p in _rows(session, Product)}
    for product in products.values():
        doc["products"][product.code] = {"name": product.name}
    doc["calendars"] = read_calendars(session)
    # The factory's defaults are no object of the plan: a file without [noise] changes nothing,
    # unless applied with --prune over defaults of one's own.
    noise = read_noise(defaults(session))
    doc["noise"] = dict(noise) if noise != read_noise(FACTORY) else {}
    contracts, services = _read_contracts(session, doc, clients, products)
    names = _target_names(clients, sites, products, contracts, services)
    _read_people(session, doc, clients, sites, _links(session, names))
    return doc


def _read_clients(session: Session, doc: Document, templates: ById) -> tuple[ById, ById]:
    clients = {c.id: c for c in _rows(session, Client)}
    for client in clients.values():
        doc["clients"][client.code] = {
            "name": client.name,
            "language": client.language,
            "sites": {},
            "alerts": {},
            **read_client_noise(client),
        }
    sites = {s.id: s for s in _rows(session, Site)}
    for site in sites.values():
        doc["clients"][clients[site.client_id].code]["sites"][site.code] = {
            "name": site.name,
            "main": site.is_main,
        }
    for setting in _rows(session, ClientAlertSetting):
        named = templates.get(setting.template_id) if setting.template_id else None
        doc["clients"][clients[setting.client_id].code]["alerts"][setting.event] = {
            "enabled": setting.enabled,
            "keyword": setting.keyword,
            "template": named.name if named else None,
            "format": setting.format,
        }
    return clients, sites


def _read_contracts(
    session: Session,
    doc: Document,
    clients: ById,
    products: ById,
) -> tuple[ById, ById]:
    contracts = {c.id: c for c in _rows(session, Contract)}
    beneficiaries = _pairs(
        session, contract_beneficiary.c.contract_id, contract_beneficiary.c.client_id
    )
    covered = _pairs(session, contract_product.c.contract_id, contract_product.c.product_id)
    for contract in contracts.values():
        doc["contracts"][contract.code] = {
            "client": clients[contract.client_id].code,
            "name": contract.name,
            "beneficiaries": sorted(clients[i].code for i in beneficiaries[contract.id]),
            "products": sorted(products[i].code for i in covered[contract.id]),
            "sources": [s.value for s in Source if getattr(contract, f"source_{s.value}")],
            "services": {},
            **contract_terms(contract),
        }
    services = {s.id: s for s in _rows(session, Service)}
    for service in services.values():
        doc["contracts"][contracts[service.contract_id].code]["services"][service.code] = {
            "name": service.name,
            **service_terms(service),
        }
    return contracts, services


_RECEPTION = tuple((f"{c.value}_active", c.value) for c in Channel)


def _read_people(
    session: Session,
    doc: Document,
    clients: ById,
    sites: ById,
    links: defaultdict[int, list[str]],
) -> None:
    person_sites = _pairs(session, contact_site.c.person_id, contact_site.c.site_id)
    for person in _rows(session, Person):
        contact = person.kind == PersonKind.CONTACT.value
        row: PersonEntry = {}
        if contact:
            assert person.client_id is not None
            row["client"] = clients[person.client_id].code
        row["name"] = person.name
        if contact:
            row["sites"] = sorted(sites[i].code for i in person_sites[person.id])
        row["email"] = person.email
        row["fax"] = person.fax
        row["reception"] = [value for column, value in _RECEPTION if getattr(person, column)]
        row["alerts"] = opted_in_events(person)
        row["active"] = person.active
        row["language"] = person.language
        row["links"] = sorted(links[person.id])
        row.update(read_person_noise(person))  # type: ignore[typeddict-item]
        doc["contacts" if contact else "collaborators"][person.code] = row


def _rows(session: Session, table: type[SQLModel]) -> Sequence[Stored]:
    """A table's rows as plain rows, not objects: the whole configuration is read at every
    plan (ten thousand contacts, thousands of sites and contracts), and an ORM object costs
    several times a row to load."""
    return session.execute(select(table.__table__)).all()  # type: ignore[attr-defined]


def _pairs(
    session: Session, key: "ColumnElement[int]", value: "ColumnElement[int]"
) -> defaultdict[int, list[int]]:
    found: defaultdict[int, list[int]] = defaultdict(list)
    for k, v in session.execute(select(key, value)).all():
        found[k].append(v)
    return found


def _target_names(
    clients: ById,
    sites: ById,
    products: ById,
    contracts: ById,
    services: ById,
) -> dict[Source, dict[int, str]]:
    return {
        Source.PRODUCT: {i: p.code for i, p in products.items()},
        Source.SITE: {i: f"{clients[s.client_id].code}/{s.code}" for i, s in sites.items()},
        Source.CONTRACT: {i: c.code for i, c in contracts.items()},
        Source.SERVICE: {
            i: f"{contracts[s.contract_id].code}/{s.code}" for i, s in services.items()
        },
        Source.CLIENT: {i: c.code for i, c in clients.items()},
    }


def _links(session: Session, names: dict[Source, dict[int, str]]) -> defaultdict[int, list[str]]:
    found: defaultdict[int, list[str]] = defaultdict(list)
    for source in Source:
        table = interlocutor_tables[source.value]
        for person_id, target_id in session.execute(
            select(table.c.person_id, table.c.target_id)
        ).all():
            found[person_id].append(f"{source.value}:{names[source][target_id]}")
    return found


# Writing a file ----------------------------------------------------------------------------------


def compact(doc: Document) -> Table:
    """The document as exported: sorted, without empty fields or values equal to the defaults."""
    out: Table = {}
    for section in SECTIONS[:-1]:
        items = {code: _compact(section, doc[section][code]) for code in sorted(doc[section])}
        if items:
            out[section] = items
    noise = compact_noise(doc["noise"]) if doc["noise"] else {}  # type: ignore[arg-type]
    if noise:
        out["noise"] = noise
    return out


def _compact(section: str, row: Table) -> Table:
    row = dict(row)
    if section == "clients":
        row["sites"] = {
            code: {k: v for k, v in site.items() if not (k == "main" and v is False)}
            for code, site in sorted(row["sites"].items())
        }
        row["alerts"] = {
            event: {
                k: v
                for k, v in setting.items()
                if v is not None
                and not (k == "enabled" and v is True)
                and not (k == "format" and v == MailFormat.TEXT.value)
            }
            for event, setting in sorted(row["alerts"].items(), key=lambda i: _event_order(i[0]))
        }
        if row.get("language") == Language.FR.value:
            del row["language"]
    if section == "contracts":
        row["services"] = {
            code: {k: v for k, v in service.items() if v is not None}
            for code, service in sorted(row["services"].items())
        }
    if section in PEOPLE:
        if row.get("active") is True:
            del row["active"]
        if row.get("reception") == default_reception(row):
            del row["reception"]
    if section == "templates" and row.get("language") == Language.FR.value:
        del row["language"]
    return {k: v for k, v in row.items() if v is not None and v != [] and v != {}}


def _event_order(event: str) -> int:
    values = values_of(Event)
    return values.index(event) if event in values else len(values)


def default_reception(row: Mapping[str, Any]) -> list[str]:
    """An address given is an active reception mode, unless `reception` says otherwise."""
    return [c for c in values_of(Channel) if row.get(c)]


# Reading a file ----------------------------------------------------------------------------------
