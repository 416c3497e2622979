"""Shell completion of codes, given to every parameter that names one.

Parameters are matched by name rather than annotated one by one: `--client`, `--contract`,
`--requester`… mean the same thing in every command, and the code argument of `client show`
is a client's. Choices (events, sources, formats, languages) complete from their enums already.
"""

from typing import Any

from typer.core import TyperArgument

from alertctl.cli.click_api import Command, CompletionItem, Context, Parameter, complete_with
from alertctl.db.lookup import CodeKind
from alertctl.domain.model import Event, Source

# An option or argument named so takes a code of this kind, in whatever command.
BY_NAME: dict[str, CodeKind] = {
    "client": CodeKind.CLIENT,
    "clients": CodeKind.CLIENT,
    "beneficiary": CodeKind.CLIENT,
    "beneficiaries": CodeKind.CLIENT,
    "site": CodeKind.SITE,
    "sites": CodeKind.SITE,
    "contact": CodeKind.CONTACT,
    "requester": CodeKind.CONTACT,
    "collaborator": CodeKind.COLLABORATOR,
    "product": CodeKind.PRODUCT,
    "products": CodeKind.PRODUCT,
    "contract": CodeKind.CONTRACT,
    "service": CodeKind.SERVICE,
    "status": CodeKind.STATUS,
    "template": CodeKind.TEMPLATE,
    "reference": CodeKind.REQUEST,
    "request": CodeKind.REQUEST,
    "calendar": CodeKind.CALENDAR,
}
# The `code` (or `name`) argument of a group's commands is a code of the group's kind.
BY_GROUP: dict[str, CodeKind] = {kind.value: kind for kind in CodeKind}
NEW_CODE_COMMANDS = {"add"}  # a code that does not exist yet: nothing to propose


# What a `link`/`unlink` target is, by the source typed before it.
TARGETS: dict[str, CodeKind] = {
    "product": CodeKind.PRODUCT,
    "site": CodeKind.SITE_PATH,
    "contract": CodeKind.CONTRACT,
    "service": CodeKind.SERVICE_PATH,
    "client": CodeKind.CLIENT,
}
# An option that takes a comma-separated list of an enum's values (`--on open,resolution`),
# with the words it takes alone instead of a list (`--urgent none`).
_EVENTS = [e.value for e in Event]
_SOURCES = [s.value for s in Source]
LISTS: dict[str, tuple[list[str], list[str]]] = {
    "on": (_EVENTS, []),
    "off": (_EVENTS, []),
    "events": (_EVENTS, []),
    "urgent": (_EVENTS, ["none", "default"]),
    "source": (_SOURCES, []),
    "sources": (_SOURCES, []),
}
# A code argument that belongs to the one typed before it: a client's site, a contract's service.
PARENTS: dict[CodeKind, str] = {CodeKind.SITE: "client", CodeKind.SERVICE: "contract"}


def _completer(kind: CodeKind | None) -> Any:
    """Codes of `kind`; None: the kind a `link` target has, by its source."""

    def complete(ctx: Context, _param: Parameter, incomplete: str) -> list[Any]:
        from alertctl.services.operations.completion import complete as codes

        wanted = kind if kind is not None else TARGETS.get(str(ctx.params.get("source") or ""))
        if wanted is None:
            return []
        parent = PARENTS.get(wanted)
        within = ctx.params.get(parent) if parent else None
        # The root's callback does not run while completing: its --db and --config are read
        # from what the shell has parsed so far.
        root = ctx.find_root().params
        found = codes(root.get("db"), root.get("config"), wanted, incomplete, within)
        return [CompletionItem(code, help=label) for code, label in found]

    return complete


def _list_completer(values: list[str], alone: list[str]) -> Any:
    """The values that may follow what is typed: `open,res` proposes `open,resolution`, and a
    value given already is not proposed again."""

    def complete(_ctx: Context, _param: Parameter, incomplete: str) -> list[Any]:
        given, _, last = incomplete.rpartition(",")
        taken = set(given.split(",")) if given else set()
        offered = [v for v in values if v not in taken] + ([] if given else alone)
        prefix = given + "," if given else ""
        return [CompletionItem(prefix + v) for v in offered if v.startswith(last)]

    return complete


def _kind(group: str | None, command: str, param: Parameter) -> CodeKind | None:
    name = param.name or ""
    if getattr(getattr(param, "type_descriptor", None), "is_choice", False):
        return None  # an enum's values, which Typer completes
    if name in ("code", "name") and isinstance(param, TyperArgument):
        if command in NEW_CODE_COMMANDS or group is None:
            return None
        # A group of no kind names it by its command: `noise contact CODE`.
        return BY_GROUP.get(group) or BY_GROUP.get(command)
    return BY_NAME.get(name)


def attach(command: Command, group: str | None = None) -> None:
    """Give each code parameter under this command its completion, unless it has one."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            attach(sub, command.name)
        return
    for param in command.params:
        if command.name in ("link", "unlink") and param.name == "target":
            complete_with(param, _completer(None))
            continue
        if param.name in LISTS and not isinstance(param, TyperArgument):
            complete_with(param, _list_completer(*LISTS[param.name]))
            continue
        kind = _kind(group, command.name or "", param)
        if kind is not None:
            complete_with(param, _completer(kind))
