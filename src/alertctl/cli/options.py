"""Options that many commands share, defined once."""

from typing import Annotated

import typer

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

# Ids and counts are stored as 64-bit integers: anything larger is bad usage, said by Click.
MAX_INT = 2**63 - 1
AlertId = Annotated[int, typer.Argument(metavar="ID", min=1, max=MAX_INT, help="An alert's id.")]

# Every list shows at most this many rows unless told otherwise, and says what it left out.
DEFAULT_LIMIT = 1000
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        max=MAX_INT,
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
