"""`alertctl check`: the doctor for the configuration, the settings and the queue."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json, within
from alertctl.cli.output import info, make_table, print_json, stdout
from alertctl.cli.state import state
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from alertctl.cli.output import Column
    from alertctl.services.operations.check import CheckReport
    from alertctl.services.operations.check_settings import Problem


PROBLEM_COLUMNS: "list[Column[Problem]]" = [
    ("Area", lambda r: r.area),
    ("Where", lambda r: r.subject),
    ("Problem", lambda r: r.message),
    ("Fix", lambda r: r.fix),
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
            callback=within(0),
            metavar="SECONDS",
            help="Fail when the oldest due alert has waited longer (for monitoring).",
        ),
    ] = None,
    max_silence: Annotated[
        float,
        typer.Option(
            "--max-silence",
            callback=within(0),
            metavar="SECONDS",
            help="Fail when alerts are due and no sender has looped for longer.",
        ),
    ] = 300.0,
    as_json: Json = False,
) -> None:
    """Find every fault that stops or fails alerts; exit 1 if any.

    Every fault that makes alerts go nowhere or fail: in the configuration, the settings,
    the queue and the senders.
    """
    from alertctl.services.operations.check import check as run

    current = state(ctx)
    current.lists_setting_problems = True
    report = run(
        current.db, current.settings, connect=connect, max_age=max_age, max_silence=max_silence
    )
    if as_json:
        print_json(report)
    else:
        _human(report)
    if not report.ok:
        raise typer.Exit(1)


def _human(document: "CheckReport") -> None:
    queue = document.queue
    if document.problems:
        stdout().print(make_table(document.problems, PROBLEM_COLUMNS))
    if document.warnings:
        stdout().print(make_table(document.warnings, PROBLEM_COLUMNS, title="Warnings"))
    oldest = queue.oldest_due_seconds
    info(
        f"queue: {queue.due} due"
        + (f" (oldest waiting {oldest:g} s)" if oldest is not None else "")
        + f", {queue.sending} sending, {queue.retry} retry, {queue.dead} dead, "
        f"{queue.unknown} unknown; {queue.recent_faults} left out by faults in 24 h"
    )
    info(_senders_line(document))
    count = len(document.problems)
    info(f"{counted(count, 'problem')} found" if count else "no problem found")
    if document.warnings:
        info(counted(len(document.warnings), "warning"))


def _senders_line(document: "CheckReport") -> str:
    from datetime import UTC, datetime

    if not document.senders:
        return "senders: none seen"
    last = document.senders[0]
    kind = "watcher" if last.watching else "sender"
    ago = last.silent_seconds(datetime.now(UTC))
    return (
        f"senders: {len(document.senders)} seen in 30 days; last, {kind} {last.host} "
        f"pid {last.pid}, looped {ago:.0f} s ago"
    )
