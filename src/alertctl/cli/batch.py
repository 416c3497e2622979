"""`alertctl batch FILE|-`: many command lines in one process and one transaction.

One command per line, quoted as in a shell; `#` comments and blank lines are ignored. Every
command prints what it usually prints. All of them run in one unit of work: the first line that
fails stops the batch, is named with its number and its error, and nothing is written; with
`--dry-run` everything is checked and nothing is written.
"""

import functools
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from alertctl.cli.output import info
from alertctl.cli.state import State, state
from alertctl.domain.wording import counted

# Commands that cannot share a batch's transaction: they manage the database or its files
# themselves, or talk to servers (which must never happen inside a write transaction).
REFUSED = (
    ("init",),
    ("demo",),
    ("batch",),
    ("alerts", "send"),
    ("alerts", "test"),
    ("contact", "erase"),
    ("collaborator", "erase"),
    ("check",),
    ("db", "backup"),
    ("db", "purge"),
    ("metrics",),
)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)


def batch(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="A file of alertctl command lines, or - for stdin.")
    ],
) -> None:
    """Run many command lines in one transaction: all, or none.

    One process, one transaction: every line is applied, or none is.
    """
    from alertctl.errors import AlertctlError, Invalid

    lines = _read(source)
    current = state(ctx)
    db = current.db
    commands = [(number, _split(number, line)) for number, line in lines]
    commands = [(number, args) for number, args in commands if args]
    with db.unit_of_work():
        State.shared = db
        try:
            for number, args in commands:
                _run(number, args)
        except AlertctlError as exc:
            raise type(exc)(
                f"line {number}: {exc.message}; nothing was written",
                hint=exc.hint,
                details=exc.details,
            ) from None
        except typer.Exit as exc:
            if exc.exit_code:
                raise Invalid(f"line {number} failed; nothing was written") from None
        finally:
            State.shared = None
    if not current.dry_run:
        info(f"batch: {counted(len(commands), 'command')} applied")


def _read(source: str) -> list[tuple[int, str]]:
    from alertctl.errors import Invalid

    if source == "-":
        text = sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise Invalid(f"no file {source}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(f"{source} is not UTF-8: {exc.reason} at byte {exc.start}") from None
    return list(enumerate(text.splitlines(), start=1))


def _split(number: int, line: str) -> list[str]:
    from alertctl.errors import Invalid

    try:
        args = shlex.split(line, comments=True)
    except ValueError as exc:
        raise Invalid(f"line {number}: {exc}; nothing was written") from None
    if args and args[0] == "alertctl":
        args = args[1:]
    path, sends = _command_path(args)
    for refused in REFUSED:
        if path[: len(refused)] == refused:
            raise Invalid(
                f"line {number}: `{' '.join(refused)}` cannot run inside a batch; "
                "nothing was written",
                hint=f"run alertctl {' '.join(refused)} on its own",
            )
    if sends:
        raise Invalid(
            f"line {number}: `{' '.join(path)} --send` cannot run inside a batch (it would "
            "send before the batch is written); nothing was written",
            hint="leave out --send, and run alertctl alerts send after the batch",
        )
    return args


def _command_path(args: list[str]) -> tuple[tuple[str, ...], bool]:
    """The command a line runs, found as the app would find it (options before a command name,
    `--debug alerts send`, are stepped over with their values), and whether the line asks to
    send (`--send`, wherever it stands among the command's options)."""
    command = _command()
    context = command.make_context("alertctl", [], resilient_parsing=True)
    path: list[str] = []
    sends = False
    tokens = iter(args)
    for token in tokens:
        if token.startswith("-"):
            option = _option(command, token.split("=", 1)[0])
            sends = sends or (option is not None and "--send" in option.opts)
            if option is not None and not option.is_flag and "=" not in token:
                next(tokens, None)  # its value
            continue
        sub = command.get_command(context, token) if hasattr(command, "get_command") else None
        if sub is None:
            continue  # an argument of the command
        path.append(token)
        command = sub
        context = command.make_context(token, [], parent=context, resilient_parsing=True)
    return tuple(path), sends


def _option(command: Any, name: str) -> Any:
    return next((p for p in command.params if name in getattr(p, "opts", ())), None)


@functools.cache
def _command() -> Any:
    """The click command of the app, built once for the whole batch (Typer builds it anew at
    every call, which would cost more than most commands)."""
    from alertctl.cli.app import app

    return typer.main.get_command(app)


def _run(number: int, args: list[str]) -> None:
    """One line, through the same app and error handling as a command of its own; its errors
    come back to the batch, which stops."""
    from alertctl.cli import click_api as click_exceptions
    from alertctl.cli.help_text import usage_message
    from alertctl.errors import BadUsage, Invalid

    try:
        _command().main(args=args, prog_name="alertctl", standalone_mode=False)
    except click_exceptions.UsageError as exc:
        raise BadUsage(usage_message(exc)) from None
    except click_exceptions.ClickException as exc:
        raise Invalid(exc.format_message().replace("\n", " ")) from None
    except typer.Abort:
        raise Invalid("cancelled") from None
