"""Click, as Typer carries it: the one module of alertctl that reaches into it.

Typer ships its own copy of Click under a private name (`typer._click`) and re-exports little
of it. alertctl needs a few of Click's own pieces: its exceptions (to turn usage errors into
one `error:` line), the source of a parameter's value (a flag, or the environment), the
completion item and a parameter's completion function (to complete codes by parameter name),
and the lazy group's building blocks. Everything of Click is taken from here, never from
`typer._click` elsewhere (a test checks it); Typer's version is bounded in pyproject.toml, and
`tests/cli/test_click_api.py` fails with a clear message when an upgrade moves any of these.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from typer import _click as click
from typer._click import exceptions
from typer._click.core import ParameterSource
from typer._click.globals import get_current_context
from typer._click.shell_completion import CompletionItem
from typer._click.utils import make_default_short_help

Command = click.Command
Context = click.Context
HelpFormatter = click.HelpFormatter
Parameter = click.Parameter
ClickException = exceptions.ClickException
UsageError = exceptions.UsageError

__all__ = [
    "ClickException",
    "Command",
    "CompletionItem",
    "Context",
    "HelpFormatter",
    "Parameter",
    "ParameterSource",
    "UsageError",
    "complete_with",
    "get_current_context",
    "make_default_short_help",
    "plain_usage",
    "show_metavar_only",
    "value_kind",
]


def complete_with(param: Parameter, completer: Callable[..., list[Any]]) -> None:
    """Give a parameter a completion function after it was built, unless it has one. Click
    takes one only when a parameter is built (`shell_complete=`) and keeps it in an attribute
    of its own; parameters are matched to their completion by name once the commands exist
    (cli/complete.py), so it is set here, in the one place that knows that attribute."""
    if param._custom_shell_complete is None:
        param._custom_shell_complete = completer


@dataclass(frozen=True)
class ValueKind:
    """What a parameter's value is, as Typer read it from the annotation."""

    choices: tuple[object, ...] | None
    is_path: bool
    annotation: object


def value_kind(param: Parameter) -> ValueKind:
    """Typer keeps what it read of a parameter's annotation in `type_descriptor`."""
    descriptor = param.type_descriptor  # type: ignore[attr-defined]
    return ValueKind(descriptor.choices, descriptor.is_path, descriptor.annotation)


def show_metavar_only(param: Parameter) -> None:
    """Typer writes an argument in help as its name and its Python type (`code <str>`); a
    person needs the metavar alone (`CODE`). Typer draws the type with `display_type_rich`,
    which returns the metavar for an option: an argument is given the same behaviour."""
    metavar = param.metavar
    param.display_type_rich = lambda ctx: None if metavar else metavar  # type: ignore[attr-defined]


def plain_usage(param: Parameter) -> None:
    """Typer writes a required argument in a usage line as `{CODE}`; the convention of every
    manual page is `CODE`, and `[CODE]` for one that may be left out."""
    piece = param.metavar or (param.name or "").upper()
    if not param.required:
        piece = f"[{piece}]"
    if param.nargs != 1:
        piece += "..."
    param.get_usage_pieces = lambda ctx: [piece]  # type: ignore[method-assign]
