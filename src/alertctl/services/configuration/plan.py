"""The plan of a configuration change: what applying a document would add, change and remove,
object by object, compared field by field with what the database holds."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from alertctl.services.configuration.document import PEOPLE, Document
from alertctl.services.results import Table


class Kind(StrEnum):
    """The kinds of object a plan names, in the order they are created."""

    STATUS = "status"
    TEMPLATE = "template"
    CLIENT = "client"
    SITE = "site"
    PRODUCT = "product"
    CALENDAR = "calendar"
    CONTRACT = "contract"
    SERVICE = "service"
    CONTACT = "contact"
    COLLABORATOR = "collaborator"
    ALERT = "alert"
    NOISE = "noise"  # the defaults of noise control: one object


KINDS: tuple[str, ...] = tuple(Kind)


@dataclass(frozen=True)
class Change:
    op: str  # "+", "~" or "-"
    kind: str
    key: str
    fields: dict[str, tuple[Any, Any]]  # field -> (old, new); old is None for "+"

    def document(self) -> "ChangeDocument":
        return ChangeDocument(
            self.op,
            self.kind,
            self.key,
            {k: FieldChange(o, n) for k, (o, n) in self.fields.items()},
        )


@dataclass(frozen=True)
class Reached:
    """Someone a request's event would reach, by one channel."""

    kind: str
    code: str
    channel: str


@dataclass(frozen=True)
class Impact:
    """Who starts and who stops receiving one event of an open request."""

    request: str
    event: str
    start: list[Reached]
    stop: list[Reached]


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    impact: list[Impact] | None = None

    def count(self, op: str) -> int:
        return sum(c.op == op for c in self.changes)

    @property
    def summary(self) -> str:
        if not self.changes:
            return "Nothing to change."
        return (
            f"Plan: {self.count('+')} to add, {self.count('~')} to change, "
            f"{self.count('-')} to remove."
        )

    def document(self) -> "PlanDocument":
        """What `config apply --json` prints (through to_json, as every document)."""
        return PlanDocument(
            tuple(c.document() for c in self.changes),
            PlanSummary(self.count("+"), self.count("~"), self.count("-")),
            self.impact,
        )


@dataclass(frozen=True)
class FieldChange:
    old: Any
    new: Any


@dataclass(frozen=True)
class ChangeDocument:
    op: str
    kind: str
    key: str
    fields: dict[str, FieldChange]


@dataclass(frozen=True)
class PlanSummary:
    add: int
    change: int
    remove: int


@dataclass(frozen=True)
class PlanDocument:
    changes: tuple[ChangeDocument, ...]
    summary: PlanSummary
    impact: list[Impact] | None


# Export ----------------------------------------------------------------------------------------


def _flatten(doc: Document) -> dict[tuple[str, str], Table]:
    """Every object of a document under (kind, key), with its own fields only."""
    flat: dict[tuple[str, str], Table] = {}
    for code, row in doc["statuses"].items():
        flat[("status", code)] = row
    for name, row in doc["templates"].items():
        flat[("template", name)] = row
    for code, row in doc["clients"].items():
        flat[("client", code)] = {k: v for k, v in row.items() if k not in ("sites", "alerts")}
        for site, values in row["sites"].items():
            flat[("site", f"{code}/{site}")] = values
        for event, values in row["alerts"].items():
            flat[("alert", f"{code}/{event}")] = values
    for code, row in doc["products"].items():
        flat[("product", code)] = row
    for name, row in doc["calendars"].items():
        flat[("calendar", name)] = row
    for code, row in doc["contracts"].items():
        flat[("contract", code)] = {k: v for k, v in row.items() if k != "services"}
        for service, values in row["services"].items():
            flat[("service", f"{code}/{service}")] = values
    for section, kind in PEOPLE.items():
        for code, row in doc[section].items():
            flat[(kind.value, code)] = row
    if doc["noise"]:
        flat[("noise", "defaults")] = doc["noise"]
    return flat


def make_plan(current: Document, desired: Document, *, prune: bool) -> Plan:
    old, new = _flatten(current), _flatten(desired)
    changes = []
    for key in sorted(new.keys() | (old.keys() if prune else set()), key=_order):
        kind, name = key
        if key not in old:
            changes.append(
                Change(
                    "+",
                    kind,
                    name,
                    {f: (None, v) for f, v in new[key].items() if v not in (None, [], {})},
                )
            )
        elif key not in new:
            changes.append(Change("-", kind, name, {}))
        else:
            diff = {f: (old[key].get(f), v) for f, v in new[key].items() if old[key].get(f) != v}
            if diff:
                changes.append(Change("~", kind, name, diff))
    return Plan(changes)


def _order(key: tuple[str, str]) -> tuple[int, str]:
    return KINDS.index(key[0]), key[1]
