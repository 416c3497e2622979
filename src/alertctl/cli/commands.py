"""The root's commands, loaded one at a time.

`alertctl client list` imports the client commands only, and `alertctl --help` none at all: the
root lists each command with its one-line help from the table below, which a test keeps equal
to the command's own. Click's documented pattern for large CLIs ("lazily loading subcommands").
"""

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from alertctl.cli import click_api
from alertctl.cli.click_api import make_default_short_help
from alertctl.cli.complete import attach
from alertctl.cli.help_text import humanise


@dataclass(frozen=True)
class Entry:
    module: str  # under alertctl.cli; its `register(app)` adds the command
    help: str  # the command's first help line, shown by `alertctl --help`


ENTRIES: dict[str, Entry] = {
    "init": Entry("setup", "Create or upgrade the database in place (safe to run again)."),
    "demo": Entry(
        "setup",
        "A demo database and maildir: the sample help desk's alerts.",
    ),
    "check": Entry("check", "Find every fault that stops or fails alerts; exit 1 if any."),
    "batch": Entry(
        "batch",
        "Run many command lines in one transaction: all, or none.",
    ),
    "link": Entry("links", "Make a contact or collaborator an interlocutor of a source."),
    "unlink": Entry("links", "Remove someone from a source's interlocutors."),
    "db": Entry("setup", "Where the database is, and its backups."),
    "client": Entry("clients", "Clients and their alert settings."),
    "site": Entry("clients", "Client sites (one main site per client)."),
    "contact": Entry("people", "Contacts: people at a client."),
    "collaborator": Entry("people", "Collaborators: people of the support organisation."),
    "product": Entry("catalog", "Maintained products."),
    "contract": Entry("contracts", "Engagement contracts and their alert sources."),
    "service": Entry("contracts", "Contract services, such as premium maintenance."),
    "calendar": Entry("calendars", "Business calendars: opening hours, time zone, closed days."),
    "sla": Entry("sla", "SLA clocks: check them, explain one, report per contract."),
    "noise": Entry("noise", "Noise control: coalescing, quiet hours, digests, caps."),
    "status": Entry("catalog", "Configurable statuses, each of a fixed status type."),
    "template": Entry("templates", "Alert mail templates (Jinja2, sandboxed)."),
    "request": Entry("requests", "Support requests and their saves."),
    "alerts": Entry("alerts", "Preview, explain and deliver alerts."),
    "config": Entry("config", "The configuration as one file: export, plan, apply."),
    "metrics": Entry(
        "metrics",
        "Outbox and sender figures as Prometheus metrics.",
    ),
}


@functools.cache
def _module_commands(module: str) -> dict[str, click_api.Command]:
    """The click commands one module registers, built once per process."""
    register: Callable[[typer.Typer], None] = importlib.import_module(
        f"alertctl.cli.{module}"
    ).register
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    register(holder)
    commands = dict(typer.main.get_group(holder).commands)
    for command in commands.values():
        attach(command)
        offer_dry_run(command)
        humanise(command)
    return commands


DRY_RUN_HELP = "Do everything, check everything, write nothing."


def offer_dry_run(command: click_api.Command) -> None:
    """`--dry-run` after any command means what it means before it (`alertctl --dry-run ...`):
    one option, one meaning, wherever it is written."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            offer_dry_run(sub)
        return
    command.params.append(_dry_run_option())


@functools.cache
def _dry_run_option() -> click_api.Parameter:
    """The option, built once by Typer as for any command, and shared by all of them."""
    holder = typer.Typer()

    @holder.command()
    def prototype(
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help=DRY_RUN_HELP,
                callback=_dry_run,
                is_eager=True,
                expose_value=False,
            ),
        ] = False,
    ) -> None: ...

    return typer.main.get_command(holder).params[0]


def _dry_run(ctx: typer.Context, value: bool) -> None:
    from alertctl.cli.state import refuse_in_a_batch_line, state

    if value:
        refuse_in_a_batch_line("--dry-run")
        state(ctx).dry_run = True


def load(name: str) -> click_api.Command:
    return _module_commands(ENTRIES[name].module)[name]


class LazyGroup(TyperGroup):
    """The root group: its commands are imported when one is called, not before."""

    def list_commands(self, ctx: click_api.Context) -> list[str]:
        return list(ENTRIES)

    def get_command(self, ctx: click_api.Context, cmd_name: str) -> click_api.Command | None:
        return load(cmd_name) if cmd_name in ENTRIES else None

    def format_commands(self, ctx: click_api.Context, formatter: click_api.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(map(len, ENTRIES))
        rows = [
            (name, make_default_short_help(entry.help, limit)) for name, entry in ENTRIES.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click_api.Context, incomplete: str) -> list[Any]:
        from alertctl.cli.click_api import CompletionItem

        names = [
            CompletionItem(name, help=entry.help)
            for name, entry in ENTRIES.items()
            if name.startswith(incomplete)
        ]
        # The root's own options, completed as any command's.
        return names + click_api.Command.shell_complete(self, ctx, incomplete)
