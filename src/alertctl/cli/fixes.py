"""The commands that fix a failed rule: the domain says what to change (`Fix`), the CLI spells
it as the command a user runs."""

from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING

from alertctl.domain.model import Fix, FixKind

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def spell(fix: Fix) -> str:
    """The command that makes this change."""
    who = f"{fix.person.value} {fix.code}" if fix.person is not None else ""
    spelled = {
        FixKind.REQUEST_CONTRACT: f"alertctl request update {fix.target} --contract CONTRACT",
        FixKind.CLIENT_EVENT: f"alertctl client alerts {fix.target} --event {fix.value} "
        "--enable --keyword TEXT",
        FixKind.TEMPLATE: _template_fix(fix.target),
        FixKind.TEMPLATE_ON_REQUEST: f"alertctl template render {fix.target} --request "
        f"{fix.request} --event {fix.event} --{fix.person.value if fix.person else ''} "
        f"{fix.code}",
        FixKind.LINK: "alertctl link " + fix.target.replace(":", " ", 1) + f" --{who}".rstrip(),
        FixKind.CONTRACT_SOURCES: f"alertctl contract enable {fix.target} --source {fix.value}",
        FixKind.MAIN_SITE: f"alertctl contact update {fix.target} --site {fix.value} "
        "(with their other sites)",
        FixKind.OPT_IN: f"alertctl {who.replace(' ', ' alerts ', 1)} --on {fix.value}",
        FixKind.RECEPTION: f"alertctl {who.replace(' ', ' reception ', 1)} --{fix.value} on",
        FixKind.ADDRESS: f"alertctl {who.replace(' ', ' update ', 1)} --{fix.value} ADDRESS",
        FixKind.ACTIVE: f"alertctl {who.replace(' ', ' leave ', 1)} --undo",
    }
    return spelled[fix.kind]


def _template_fix(name: str) -> str:
    """A shipped template (`default-…`) comes back with `init`; a client's own is mended, or
    added when it is missing."""
    if name.startswith("default-"):
        return "alertctl init"
    return f"alertctl template update {name} --text FILE (or template add, if it is missing)"


def spelled(document: object) -> object:
    """The document with every Fix in it spelled as a command (for JSON and tables)."""
    if isinstance(document, Fix):
        return spell(document)
    if is_dataclass(document) and not isinstance(document, type):
        return spelled_fields(document)
    if isinstance(document, dict):
        return {k: spelled(v) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [spelled(v) for v in document]
    return document


def spelled_fields(document: "DataclassInstance") -> dict[str, object]:
    """A typed value's fields by name, each spelled (a fact only some rows have is left out
    of the others, as in every JSON document)."""
    return {
        f.name: spelled(getattr(document, f.name))
        for f in fields(document)
        if not (f.metadata.get("omit_if_none") and getattr(document, f.name) is None)
    }
