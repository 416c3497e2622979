"""`alertctl calendar ...`: the business calendars SLA clocks count on."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json, Yes, list_command
from alertctl.cli.output import info, key_values, render, updated
from alertctl.cli.state import confirm, state

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.services.sla.calendars import CalendarChange, CalendarRow

calendar_app = typer.Typer(
    help="Business calendars: opening hours, time zone, closed days.", no_args_is_help=True
)

CALENDAR_COLUMNS: "list[Column[CalendarRow]]" = [
    ("Name", lambda r: r.name),
    ("Zone", lambda r: r.zone),
    ("Hours", lambda r: r.hours),
    ("Holidays", lambda r: _holidays(r)),
    ("Closed", lambda r: len(r.closed)),
    ("Contracts", lambda r: len(r.contracts)),
]

Zone = Annotated[
    str | None, typer.Option(help="Its time zone, as the IANA names it: Europe/Paris.")
]
Hours = Annotated[
    str | None,
    typer.Option(help="Opening hours: 'mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00'."),
]
Holidays = Annotated[
    str | None,
    typer.Option(help="The public holidays of a country, and region: FR, DE/BY ('none' for none)."),
]
Closed = Annotated[
    str | None,
    typer.Option(help="Extra closed dates, comma-separated: 2026-12-24,2026-12-31 ('none')."),
]


def _change(
    zone: str | None, hours: str | None, holidays: str | None, closed: str | None
) -> "CalendarChange":
    from alertctl.services.sla.calendars import CalendarChange

    country = region = None
    if holidays is not None:
        country, _, region = ("" if holidays.lower() == "none" else holidays).partition("/")
    return CalendarChange(
        zone=zone,
        hours=hours,
        country=country,
        region=region if holidays is not None else None,
        closed="" if closed is not None and closed.lower() == "none" else closed,
    )


@calendar_app.command("add")
def calendar_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar's name.")],
    zone: Zone = None,
    hours: Hours = None,
    holidays: Holidays = None,
    closed: Closed = None,
) -> None:
    """Add a business calendar (a time zone and opening hours at least)."""
    from alertctl.services.sla.calendars import add_calendar

    row = add_calendar(state(ctx).db, name, _change(zone, hours, holidays, closed))
    info(f"added calendar {name} ({row.zone}, {row.hours})")


@calendar_app.command("update")
def calendar_update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar's name.")],
    zone: Zone = None,
    hours: Hours = None,
    holidays: Holidays = None,
    closed: Closed = None,
    as_json: Json = False,
) -> None:
    """Change a calendar; the clocks counted on it are read again at the next check."""
    from alertctl.services.sla.calendars import update_calendar

    row = update_calendar(state(ctx).db, name, _change(zone, hours, holidays, closed))
    updated(f"calendar {name}", row, as_json=as_json)


list_command(
    calendar_app,
    lister="alertctl.services.sla.calendars:list_calendars",
    columns=CALENDAR_COLUMNS,
    noun="calendar",
    help="List business calendars.",
)


@calendar_app.command("show")
def calendar_show(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """Show a calendar and the contracts that count on it."""
    from alertctl.services.sla.calendars import show_calendar

    def human(row: "CalendarRow") -> "RenderableType":
        return key_values(
            [
                ("Calendar", row.name),
                ("Zone", row.zone),
                ("Hours", row.hours),
                ("Holidays", _holidays(row)),
                ("Closed", ", ".join(row.closed) or "-"),
                ("Contracts", ", ".join(row.contracts) or "-"),
            ]
        )

    render(show_calendar(state(ctx).db, name), as_json=as_json, human=human)


@calendar_app.command("remove")
def calendar_remove(ctx: typer.Context, name: str, yes: Yes = False) -> None:
    """Remove a calendar that no contract counts on."""
    from alertctl.services.sla.calendars import remove_calendar

    confirm(f"Remove calendar {name}?", yes=yes)
    remove_calendar(state(ctx).db, name)
    info(f"removed calendar {name}")


def _holidays(row: "CalendarRow") -> str:
    if row.country is None:
        return "-"
    return f"{row.country}/{row.region}" if row.region else row.country


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
