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

from collections import defaultdict
from typing import Any

from sqlmodel import Session, select

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
    StatusType,
)
from alertctl.domain.validation import (
    check_code,
    check_length,
    check_text,
    normalize_email,
    normalize_fax,
)
from alertctl.errors import Invalid
from alertctl.services.common import opted_in_events

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


def _events(values: Any) -> list[str]:
    return [e.value for e in Event if e.value in values]


def _sources(values: Any) -> list[str]:
    return [s.value for s in Source if s.value in values]


# Reading the database ----------------------------------------------------------------------------


def read(session: Session) -> Document:
    """The configuration stored in the database, complete (every field, defaults included),
    in a fixed number of queries."""
    doc: Document = {section: {} for section in SECTIONS}
    for status in session.exec(select(Status)).all():
        doc["statuses"][status.code] = {"label": status.label, "type": status.type}
    templates = {t.id: t for t in session.exec(select(Template)).all()}
    for template in templates.values():
        if not template.builtin:
            doc["templates"][template.name] = {
                "language": template.language,
                "subject": template.subject,
                "text": template.text,
                "html": template.html,
            }
    clients = {c.id: c for c in session.exec(select(Client)).all()}
    for client in clients.values():
        doc["clients"][client.code] = {
            "name": client.name,
            "language": client.language,
            "sites": {},
            "alerts": {},
        }
    sites = {s.id: s for s in session.exec(select(Site)).all()}
    for site in sites.values():
        doc["clients"][clients[site.client_id].code]["sites"][site.code] = {
            "name": site.name,
            "main": site.is_main,
        }
    for setting in session.exec(select(ClientAlertSetting)).all():
        named = templates.get(setting.template_id) if setting.template_id else None
        doc["clients"][clients[setting.client_id].code]["alerts"][setting.event] = {
            "enabled": setting.enabled,
            "keyword": setting.keyword,
            "template": named.name if named else None,
            "format": setting.format,
        }
    products = {p.id: p for p in session.exec(select(Product)).all()}
    for product in products.values():
        doc["products"][product.code] = {"name": product.name}
    contracts = {c.id: c for c in session.exec(select(Contract)).all()}
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
        }
    services = {s.id: s for s in session.exec(select(Service)).all()}
    for service in services.values():
        doc["contracts"][contracts[service.contract_id].code]["services"][service.code] = {
            "name": service.name
        }
    names = _target_names(clients, sites, products, contracts, services)
    links = _links(session, names)
    person_sites = _pairs(session, contact_site.c.person_id, contact_site.c.site_id)
    for person in session.exec(select(Person)).all():
        row: dict[str, Any] = {}
        if person.kind == PersonKind.CONTACT.value:
            assert person.client_id is not None
            row["client"] = clients[person.client_id].code
        row["name"] = person.name
        if person.kind == PersonKind.CONTACT.value:
            row["sites"] = sorted(sites[i].code for i in person_sites[person.id])
        row.update(
            email=person.email,
            fax=person.fax,
            reception=[c.value for c in Channel if getattr(person, f"{c.value}_active")],
            alerts=opted_in_events(person),
            active=person.active,
            links=sorted(links[person.id]),
        )
        if person.kind == PersonKind.CONTACT.value:
            doc["contacts"][person.code] = row
        else:
            doc["collaborators"][person.code] = row
    return doc


def _pairs(session: Session, key: Any, value: Any) -> defaultdict[Any, list[Any]]:
    found: defaultdict[Any, list[Any]] = defaultdict(list)
    for k, v in session.execute(select(key, value)).all():
        found[k].append(v)
    return found


def _target_names(
    clients: dict[Any, Client],
    sites: dict[Any, Site],
    products: dict[Any, Product],
    contracts: dict[Any, Contract],
    services: dict[Any, Service],
) -> dict[Source, dict[Any, str]]:
    return {
        Source.PRODUCT: {i: p.code for i, p in products.items()},
        Source.SITE: {i: f"{clients[s.client_id].code}/{s.code}" for i, s in sites.items()},
        Source.CONTRACT: {i: c.code for i, c in contracts.items()},
        Source.SERVICE: {
            i: f"{contracts[s.contract_id].code}/{s.code}" for i, s in services.items()
        },
        Source.CLIENT: {i: c.code for i, c in clients.items()},
    }


def _links(session: Session, names: dict[Source, dict[Any, str]]) -> defaultdict[Any, list[str]]:
    found: defaultdict[Any, list[str]] = defaultdict(list)
    for source in Source:
        table = interlocutor_tables[source.value]
        for person_id, target_id in session.execute(
            select(table.c.person_id, table.c.target_id)
        ).all():
            found[person_id].append(f"{source.value}:{names[source][target_id]}")
    return found


# Writing a file ----------------------------------------------------------------------------------


def compact(doc: Document) -> dict[str, Any]:
    """The document as exported: sorted, without empty fields or values equal to the defaults."""
    out: dict[str, Any] = {}
    for section in SECTIONS:
        items = {code: _compact(section, doc[section][code]) for code in sorted(doc[section])}
        if items:
            out[section] = items
    return out


def _compact(section: str, row: dict[str, Any]) -> dict[str, Any]:
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
        row["services"] = dict(sorted(row["services"].items()))
    if section in PEOPLE:
        if row.get("active") is True:
            del row["active"]
        if row.get("reception") == default_reception(row):
            del row["reception"]
    if section == "templates" and row.get("language") == Language.FR.value:
        del row["language"]
    return {k: v for k, v in row.items() if v is not None and v != [] and v != {}}


def _event_order(event: str) -> int:
    values = [e.value for e in Event]
    return values.index(event) if event in values else len(values)


def default_reception(row: dict[str, Any]) -> list[str]:
    """An address given is an active reception mode, unless `reception` says otherwise."""
    return [c.value for c in Channel if row.get(c.value)]


# Reading a file ----------------------------------------------------------------------------------


class ConfigInvalid(Invalid):
    """Every problem of a configuration file, each with its key path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the configuration, nothing changed:",
            details=problems,
        )
        self.problems = problems


class _Checker:
    def __init__(self, region: str) -> None:
        self.region = region
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def table(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, "must be a table")
            return {}
        return value

    def keys(self, value: dict[str, Any], path: str, allowed: set[str]) -> None:
        for key in sorted(set(value) - allowed):
            self.problem(
                f"{path}.{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})"
            )

    def code(self, code: str, path: str, what: str) -> bool:
        try:
            check_code(code, what)
        except Invalid as exc:
            self.problem(path, exc.message)
            return False
        return True

    def text(
        self,
        row: dict[str, Any],
        key: str,
        path: str,
        *,
        default: str | None = None,
        required: bool = False,
        one_line: bool = True,
    ) -> str | None:
        value = row.get(key, default)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is required")
            return None
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", "must be a string")
            return None
        try:
            if not one_line:
                check_length(value, "template")
                return value
            return check_text(value, key)
        except Invalid as exc:
            self.problem(f"{path}.{key}", exc.message)
            return None

    def boolean(self, row: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = row.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", "must be true or false")
            return default
        return value

    def choice(
        self, row: dict[str, Any], key: str, path: str, choices: Any, default: str | None = None
    ) -> str | None:
        value = row.get(key, default)
        allowed = [c.value for c in choices]
        if value is None:
            self.problem(f"{path}.{key}", "is required")
            return None
        if value not in allowed:
            self.problem(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return str(value)

    def strings(self, row: dict[str, Any], key: str, path: str) -> list[str]:
        value = row.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{path}.{key}", "must be a list of strings")
            return []
        return sorted(set(value))

    def members(self, row: dict[str, Any], key: str, path: str, choices: Any) -> list[str]:
        values = self.strings(row, key, path)
        allowed = [c.value for c in choices]
        for value in values:
            if value not in allowed:
                self.problem(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
        return [a for a in allowed if a in values]


def parse(data: dict[str, Any], *, region: str = "FR") -> Document:
    """Check a whole configuration file (already parsed from TOML) and return it complete
    (defaults filled in), or raise ConfigInvalid listing every problem."""
    check = _Checker(region)
    check.keys(data, "(top level)", set(SECTIONS))
    doc: Document = {section: {} for section in SECTIONS}
    for section in SECTIONS:
        items = check.table(data.get(section, {}), section)
        for code, raw in items.items():
            path = f"{section}.{code}"
            row = check.table(raw, path)
            what = {
                "statuses": "status",
                "templates": "template",
                "contacts": "contact",
                "collaborators": "collaborator",
            }.get(section, section[:-1])
            if check.code(code, path, what):
                doc[section][code] = _PARSERS[section](check, row, path, code)
    _check_references(check, doc)
    if check.problems:
        raise ConfigInvalid(check.problems)
    return doc


def _status(check: _Checker, row: dict[str, Any], path: str, code: str) -> dict[str, Any]:
    check.keys(row, path, {"label", "type"})
    return {
        "label": check.text(row, "label", path, default=code),
        "type": check.choice(row, "type", path, StatusType),
    }


def _template(check: _Checker, row: dict[str, Any], path: str, code: str) -> dict[str, Any]:
    from alertctl.templates.render import RenderError, check_syntax

    check.keys(row, path, {"language", "subject", "text", "html"})
    result = {
        "language": check.choice(row, "language", path, Language, Language.FR.value),
        "subject": check.text(row, "subject", path, required=True),
        "text": check.text(row, "text", path, required=True, one_line=False),
        "html": check.text(row, "html", path, one_line=False),
    }
    for part in ("subject", "text", "html"):
        source = result[part]
        if source is not None:
            try:
                check_syntax(source, html=part == "html")
            except RenderError as exc:
                check.problem(f"{path}.{part}", str(exc))
    return result


def _client(check: _Checker, row: dict[str, Any], path: str, code: str) -> dict[str, Any]:
    check.keys(row, path, {"name", "language", "sites", "alerts"})
    sites: dict[str, Any] = {}
    for site_code, raw in check.table(row.get("sites", {}), f"{path}.sites").items():
        site_path = f"{path}.sites.{site_code}"
        site = check.table(raw, site_path)
        check.keys(site, site_path, {"name", "main"})
        if check.code(site_code, site_path, "site"):
            sites[site_code] = {
                "name": check.text(site, "name", site_path, default=site_code),
                "main": check.boolean(site, "main", site_path, False),
            }
    mains = [s for s, v in sites.items() if v["main"]]
    if len(mains) > 1:
        check.problem(f"{path}.sites", f"more than one main site: {', '.join(mains)}")
    elif sites and not mains:
        # The first site is the main site, as `alertctl site add` does.
        sites[sorted(sites)[0]]["main"] = True
    alerts: dict[str, Any] = {}
    for event, raw in check.table(row.get("alerts", {}), f"{path}.alerts").items():
        alert_path = f"{path}.alerts.{event}"
        if event not in [e.value for e in Event]:
            check.problem(alert_path, f"unknown event (one of {', '.join(e.value for e in Event)})")
            continue
        setting = check.table(raw, alert_path)
        check.keys(setting, alert_path, {"enabled", "keyword", "template", "format"})
        enabled = check.boolean(setting, "enabled", alert_path, True)
        keyword = check.text(setting, "keyword", alert_path, required=enabled)
        alerts[event] = {
            "enabled": enabled,
            "keyword": keyword,
            "template": check.text(setting, "template", alert_path),
            "format": check.choice(
                setting, "format", alert_path, MailFormat, MailFormat.TEXT.value
            ),
        }
    return {
        "name": check.text(row, "name", path, default=code),
        "language": check.choice(row, "language", path, Language, Language.FR.value),
        "sites": sites,
        "alerts": alerts,
    }


def _person(
    check: _Checker, row: dict[str, Any], path: str, code: str, contact: bool
) -> dict[str, Any]:
    allowed = {"name", "email", "fax", "reception", "alerts", "active", "links"}
    check.keys(row, path, allowed | ({"client", "sites"} if contact else set()))
    result: dict[str, Any] = {"name": check.text(row, "name", path, default=code)}
    for channel, normalize in (("email", normalize_email), ("fax", None)):
        value = check.text(row, channel, path)
        if value is not None:
            try:
                value = normalize(value) if normalize else normalize_fax(value, check.region)
            except Invalid as exc:
                check.problem(f"{path}.{channel}", exc.message)
        result[channel] = value
    result["reception"] = (
        check.members(row, "reception", path, Channel)
        if "reception" in row
        else default_reception(result)
    )
    result["alerts"] = check.members(row, "alerts", path, Event)
    result["active"] = check.boolean(row, "active", path, True)
    result["links"] = check.strings(row, "links", path)
    if contact:
        result["client"] = check.text(row, "client", path, required=True)
        result["sites"] = check.strings(row, "sites", path)
    return result


def _product(check: _Checker, row: dict[str, Any], path: str, code: str) -> dict[str, Any]:
    check.keys(row, path, {"name"})
    return {"name": check.text(row, "name", path, default=code)}


def _contract(check: _Checker, row: dict[str, Any], path: str, code: str) -> dict[str, Any]:
    check.keys(row, path, {"client", "name", "beneficiaries", "products", "sources", "services"})
    services: dict[str, Any] = {}
    for service_code, raw in check.table(row.get("services", {}), f"{path}.services").items():
        service_path = f"{path}.services.{service_code}"
        service = check.table(raw, service_path)
        check.keys(service, service_path, {"name"})
        if check.code(service_code, service_path, "service"):
            services[service_code] = {
                "name": check.text(service, "name", service_path, default=service_code)
            }
    return {
        "client": check.text(row, "client", path, required=True),
        "name": check.text(row, "name", path, default=code),
        "beneficiaries": check.strings(row, "beneficiaries", path),
        "products": check.strings(row, "products", path),
        "sources": check.members(row, "sources", path, Source),
        "services": services,
    }


_PARSERS: dict[str, Any] = {
    "statuses": _status,
    "templates": _template,
    "clients": _client,
    "contacts": lambda c, r, p, code: _person(c, r, p, code, True),
    "collaborators": lambda c, r, p, code: _person(c, r, p, code, False),
    "products": _product,
    "contracts": _contract,
}


def _check_references(check: _Checker, doc: Document) -> None:
    """Every code a file names must be defined in the same file: the file is the whole
    configuration."""
    clients, products, contracts = doc["clients"], doc["products"], doc["contracts"]
    shipped = {f"default-{e.value}-{lang.value}" for e in Event for lang in Language}
    for code, client in clients.items():
        for event, setting in client["alerts"].items():
            name = setting["template"]
            if name and name not in doc["templates"] and name not in shipped:
                check.problem(
                    f"clients.{code}.alerts.{event}.template", f"unknown template {name!r}"
                )
    for code, contract in contracts.items():
        path = f"contracts.{code}"
        if contract["client"] and contract["client"] not in clients:
            check.problem(f"{path}.client", f"unknown client {contract['client']!r}")
        for other in contract["beneficiaries"]:
            if other not in clients:
                check.problem(f"{path}.beneficiaries", f"unknown client {other!r}")
            elif other == contract["client"]:
                check.problem(f"{path}.beneficiaries", f"{other!r} holds the contract")
        for product in contract["products"]:
            if product not in products:
                check.problem(f"{path}.products", f"unknown product {product!r}")
    for section in PEOPLE:
        for code, person in doc[section].items():
            path = f"{section}.{code}"
            if section == "contacts":
                owner = clients.get(person["client"]) if person["client"] else None
                if person["client"] and owner is None:
                    check.problem(f"{path}.client", f"unknown client {person['client']!r}")
                for site in person["sites"]:
                    if owner is not None and site not in owner["sites"]:
                        check.problem(
                            f"{path}.sites", f"client {person['client']!r} has no site {site!r}"
                        )
            for link in person["links"]:
                problem = _link_problem(link, doc)
                if problem:
                    check.problem(f"{path}.links", problem)


def _link_problem(link: str, doc: Document) -> str | None:
    source, _, target = link.partition(":")
    if source not in [s.value for s in Source] or not target:
        return f"{link!r} is not SOURCE:TARGET (sources: {', '.join(s.value for s in Source)})"
    if source in ("site", "service"):
        parent, _, child = target.partition("/")
        owner = doc["clients" if source == "site" else "contracts"].get(parent)
        children = owner["sites" if source == "site" else "services"] if owner else {}
        return None if child in children else f"unknown {source} {target!r}"
    section = {"product": "products", "contract": "contracts", "client": "clients"}[source]
    return None if target in doc[section] else f"unknown {source} {target!r}"
