"""What the root command parsed, handed to every command through the Typer context."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import typer

from alertctl.cli import collector
from alertctl.errors import Refused

if TYPE_CHECKING:
    from alertctl.config import Settings
    from alertctl.db.engine import Database


@dataclass
class State:
    db_flag: str | None = None
    config_flag: str | None = None
    dry_run: bool = False
    # Set by `alertctl check`, which lists the problems of the settings file instead of
    # refusing to start on them.
    lists_setting_problems: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _database: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The settings, refused whole when the file has a problem: nothing is done on a file
        that cannot mean what was written."""
        found = self.settings_as_found
        if not self.lists_setting_problems:
            found.refuse_problems()
        return found

    @property
    def settings_as_found(self) -> Settings:
        """The settings with their problems, for `alertctl check`, which lists them."""
        if self._settings is None:
            from alertctl.config import load_settings

            self._settings = load_settings(db=self.db_flag, config=self.config_flag)
        return self._settings

    # The database of a batch that is running: every command of the batch works in its unit of
    # work, whatever it would open by itself.
    shared: ClassVar[Database | None] = None

    @property
    def db(self) -> Database:
        if State.shared is not None:
            return State.shared
        if self._database is None:
            from alertctl.db.engine import Database

            collector.resume()
            self._database = Database(
                self.settings.db,
                dry_run=self.dry_run,
                make_folder=self.settings.db_origin == "default",
            )
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            # Closed as the command's context ends: on its error, the error says it all (a
            # refusal is not a dry run that went through).
            if self.dry_run and sys.exc_info()[0] is None:
                from alertctl.cli.output import info

                info("dry run: nothing was written")


def refuse_in_a_batch_line(option: str) -> None:
    """A batch line shares the batch's database, settings and transaction: an option of its
    own among these would be ignored while it seems to hold."""
    if State.shared is not None:
        from alertctl.cli.click_api import UsageError

        raise UsageError(f"{option} in a batch line: give it to the batch itself")


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def confirm(question: str, *, yes: bool) -> None:
    """Ask on a terminal; elsewhere a destructive command needs --yes. A dry run writes
    nothing, so it asks nothing."""
    from alertctl.cli.click_api import get_current_context

    context = get_current_context(silent=True)
    root = context.find_root().obj if context is not None else None
    if yes or (isinstance(root, State) and root.dry_run):
        return
    if not sys.stdin.isatty():
        raise Refused(f"{question.rstrip('?')}: not confirmed", hint="add --yes to confirm")
    if not typer.confirm(question, default=False, err=True):
        raise Refused("cancelled: nothing was changed")
