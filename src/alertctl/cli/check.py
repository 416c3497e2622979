"""`alertctl check`: the doctor for the configuration, the settings and the queue."""

from typing import Annotated, Any

import typer

from alertctl.cli.options import Json
from alertctl.cli.output import field, info, make_table, print_json, stdout
from alertctl.cli.state import state
from alertctl.domain.wording import counted

PROBLEM_COLUMNS = [
    ("Area", field("area")),
    ("Where", field("subject")),
    ("Problem", field("message")),
    ("Fix", field("fix")),
]


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    ctx: typer.Context,
    connect: Annotated[
        bool,
        typer.Option("--connect", help="Also open the transports: connect and log in to SMTP."),
    ] = False,
    max_age: Annotated[
        float | None,
        typer.Option(
            "--max-age",
            min=0,
            metavar="SECONDS",
            help="Fail when the oldest due alert has waited longer (for monitoring).",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Every fault that makes alerts go nowhere or fail; exit 1 when there is one."""
    from alertctl.services.operations.check import check as run
    from alertctl.services.results import to_json

    current = state(ctx)
    current.lists_setting_problems = True
    report = run(current.db, current.settings, connect=connect, max_age=max_age)
    document = to_json(report)
    if as_json:
        print_json(document)
    else:
        _human(document)
    if not report.ok:
        raise typer.Exit(1)


def _human(document: dict[str, Any]) -> None:
    queue = document["queue"]
    if document["problems"]:
        stdout().print(make_table(document["problems"], PROBLEM_COLUMNS))
    if document["warnings"]:
        stdout().print(make_table(document["warnings"], PROBLEM_COLUMNS, title="Warnings"))
    oldest = queue["oldest_due_seconds"]
    info(
        f"queue: {queue['due']} due"
        + (f" (oldest waiting {oldest:g} s)" if oldest is not None else "")
        + f", {queue['sending']} sending, {queue['retry']} retry, {queue['dead']} dead, "
        f"{queue['unknown']} unknown; {queue['recent_faults']} left out by faults in 24 h"
    )
    count = len(document["problems"])
    info(f"{counted(count, 'problem')} found" if count else "no problem found")
    if document["warnings"]:
        info(counted(len(document["warnings"]), "warning"))
