"""Help written for people: every value shown by what it is (`CODE`, `ADDRESS`, `FILE`, `N`,
`EVENT[,EVENT...]`), never by a Python type (`<str>`, `<list[str]>`, `<int range>`).

Typer names a value by its type unless told a metavar; rather than write one on each of a
hundred parameters, each is given one here by its name, or by its kind, once the commands are
built (`cli/commands.py`)."""

from enum import Enum
from pathlib import Path

from alertctl.cli import click_api

# By the parameter's name: what the value is.
BY_NAME: dict[str, str] = {
    "code": "CODE",
    "reference": "REFERENCE",
    "request": "REFERENCE",
    "client": "CLIENT",
    "beneficiary": "CLIENT",
    "contract": "CONTRACT",
    "site": "SITE",
    "product": "PRODUCT",
    "service": "SERVICE",
    "status": "STATUS",
    "template": "TEMPLATE",
    "target": "TARGET",
    "requester": "CONTACT",
    "contact": "CONTACT",
    "collaborator": "COLLABORATOR",
    "name": "NAME",
    "email": "ADDRESS",
    "to": "ADDRESS",
    "fax": "NUMBER",
    "on": "EVENT[,EVENT...]",
    "off": "EVENT[,EVENT...]",
    "events": "EVENT[,EVENT...]",
    "source": "SOURCE[,SOURCE...]",
    "sources": "SOURCE[,SOURCE...]",
    "since": "WHEN",
    "time": "TIME",
    "save_id": "ID",
    "alert_id": "ID",
    "limit": "N",
    "keyword": "TEXT",
    "title": "TEXT",
    "label": "TEXT",
    "label_en": "TEXT",
    "subject": "TEXT",
    "state": "TEXT",
    "external_description": "TEXT",
}


def humanise(command: click_api.Command) -> None:
    """Give every parameter under this command a metavar a person reads, and every command its
    whole first sentence as its summary in a group's list (wrapped there, never cut with
    "...")."""
    if command.short_help is None and command.help:
        command.short_help = " ".join(command.help.split("\n\n")[0].split())
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            humanise(sub)
        return
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param)
        if param.param_type_name == "argument":
            click_api.show_metavar_only(param)


def _metavar(param: click_api.Parameter) -> str:
    name = param.name or ""
    kind = click_api.value_kind(param)
    if kind.choices:
        return "[" + "|".join(_plain(c) for c in kind.choices) + "]"
    if name in BY_NAME:
        return BY_NAME[name]
    annotation = _bare(kind.annotation)
    if kind.is_path or annotation is Path:
        return "FILE"
    if annotation is int:
        return "N"
    if annotation is float:
        return "SECONDS"
    return name.upper() or "TEXT"


def _bare(annotation: object) -> object:
    """`int | None` is an int; `list[str]` a str."""
    from typing import get_args

    found = [a for a in get_args(annotation) if a is not type(None)]
    return _bare(found[0]) if found else annotation


def _plain(choice: object) -> str:
    return str(choice.value) if isinstance(choice, Enum) else str(choice)
