"""`alertctl init` and `alertctl db path`."""

from pathlib import Path
from typing import Annotated

import typer

from alertctl.cli import collector
from alertctl.cli.output import info
from alertctl.cli.state import state
from alertctl.domain.wording import counted

db_app = typer.Typer(help="Where the database is.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.add_typer(db_app, name="db")


def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade an older one in place (safe to run again)."""
    from alertctl.services.operations.setup import init as run_init

    result = run_init(state(ctx).db)
    if result.before is None:
        info(f"created {result.database} (schema {result.after})")
    elif result.before != result.after:
        info(f"upgraded {result.database} from schema {result.before} to {result.after}")
    else:
        info(f"{result.database} is up to date (schema {result.after})")
    if result.statuses_added or result.templates_added:
        info(
            f"installed {counted(result.statuses_added, 'status', 'statuses')} and "
            f"{counted(result.templates_added, 'template')}"
        )
    if result.templates_updated:
        info(f"updated {counted(result.templates_updated, 'shipped template')} to this version")


@db_app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the database in use, and where that choice came from (on stderr)."""
    current = state(ctx)
    typer.echo(current.db.describe())
    info(f"from: {current.settings.db_origin}")


def demo(
    folder: Annotated[
        Path, typer.Option("--dir", help="Where to put the demo database and maildir.")
    ] = Path("alertctl-demo"),
) -> None:
    """A fresh demo database, the sample requests' lives, their alerts delivered into a Maildir."""
    from alertctl.cli.output import make_table, stdout
    from alertctl.domain.model import AlertStatus
    from alertctl.services.operations.demo import run_demo

    collector.resume()  # the demo opens its own database, not the one of the options
    result = run_demo(folder)
    stdout().print(
        make_table(
            result.alerts,
            [
                ("Request", lambda r: r.request),
                ("Event", lambda r: r.event),
                ("Person", lambda r: f"{r.kind} {r.code}"),
                ("Channel", lambda r: r.channel),
                ("Address", lambda r: r.address),
                ("Status", lambda r: r.status),
            ],
            title="Who received what",
        )
    )
    info(
        f"{result.saves.saves} saves of {len({a.request for a in result.alerts})} requests "
        "from the sample help desk feed"
    )
    info(f"database: {result.database}")
    sent = sum(a.status is AlertStatus.SENT for a in result.alerts)
    info(
        f"{counted(sent, 'message')} in {result.maildir}: "
        f"open it with any mail client, e.g. mutt -f {result.maildir}"
    )
    info(f"its setup and feed: {result.setup}, {result.feed}")
    info(f"try: alertctl --db {result.database} request show DEM-1")
    info(f"     alertctl --db {result.database} alerts preview DEM-2")
    info(f"     alertctl --db {result.database} alerts explain DEM-3 --contact dan")
