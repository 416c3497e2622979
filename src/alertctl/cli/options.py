"""Options that many commands share, defined once."""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from alertctl.cli.output import Column

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

# Ids and counts are stored as 64-bit integers: anything larger is bad usage.
MAX_INT = 2**63 - 1


def within(low: float, high: float = MAX_INT) -> Callable[[Any], Any]:
    """A callback that refuses a number outside [low, high] in words ("at least 1, not 0").
    Bounds are checked here rather than by Typer's `min` and `max`, whose help prints them as
    `x>=1` and, for the 64-bit bound of ids, as 9223372036854775807."""

    def check(value: Any) -> Any:
        if value is None or low <= value <= high:
            return value
        said = f"at most {high:,}" if value > high else f"at least {low:g}"
        given = f"{value:g}" if isinstance(value, float) else value
        raise typer.BadParameter(f"must be {said}, not {given}")

    return check


fits = within(1)

AlertId = Annotated[int, typer.Argument(metavar="ID", callback=fits, help="An alert's id.")]

# Every list shows at most this many rows unless told otherwise, and says what it left out.
DEFAULT_LIMIT = 1000
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        callback=fits,
        metavar="N",
        help=f"Show at most N rows (default {DEFAULT_LIMIT}).",
    ),
]
All = Annotated[bool, typer.Option("--all", help="Show every row, however many.")]


def rows_wanted(limit: int | None, every: bool) -> int | None:
    """The row limit of a list: --limit N, --all for none, the default otherwise."""
    if every and limit is not None:
        raise typer.BadParameter("give --limit or --all, not both")
    return None if every else (limit or DEFAULT_LIMIT)


def list_command(
    app: typer.Typer,
    *,
    lister: str,
    columns: Sequence["Column[Any]"],  # rows of the type `lister` returns
    noun: str,
    plural: str | None = None,
    help: str,
) -> None:
    """Register `list` on a catalog group: every row of one kind of the configuration, with
    `--limit N`, `--all` and `--json`, as every list. `lister` names the service function
    (`module:function`, taking the database): it is imported when the command runs, so that a
    group's other commands do not load it."""

    def list_(
        ctx: typer.Context, limit: Limit = None, every: All = False, as_json: Json = False
    ) -> None:
        from importlib import import_module

        from alertctl.cli.output import render_all_of
        from alertctl.cli.state import state

        module, function = lister.split(":")
        rows = getattr(import_module(module), function)(state(ctx).db)
        render_all_of(
            rows,
            columns,
            as_json=as_json,
            noun=noun,
            plural=plural,
            limit=rows_wanted(limit, every),
        )

    list_.__doc__ = help
    app.command("list")(list_)
