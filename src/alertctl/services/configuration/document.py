"""The whole configuration as one document: read from the database, or read and checked from a
TOML file, in the same shape, so that the two can be compared field by field.

The shape, keyed by codes (sorted, defaults left out on export):

    statuses.CODE        label, type
    templates.NAME       language, subject, text, html
    clients.CODE         name, language, sites.CODE {name, main}, alerts.EVENT {enabled, keyword,
                         template, format}
    contacts.CODE        client, name, sites, email, fax, reception, alerts, active, links
    collaborators.CODE   name, email, fax, reception, alerts, active, links
    products.CODE        name
    calendars.NAME       zone, hours, holidays, closed
    contracts.CODE       client, name, beneficiaries, products, sources, calendar, gti, gtr,
                         warn_percent, warn_left, services.CODE {name, gti, gtr}
    noise                coalesce_idle, coalesce_max, contact_quiet_hours,
                         collaborator_quiet_hours, zone, cap, urgent (one table, not keyed)

Clients may have `coalesce_idle`, `coalesce_max`, `urgent`, and people `quiet_hours`, `zone`,
`digest`, `cap` (noise_terms.py).

`links` name the sources a person is an interlocutor of, as `alertctl link` does:
"product:ERP", "site:ACME/PARIS", "contract:K1", "service:K1/PREMIUM", "client:ACME".
"""

from typing import Any, TypedDict

from alertctl.domain.model import Event, PersonKind, Source


# The entries of each section, typed where they are built (read.py, parse.py). A value
# is None only in a file being checked, next to a problem that refuses it.
class StatusEntry(TypedDict):
    label: str | None
    label_en: str | None
    type: str | None


class TemplateEntry(TypedDict):
    language: str | None
    subject: str | None
    text: str | None
    html: str | None


class SiteEntry(TypedDict):
    name: str | None
    main: bool


class AlertEntry(TypedDict):
    enabled: bool
    keyword: str | None
    template: str | None
    format: str | None


class ClientEntry(TypedDict):
    name: str | None
    language: str | None
    sites: dict[str, SiteEntry]
    alerts: dict[str, AlertEntry]
    coalesce_idle: str | None  # None: the defaults'
    coalesce_max: str | None
    urgent: str | None


class PersonEntry(TypedDict, total=False):
    client: str | None  # contacts only
    name: str | None
    sites: list[str]  # contacts only
    email: str | None
    fax: str | None
    reception: list[str]
    alerts: list[str]
    active: bool
    language: str | None  # their own; None: their client's
    links: list[str]
    quiet_hours: str | None  # None: their kind's; "none": none at all
    zone: str | None
    digest: str | None  # None: immediate
    cap: int | str | None  # None: the default; "none": no cap


class ProductEntry(TypedDict):
    name: str | None


class ServiceEntry(TypedDict, total=False):
    name: str | None
    gti: str | None  # business time, as spell_duration writes it
    gtr: str | None


class ContractEntry(TypedDict):
    client: str | None
    name: str | None
    beneficiaries: list[str]
    products: list[str]
    sources: list[str]
    services: dict[str, ServiceEntry]
    calendar: str | None
    gti: str | None
    gtr: str | None
    warn_percent: int | None
    warn_left: str | None


# Sections are walked by name (plan, write, export), so the container is keyed by strings; each
# entry has the type of its section above.
Document = dict[str, dict[str, Any]]
SECTIONS = (
    "statuses",
    "templates",
    "clients",
    "contacts",
    "collaborators",
    "products",
    "calendars",
    "contracts",
    "noise",
)
PEOPLE = {"contacts": PersonKind.CONTACT, "collaborators": PersonKind.COLLABORATOR}


def event_list(values: Any) -> list[str]:
    return [e.value for e in Event if e.value in values]


def source_list(values: Any) -> list[str]:
    return [s.value for s in Source if s.value in values]


def visible(doc: Document, stored: Document | None) -> Document:
    """What the file's names may refer to: the file, and (a file that does not replace the
    whole configuration, without --prune) what the database holds besides."""
    if stored is None:
        return doc
    seen: Document = {section: {**stored[section], **doc[section]} for section in SECTIONS}
    for section, children in (("clients", "sites"), ("contracts", "services")):
        for code, row in doc[section].items():
            kept = stored[section].get(code, {}).get(children, {})
            seen[section][code] = {**row, children: {**kept, **row[children]}}
    return seen
