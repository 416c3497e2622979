"""`alertctl alerts forecast`: the mail a configuration would have sent over a period."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json, Limit
from alertctl.cli.output import info, make_table, render
from alertctl.cli.state import state
from alertctl.domain.wording import counted
from alertctl.errors import Invalid

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.services.saves.forecast import Forecast


def forecast(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--from", metavar="TIME", help="Saves from: 2026-11-01, 7d (default 7d)."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="TIME", help="Saves before (default now).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="Replay through this configuration file, not yet applied (as config apply).",
        ),
    ] = None,
    limit: Limit = None,
    as_json: Json = False,
) -> None:
    """Replay a period's saves through the configuration: who would get how many mails."""
    from alertctl.domain.times import parse_since
    from alertctl.services.saves.forecast import forecast as replay

    current = state(ctx)
    now = datetime.now(UTC)
    start = parse_since(since, now) if since else now - timedelta(days=7)
    end = parse_since(until, now) if until else now
    if end <= start:
        raise Invalid(
            f"the period from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC is empty: "
            "--from comes before --to",
            hint="alertctl alerts forecast --from 2026-11-01 --to 2026-12-01",
        )
    desired, name = None, "the current configuration"
    if file is not None:
        from alertctl.services.configuration.apply import read_for_database

        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid(f"cannot read {file}: {exc}") from None
        desired = read_for_database(current.db, text, region=current.settings.default_region)
        name = str(file)
    found = replay(current.db, since=start, until=end, desired=desired, configuration=name)
    render(found, as_json=as_json, human=lambda doc: _table(doc, limit))
    gain = sum(1 for p in found.people if p.change > 0)
    lose = sum(1 for p in found.people if p.change < 0)
    info(
        f"{counted(found.saves, 'save')} from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
        f"UTC replayed through {name}: {counted(found.total, 'mail')}, against "
        f"{found.total_made:,} made ({_fate(found)}); {counted(gain, 'person', 'people')} "
        f"would get more, {lose:,} fewer; nothing was written"
    )


def _fate(found: "Forecast") -> str:
    """What became of the mails made: delivered, waiting in the outbox, or given up."""
    given_up = found.total_made - found.sent - found.queued
    said = [f"{found.sent:,} sent", f"{found.queued:,} queued"]
    return ", ".join(said + ([f"{given_up:,} dead or cancelled"] if given_up else []))


def _table(doc: "Forecast", limit: int | None) -> "RenderableType":
    people = doc.people[:limit] if limit else doc.people
    return make_table(
        people,
        [
            ("Person", lambda p: f"{p.kind} {p.code} ({p.name})"),
            ("Mails", lambda p: p.total),
            ("Made", lambda p: p.total_made),
            ("Change", lambda p: f"{p.change:+d}" if p.change else "0"),
            ("By event", lambda p: ", ".join(f"{e} {n}" for e, n in p.forecast.items()) or "-"),
        ],
        title="The noisiest first",
        empty="nobody would get mail",
    )


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
