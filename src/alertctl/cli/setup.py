"""`alertctl init`, `alertctl demo` and `alertctl db path|backup`."""

from pathlib import Path
from typing import Annotated

import typer

from alertctl.cli import collector
from alertctl.cli.output import info
from alertctl.cli.state import state
from alertctl.domain.wording import counted

db_app = typer.Typer(help="Where the database is, and its backups.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.add_typer(db_app, name="db")


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database in place (safe to run again)."""
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


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The copy to write (a new file).")],
) -> None:
    """Copy a SQLite database consistently while senders run, and check the copy."""
    from alertctl.services.operations.backup import backup as run

    current = state(ctx)
    done = run(current.db, file, keep=not current.dry_run)
    verb = "would back up" if current.dry_run else "backed up"
    info(
        f"{verb} {done.database} to {done.copy}: {done.pages:,} pages, "
        f"{done.bytes / 1_048_576:.1f} MiB, integrity ok, readable by its owner only"
    )


@db_app.command("purge")
def purge(ctx: typer.Context) -> None:
    """Apply [retention]: remove old delivered messages and old closed requests, for good."""
    from alertctl.config import retention_from
    from alertctl.errors import Invalid
    from alertctl.services.operations.retention import purge as run

    current = state(ctx)
    retention = retention_from(current.settings)
    if not retention.set:
        raise Invalid(
            "no [retention] in the settings: everything is kept",
            hint="add [retention] delivered_days = 90 (and closed_requests_days = 730)",
        )
    done = run(current.db, retention)
    verb = "would remove" if current.dry_run else "removed"
    if done.delivered_days is not None:
        info(
            f"{verb} the messages of {counted(done.messages, 'delivered or cancelled alert')} "
            f"older than {counted(done.delivered_days, 'day')}"
        )
    if done.closed_requests_days is not None:
        info(
            f"{verb} {counted(done.requests, 'closed request')} older than "
            f"{counted(done.closed_requests_days, 'day')}, with {counted(done.saves, 'save')}, "
            f"{counted(done.alerts, 'alert')} and {counted(done.faults, 'fault')}"
        )


@db_app.command("vacuum")
def vacuum(ctx: typer.Context) -> None:
    """Rebuild a SQLite file, so that no old copy of erased data stays in its unused space.

    An erase says when one is left (where SQLite moved rows); the rebuild takes a while on a
    large file, and writers wait for it. On PostgreSQL, run VACUUM FULL (the README, Privacy).
    """
    from alertctl.errors import Invalid

    current = state(ctx)
    if not current.db.is_sqlite:
        raise Invalid(
            "db vacuum rebuilds a SQLite file: on PostgreSQL run VACUUM FULL",
            hint="see the README, Privacy",
        )
    if current.dry_run:
        info(f"would rebuild {current.db.describe()}")
        return
    if not current.db.wipe_free_space():
        raise Invalid(
            "the file was rebuilt, but a reader kept its WAL: old pages may remain in it",
            hint="run it again once the sender is between two batches",
        )
    info(f"rebuilt {current.db.describe()}: no old copy is left in its unused space")


def demo(
    folder: Annotated[
        Path,
        typer.Option("--dir", metavar="DIR", help="Where to put the demo database and maildir."),
    ] = Path("alertctl-demo"),
) -> None:
    """A demo database and maildir: the sample help desk's alerts.

    A fresh demo database, the sample requests' lives, their alerts delivered into a Maildir.
    """
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
    me = invoked_as()
    info(f"try: {me} --db {result.database} request show DEM-1")
    info(f"     {me} --db {result.database} alerts preview DEM-2")
    info(f"     {me} --db {result.database} alerts explain DEM-3 --contact dan")


def invoked_as() -> str:
    """How to call this alertctl again: `alertctl` when that name on the PATH is this one,
    else the path it was run by (`.venv/bin/alertctl` from a fresh install)."""
    import os
    import shutil
    import sys

    ran = Path(sys.argv[0])
    if ran.name != "alertctl":
        return "alertctl"
    found = shutil.which("alertctl")
    if found is not None and Path(found).resolve() == ran.resolve():
        return "alertctl"
    if not ran.is_absolute():
        return str(ran)
    relative = os.path.relpath(ran)
    return str(ran) if relative.startswith("..") else relative
