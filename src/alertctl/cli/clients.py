"""`alertctl client ...` and `alertctl site ...`."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import All, Json, Limit, Yes, list_command, rows_wanted
from alertctl.cli.output import info, key_values, make_table, render, render_all_of, updated
from alertctl.cli.state import confirm, state
from alertctl.domain.model import Event, Language, MailFormat

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.services.configuration.clients import (
        AlertSettingRow,
        ClientDetail,
        ClientRow,
        SiteDetail,
        SiteRow,
    )


client_app = typer.Typer(help="Clients and their alert settings.", no_args_is_help=True)
site_app = typer.Typer(help="Client sites (one main site per client).", no_args_is_help=True)

CLIENT_COLUMNS: "list[Column[ClientRow]]" = [
    ("Code", lambda r: r.code),
    ("Name", lambda r: r.name),
    ("Language", lambda r: r.language),
    ("Sites", lambda r: r.sites),
    ("Contacts", lambda r: r.contacts),
]
SITE_COLUMNS: "list[Column[SiteRow]]" = [
    ("Client", lambda r: r.client),
    ("Site", lambda r: r.code),
    ("Name", lambda r: r.name),
    ("Main", lambda r: r.main),
]
ALERT_COLUMNS: "list[Column[AlertSettingRow]]" = [
    ("Event", lambda r: r.event),
    ("On", lambda r: r.enabled),
    ("Keyword", lambda r: r.keyword),
    ("Template", lambda r: r.template),
    ("Format", lambda r: r.format),
]


@client_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The client's code.")],
    name: Annotated[str | None, typer.Option(help="Display name (the code when omitted).")] = None,
    language: Annotated[
        Language,
        typer.Option(help="The language its people read alerts in, unless they have their own."),
    ] = Language.FR,
) -> None:
    """Add a client."""
    from alertctl.services.configuration.clients import add_client

    row = add_client(state(ctx).db, code=code, name=name, language=language)
    info(f"added client {row.code}")


@client_app.command("update")
def update(
    ctx: typer.Context,
    code: str,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    language: Annotated[
        Language | None,
        typer.Option(help="The language its people read alerts in, unless they have their own."),
    ] = None,
) -> None:
    """Rename a client or change its language."""
    from alertctl.services.configuration.clients import update_client

    update_client(state(ctx).db, code=code, name=name, language=language)
    info(f"updated client {code}")


list_command(
    client_app,
    lister="alertctl.services.configuration.clients:list_clients",
    columns=CLIENT_COLUMNS,
    noun="client",
    help="List clients.",
)


@client_app.command("show")
def show(ctx: typer.Context, code: str, as_json: Json = False) -> None:
    """Show a client, its sites and its alert settings."""
    from alertctl.services.configuration.clients import show_client

    def human(doc: "ClientDetail") -> "list[RenderableType]":
        return [
            key_values(
                [
                    ("Client", doc.code),
                    ("Name", doc.name),
                    ("Language", doc.language),
                    ("Contacts", doc.contacts),
                ]
            ),
            make_table(doc.sites, SITE_COLUMNS, title="Sites"),
            make_table(doc.alerts, ALERT_COLUMNS, title="Alert settings"),
        ]

    render(show_client(state(ctx).db, code=code), as_json=as_json, human=human)


@client_app.command("remove")
def remove(ctx: typer.Context, code: str, yes: Yes = False) -> None:
    """Remove a client that nothing refers to any more."""
    from alertctl.services.configuration.clients import remove_client

    confirm(f"Remove client {code}?", yes=yes)
    remove_client(state(ctx).db, code=code)
    info(f"removed client {code}")


@client_app.command("alerts")
def alerts(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The client's code.")],
    event: Annotated[Event, typer.Option("--event", "-e", help="The event to set.")],
    enable: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Switch the event on or off.")
    ] = None,
    keyword: Annotated[
        str | None, typer.Option(help="Subject keyword (required to switch on).")
    ] = None,
    template: Annotated[
        str | None, typer.Option(help="Alert template (a shipped default when unset).")
    ] = None,
    mail_format: Annotated[MailFormat | None, typer.Option("--format", help="Mail format.")] = None,
    as_json: Json = False,
) -> None:
    """Switch one event of a client's alert settings on or off."""
    from alertctl.services.configuration.clients import set_client_alert

    if enable is None:
        raise typer.BadParameter("say --enable or --disable", param_hint="--enable/--disable")
    row = set_client_alert(
        state(ctx).db,
        code=code,
        event=event,
        enabled=enable,
        keyword=keyword,
        template=template,
        mail_format=mail_format,
    )
    render(row, as_json=as_json, human=lambda r: make_table([r], ALERT_COLUMNS))


@site_app.command("add")
def site_add(
    ctx: typer.Context,
    client: Annotated[str, typer.Argument(help="The client's code.")],
    code: Annotated[str, typer.Argument(help="The site's code, unique within the client.")],
    name: Annotated[str | None, typer.Option(help="Display name (the code when omitted).")] = None,
    main: Annotated[
        bool, typer.Option("--main", help="Make it the main site (the first site is).")
    ] = False,
) -> None:
    """Add a site to a client."""
    from alertctl.services.configuration.clients import add_site

    row = add_site(state(ctx).db, client=client, code=code, name=name, main=main)
    info(f"added site {client}/{code}" + (" (main site)" if row.main else ""))


@site_app.command("list")
def site_list(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Argument()] = None,
    limit: Limit = None,
    every: All = False,
    as_json: Json = False,
) -> None:
    """List sites, of one client or of all."""
    from alertctl.services.configuration.clients import list_sites

    rows = list_sites(state(ctx).db, client=client)
    wanted = rows_wanted(limit, every)
    render_all_of(rows, SITE_COLUMNS, as_json=as_json, noun="site", limit=wanted)


@site_app.command("show")
def site_show(ctx: typer.Context, client: str, code: str, as_json: Json = False) -> None:
    """Show a site, the contacts working there, and its interlocutors."""
    from alertctl.services.configuration.clients import show_site

    def human(doc: "SiteDetail") -> "list[RenderableType]":
        people = make_table(
            doc.interlocutors,
            [("Kind", lambda r: r.kind), ("Code", lambda r: r.code), ("Name", lambda r: r.name)],
            title="Interlocutors",
        )
        pairs = [
            ("Site", f"{doc.client}/{doc.code}"),
            ("Name", doc.name),
            ("Main", doc.main),
            ("Contacts", doc.contacts),
        ]
        return [key_values(pairs), people]

    render(show_site(state(ctx).db, client=client, code=code), as_json=as_json, human=human)


@site_app.command("update")
def site_update(
    ctx: typer.Context,
    client: str,
    code: str,
    name: Annotated[str, typer.Option(help="New display name.")],
    as_json: Json = False,
) -> None:
    """Rename a site (the main site is chosen with `site main`)."""
    from alertctl.services.configuration.clients import update_site

    row = update_site(state(ctx).db, client=client, code=code, name=name)
    updated(f"site {client}/{code}", row, as_json=as_json)


@site_app.command("main")
def site_main(ctx: typer.Context, client: str, code: str) -> None:
    """Make a site its client's main site."""
    from alertctl.services.configuration.clients import make_main_site

    make_main_site(state(ctx).db, client=client, code=code)
    info(f"{client}/{code} is now the main site of {client}")


@site_app.command("remove")
def site_remove(ctx: typer.Context, client: str, code: str, yes: Yes = False) -> None:
    """Remove a site that nothing refers to any more."""
    from alertctl.services.configuration.clients import remove_site

    confirm(f"Remove site {client}/{code}?", yes=yes)
    remove_site(state(ctx).db, client=client, code=code)
    info(f"removed site {client}/{code}")


def register(app: typer.Typer) -> None:
    app.add_typer(client_app, name="client")
    app.add_typer(site_app, name="site")
