"""Options that many commands share, defined once."""

from typing import Annotated

import typer

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

# Ids and counts are stored as 64-bit integers: anything larger is bad usage, said by Click.
MAX_INT = 2**63 - 1
AlertId = Annotated[int, typer.Argument(metavar="ID", min=1, max=MAX_INT, help="An alert's id.")]
