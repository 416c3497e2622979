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
    "state_": "TEXT",
    "coalesce_idle": "DURATION",
    "coalesce_max": "DURATION",
    "gti": "DURATION",
    "gtr": "DURATION",
    "warn_left": "DURATION",
    "due_within": "DURATION",
    "warn_percent": "PERCENT",
    "quiet_hours": "SCHEDULE",
    "contact_quiet_hours": "SCHEDULE",
    "collaborator_quiet_hours": "SCHEDULE",
    "hours": "SCHEDULE",
    "digest": "SCHEDULE",
    "cap": "N",
    "urgent": "EVENT[,EVENT...]",
    "closed": "DATE[,DATE...]",
    "holidays": "COUNTRY[/REGION]",
    "calendar": "CALENDAR",
    "output": "FILE",
    "external_description": "TEXT",
}


# An argument's description by its name, where the command gives none: `{noun}` is the
# group's (`site show CLIENT CODE`: the client's code, the site's code).
ARGUMENT_HELP: dict[str, str] = {
    "code": "The {noun}'s code.",
    "name": "The {noun}'s name.",
    "client": "The client's code.",
    "contract": "The contract's code.",
    "reference": "The request's reference.",
}


def humanise(command: click_api.Command, noun: str | None = None) -> None:
    """Give every parameter under this command a metavar a person reads, every argument a
    description, and every command its whole first sentence as its summary in a group's list
    (wrapped there, never cut with "...")."""
    noun = noun or command.name or ""
    if command.short_help is None and command.help:
        command.short_help = " ".join(command.help.split("\n\n")[0].split())
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            humanise(sub, noun)
        return
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param)
        if param.param_type_name == "argument":
            if not getattr(param, "help", None) and param.name in ARGUMENT_HELP:
                param.help = ARGUMENT_HELP[param.name].format(noun=noun)  # type: ignore[attr-defined]
            _name_the_choices(param)
            click_api.show_metavar_only(param)
            click_api.plain_usage(param)


def _name_the_choices(param: click_api.Parameter) -> None:
    """An argument's valid values, in its description unless it names them all."""
    choices = [_plain(c) for c in click_api.value_kind(param).choices or ()]
    said = getattr(param, "help", None) or ""
    if choices and not all(c in said for c in choices):
        param.help = f"{said} One of: {', '.join(choices)}.".strip()  # type: ignore[attr-defined]


def _metavar(param: click_api.Parameter) -> str:
    name = param.name or ""
    kind = click_api.value_kind(param)
    if kind.choices and param.param_type_name == "argument":
        return name.upper()  # `[a|b]` in a usage line reads as optional: the help lists them
    if kind.choices:
        return "[" + "|".join(_plain(c) for c in kind.choices) + "]"
    if param.param_type_name == "argument" and name == "source":
        return "FILE"  # the file a command reads (`batch`, `ingest`, `config apply`), or -
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


def usage_message(exc: click_api.UsageError) -> str:
    """The parser's complaint on one line, in the words of `value_refused` where it has some."""
    said = value_refused(exc)
    param = getattr(exc, "param", None)
    if said is not None and param is not None:
        return f"Invalid value for {param.get_error_hint()}: must be {said}"
    # Typer validates choices with pydantic too, whose prefix leaks into the message.
    return exc.format_message().replace("\n", " ").replace("Value error, ", "")


def value_refused(exc: BaseException) -> str | None:
    """Typer checks numbers with pydantic, whose wording ("Input should be a valid integer,
    unable to parse string as an integer") is a programmer's: said instead with the value
    given, from the error's public fields. None when the error is not one of those."""
    from pydantic import ValidationError

    cause = exc.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return None
    error = cause.errors()[0]
    given = error.get("input")
    limits = error.get("ctx") or {}
    said = {
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_parsing": "a number",
        "greater_than_equal": f"at least {limits.get('ge')}",
        "greater_than": f"above {limits.get('gt')}",
        "less_than_equal": f"at most {limits.get('le')}",
        "less_than": f"below {limits.get('lt')}",
    }.get(error["type"])
    return None if said is None else f"{said}, not {str(given)!r}"
