"""Reading and checking a configuration file into the document (the shape: document.py):
every problem found, each with its key path, before anything is written."""

from typing import Any

from alertctl.domain.confidentiality import contact_may_link, cross_client_link_message
from alertctl.domain.model import (
    Channel,
    Event,
    Language,
    MailFormat,
    Source,
    StatusType,
    values_of,
)
from alertctl.domain.validation import (
    check_code,
    check_length,
    check_text,
    normalize_email,
    normalize_fax,
)
from alertctl.domain.wording import counted
from alertctl.errors import Invalid
from alertctl.services.configuration.document import (
    PEOPLE,
    SECTIONS,
    AlertEntry,
    ClientEntry,
    Document,
    PersonEntry,
    ProductEntry,
    SiteEntry,
    StatusEntry,
    TemplateEntry,
    visible,
)
from alertctl.services.configuration.noise_terms import (
    CLIENT_KEYS,
    PERSON_KEYS,
    parse_client_noise,
    parse_noise,
    parse_person_noise,
)
from alertctl.services.configuration.read import default_reception
from alertctl.services.configuration.sla_terms import parse_calendar, parse_contract
from alertctl.services.results import Table


class ConfigInvalid(Invalid):
    """Every problem of a configuration file, each with its key path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{counted(len(problems), 'problem')} in the configuration, nothing changed:",
            details=problems,
        )
        self.problems = problems


class _Checker:
    def __init__(self, region: str, known: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.region = region
        # (channel, address) pairs already stored, hence already checked and normalised: an
        # unchanged file is not validated again, address by address (most of the cost of
        # reading it). Keyed by channel: a stored e-mail address is not a valid fax number.
        self.known = known
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def table(self, value: Any, path: str) -> Table:
        if not isinstance(value, dict):
            self.problem(path, "must be a table")
            return {}
        return value

    def keys(self, value: Table, path: str, allowed: set[str]) -> None:
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
        row: Table,
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

    def boolean(self, row: Table, key: str, path: str, default: bool) -> bool:
        value = row.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", "must be true or false")
            return default
        return value

    def choice(
        self, row: Table, key: str, path: str, choices: Any, default: str | None = None
    ) -> str | None:
        value = row.get(key, default)
        allowed = values_of(choices)
        if value is None:
            self.problem(f"{path}.{key}", "is required")
            return None
        if value not in allowed:
            self.problem(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return str(value)

    def strings(self, row: Table, key: str, path: str) -> list[str]:
        value = row.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{path}.{key}", "must be a list of strings")
            return []
        return sorted(set(value))

    def members(self, row: Table, key: str, path: str, choices: Any) -> list[str]:
        values = self.strings(row, key, path)
        allowed = values_of(choices)
        for value in values:
            if value not in allowed:
                self.problem(f"{path}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
        return [a for a in allowed if a in values]


def parse(
    data: Table,
    *,
    region: str = "FR",
    known: frozenset[tuple[str, str]] = frozenset(),
    stored: Document | None = None,
) -> Document:
    """Check a whole configuration file (already parsed from TOML) and return it complete
    (defaults filled in), or raise ConfigInvalid listing every problem. `known`: the
    (channel, address) pairs the database holds, taken as they are."""
    check = _Checker(region, known)
    check.keys(data, "(top level)", set(SECTIONS))
    doc: Document = {section: {} for section in SECTIONS}
    for section in SECTIONS[:-1]:  # the last, [noise], is one table rather than one a code
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
    doc["noise"] = dict(
        parse_noise(check, check.table(data.get("noise", {}), "noise"), "noise") or {}
    )
    _check_references(check, doc, visible(doc, stored))
    if check.problems:
        raise ConfigInvalid(check.problems)
    return doc


def _status(check: _Checker, row: Table, path: str, code: str) -> StatusEntry:
    check.keys(row, path, {"label", "label_en", "type"})
    return {
        "label": check.text(row, "label", path, default=code),
        "label_en": check.text(row, "label_en", path),
        "type": check.choice(row, "type", path, StatusType),
    }


def _template(check: _Checker, row: Table, path: str, code: str) -> TemplateEntry:
    from alertctl.templates.render import RenderError, check_syntax

    check.keys(row, path, {"language", "subject", "text", "html"})
    result: TemplateEntry = {
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


def _client(check: _Checker, row: Table, path: str, code: str) -> ClientEntry:
    check.keys(row, path, {"name", "language", "sites", "alerts", *CLIENT_KEYS})
    sites: dict[str, SiteEntry] = {}
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
    alerts: dict[str, AlertEntry] = {}
    for event, raw in check.table(row.get("alerts", {}), f"{path}.alerts").items():
        alert_path = f"{path}.alerts.{event}"
        if event not in values_of(Event):
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
        **parse_client_noise(check, row, path),  # type: ignore[typeddict-item]
    }


def _person(check: _Checker, row: Table, path: str, code: str, contact: bool) -> PersonEntry:
    allowed = {"name", "email", "fax", "reception", "alerts", "active", "language", "links"}
    allowed |= PERSON_KEYS
    check.keys(row, path, allowed | ({"client", "sites"} if contact else set()))
    result: PersonEntry = {"name": check.text(row, "name", path, default=code)}
    for channel, normalize in (("email", normalize_email), ("fax", None)):
        value = check.text(row, channel, path)
        if value is not None and (channel, value) not in check.known:
            try:
                value = normalize(value) if normalize else normalize_fax(value, check.region)
            except Invalid as exc:
                check.problem(f"{path}.{channel}", exc.message)
        result[channel] = value  # type: ignore[literal-required]
    result["reception"] = (
        check.members(row, "reception", path, Channel)
        if "reception" in row
        else default_reception(result)
    )
    result["alerts"] = check.members(row, "alerts", path, Event)
    result["active"] = check.boolean(row, "active", path, True)
    # No language of their own: they read their client's.
    result["language"] = (
        check.choice(row, "language", path, Language) if "language" in row else None
    )
    result["links"] = check.strings(row, "links", path)
    result.update(parse_person_noise(check, row, path, None))  # type: ignore[typeddict-item]
    if contact:
        result["client"] = check.text(row, "client", path, required=True)
        result["sites"] = check.strings(row, "sites", path)
    return result


def _product(check: _Checker, row: Table, path: str, code: str) -> ProductEntry:
    check.keys(row, path, {"name"})
    return {"name": check.text(row, "name", path, default=code)}


_PARSERS: Table = {
    "statuses": _status,
    "templates": _template,
    "clients": _client,
    "contacts": lambda c, r, p, code: _person(c, r, p, code, True),
    "collaborators": lambda c, r, p, code: _person(c, r, p, code, False),
    "products": _product,
    "calendars": parse_calendar,
    "contracts": parse_contract,
}


def _check_references(check: _Checker, doc: Document, seen: Document) -> None:
    """Every code the file names must be defined: in the file, or (without --prune) in the
    database. `seen` is what may be referred to."""
    clients, products = seen["clients"], seen["products"]
    shipped = {f"default-{e.value}-{lang.value}" for e in Event for lang in Language}
    for code, client in doc["clients"].items():
        for event, setting in client["alerts"].items():
            name = setting["template"]
            if name and name not in seen["templates"] and name not in shipped:
                check.problem(
                    f"clients.{code}.alerts.{event}.template", f"unknown template {name!r}"
                )
    for code, contract in doc["contracts"].items():
        path = f"contracts.{code}"
        if contract["client"] and contract["client"] not in clients:
            check.problem(f"{path}.client", f"unknown client {contract['client']!r}")
        if contract["calendar"] and contract["calendar"] not in seen["calendars"]:
            check.problem(f"{path}.calendar", f"unknown calendar {contract['calendar']!r}")
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
                problem = _link_problem(link, seen) or _cross_client_problem(
                    code, person.get("client") if section == "contacts" else None, link, seen
                )
                if problem:
                    check.problem(f"{path}.links", problem)


def _link_problem(link: str, doc: Document) -> str | None:
    source, _, target = link.partition(":")
    if source not in values_of(Source) or not target:
        return f"{link!r} is not SOURCE:TARGET (sources: {', '.join(s.value for s in Source)})"
    if source in ("site", "service"):
        parent, _, child = target.partition("/")
        owner = doc["clients" if source == "site" else "contracts"].get(parent)
        children = owner["sites" if source == "site" else "services"] if owner else {}
        return None if child in children else f"unknown {source} {target!r}"
    section = {"product": "products", "contract": "contracts", "client": "clients"}[source]
    return None if target in doc[section] else f"unknown {source} {target!r}"


def _cross_client_problem(code: str, client: str | None, link: str, doc: Document) -> str | None:
    """A contact's link to a known target of other clients only (docs/rules.md, rule 3)."""
    if client is None:
        return None
    source, _, target = link.partition(":")
    parent = target.partition("/")[0]
    clients: set[str] = set()
    if source in ("site", "client"):
        clients = {parent}
    elif source in ("contract", "service"):
        contract = doc["contracts"][parent]
        clients = {c for c in [contract["client"], *contract["beneficiaries"]] if c}
    if contact_may_link(Source(source), client, clients):
        return None
    return cross_client_link_message(code, client, Source(source), target, clients)
