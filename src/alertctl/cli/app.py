"""The root command, the error boundary, and the command groups."""

import os
import sys
from typing import Annotated

import typer

from alertctl import __version__
from alertctl.cli import collector
from alertctl.cli.commands import DRY_RUN_HELP, LazyGroup
from alertctl.cli.help_text import usage_message
from alertctl.cli.state import refuse_in_a_batch_line, state
from alertctl.errors import AlertctlError

app = typer.Typer(
    name="alertctl",
    help="Support alerts on engagement contracts: who gets alerted, why, and delivery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help, as in git or sqlite-utils: drawing it with Rich costs more than the answer.
    rich_markup_mode=None,
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"alertctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="ALERTCTL_DB",
            metavar="PATH|URL",
            help="Database: a SQLite file path or a SQLAlchemy URL.",
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="ALERTCTL_CONFIG",
            metavar="FILE",
            help="Settings file (alertctl.toml).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="ALERTCTL_DEBUG", help="Show tracebacks.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    from alertctl.cli.click_api import ParameterSource

    current = state(ctx)
    _refuse_in_a_batch_line(ctx)
    # A value Click took from ALERTCTL_DB or ALERTCTL_CONFIG is the environment's, not a flag's:
    # left to the settings, which say where each choice came from.
    from_env = ParameterSource.ENVIRONMENT
    current.db_flag = None if ctx.get_parameter_source("db") is from_env else db
    current.config_flag = None if ctx.get_parameter_source("config") is from_env else config
    current.dry_run = dry_run
    if debug:
        os.environ["ALERTCTL_DEBUG"] = "1"
    ctx.call_on_close(current.close)


def _fail(message: str, hint: str | None, code: int, details: list[str] | None = None) -> int:
    from alertctl.errors import shorten_values

    # Click's own messages echo bad values too: they are shortened the same way.
    message = shorten_values(message)
    sys.stderr.write(f"error: {message}\n")
    for line in details or []:
        sys.stderr.write(f"  {line}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")
    return code


def _refuse_in_a_batch_line(ctx: typer.Context) -> None:
    """The root's own options, given on a line of a batch."""
    from alertctl.cli.click_api import ParameterSource

    for name in ("dry_run", "db", "config"):
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            refuse_in_a_batch_line("--" + name.replace("_", "-"))


def run(args: list[str] | None = None) -> int:
    """Run one command and return its exit code; the one place errors become `error:` lines."""
    from alertctl.cli import click_api as click_exceptions

    debug = os.environ.get("ALERTCTL_DEBUG") == "1" or "--debug" in (args or sys.argv[1:])
    try:
        result = app(args=args, prog_name="alertctl", standalone_mode=False)
    except AlertctlError as exc:
        if debug:
            raise
        return _fail(exc.message, exc.hint, exc.exit_code, exc.details)
    except click_exceptions.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "alertctl"
        message = usage_message(exc)
        return _fail(message, f"{command} --help", 2)
    except click_exceptions.ClickException as exc:
        return _fail(exc.format_message().replace("\n", " "), None, exc.exit_code)
    except typer.Abort:
        return _fail("cancelled: nothing was changed", None, 1)
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return _fail("interrupted", None, 130)
    except Exception as exc:
        if debug:
            raise
        known = _database_trouble(exc)
        if known is not None:
            return _fail(*known, 1)
        return _fail(
            f"unexpected {type(exc).__name__}: {exc}".replace("\n", " "),
            "run again with --debug for the traceback, and report it",
            1,
        )
    return result if isinstance(result, int) else 0


def _database_trouble(exc: Exception) -> tuple[str, str] | None:
    """What the database said when a command could not finish: another command holding it too
    long, a change that met another command's, a server gone. The transaction was rolled
    back, so nothing was written. Told by name, so that SQLAlchemy is not imported here."""
    kinds = {kind.__name__ for kind in type(exc).__mro__}
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    said = reason[0] if reason else type(exc).__name__
    if "OperationalError" in kinds and ("locked" in said or "busy" in said):
        return (
            f"the database is busy: another command held it longer than this one waits "
            f"({said}); nothing was written",
            "run the command again",
        )
    if "IntegrityError" in kinds:
        return (
            f"the database refused the change, which another command's met ({said}); nothing "
            "was written",
            "run the command again",
        )
    if "OperationalError" in kinds or "InterfaceError" in kinds:
        return (
            f"the database could not be reached or stopped answering ({said}); nothing was written",
            "alertctl db path, then check that the database or its server is up",
        )
    return None


def main() -> None:
    # Everything alertctl writes holds personal data (the database and its WAL, exports,
    # maildir messages, fax files): readable by its owner only, whatever the caller's umask.
    os.umask(0o077)
    collector.hold()
    sys.exit(run())
