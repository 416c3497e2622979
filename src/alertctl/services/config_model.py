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
    contracts.CODE       client, name, beneficiaries, products, sources, services.CODE {name}

`links` name the sources a person is an interlocutor of, as `alertctl link` does:
"product:ERP", "site:ACME/PARIS", "contract:K1", "service:K1/PREMIUM", "client:ACME".
"""

from typing import Any

from alertctl.domain.model import Event, PersonKind, Source

Document = dict[str, dict[str, dict[str, Any]]]
SECTIONS = (
    "statuses",
    "templates",
    "clients",
    "contacts",
    "collaborators",
    "products",
    "contracts",
)
PEOPLE = {"contacts": PersonKind.CONTACT, "collaborators": PersonKind.COLLABORATOR}


def event_list(values: Any) -> list[str]:
    return [e.value for e in Event if e.value in values]


def source_list(values: Any) -> list[str]:
    return [s.value for s in Source if s.value in values]
