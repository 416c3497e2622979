"""`alertctl contact ...` and `alertctl collaborator ...`: the same verbs for both kinds."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import All, Json, Limit, Yes, rows_wanted
from alertctl.cli.output import info, key_values, make_table, render, render_all_of, warn
from alertctl.cli.state import confirm, state
from alertctl.domain.model import Event, PersonKind, PersonLanguage, parse_enum_list, values_of
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.db.engine import Database
    from alertctl.services.configuration.people import PersonDetail, PersonRow


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


def _channels(row: "PersonRow") -> str:
    on = {"email": row.reception.email, "fax": row.reception.fax}
    return ", ".join(c for c, used in on.items() if used) or "-"


COLUMNS: "list[Column[PersonRow]]" = [
    ("Code", lambda r: r.code),
    ("Name", lambda r: r.name),
    ("Client", lambda r: r.client),
    ("Sites", lambda r: r.sites),
    ("E-mail", lambda r: r.email),
    ("Fax", lambda r: r.fax),
    ("Reception", _channels),
    ("Alerts", lambda r: r.alerts),
    ("Active", lambda r: r.active),
]
COLLABORATOR_COLUMNS = [c for c in COLUMNS if c[0] not in ("Client", "Sites")]


EVENTS = ", ".join(values_of(Event))
LANGUAGE_HELP = (
    "The language of their alerts: fr, en, or client (their client's; for a collaborator, "
    "the language of each request's client)."
)


def _switch(value: Switch | None) -> bool | None:
    return None if value is None else value is Switch.ON


def _events(text: str | None) -> list[Event]:
    return parse_enum_list(Event, text, "event") if text else []


def build(kind: PersonKind) -> typer.Typer:
    """The command group of one kind of person: the same verbs for both, registered by use."""
    group = typer.Typer(
        help="Contacts: people at a client."
        if kind is PersonKind.CONTACT
        else "Collaborators: people of the support organisation.",
        no_args_is_help=True,
    )
    for register in (
        _add_command,
        _edit_commands,
        _read_commands,
        _alert_commands,
        _privacy_commands,
    ):
        register(group, kind)
    return group


def _db(ctx: typer.Context) -> "Database":
    return state(ctx).db


def _region(ctx: typer.Context) -> str:
    return state(ctx).settings.default_region


def _add_command(group: typer.Typer, kind: PersonKind) -> None:
    (_add_contact if kind is PersonKind.CONTACT else _add_collaborator)(group, kind)


# The options `add` takes for contacts and collaborators alike.
Name = Annotated[str | None, typer.Option(help="Full name (the code when omitted).")]
Email = Annotated[str | None, typer.Option(help="E-mail address (switches e-mail on).")]
Fax = Annotated[str | None, typer.Option(help="Fax number (switches fax on).")]
Language = Annotated[PersonLanguage, typer.Option(help=LANGUAGE_HELP)]


def _add_contact(group: typer.Typer, kind: PersonKind) -> None:

    @group.command("add")
    def add_contact(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="The contact's code.")],
        client: Annotated[str, typer.Option(help="The client the contact works for.")],
        name: Name = None,
        site: Annotated[
            list[str] | None, typer.Option(help="A site of the client (repeatable).")
        ] = None,
        email: Email = None,
        fax: Fax = None,
        language: Language = PersonLanguage.CLIENT,
    ) -> None:
        """Add a contact at a client."""
        from alertctl.services.configuration.people import add_person

        add_person(
            _db(ctx),
            kind=kind,
            code=code,
            name=name,
            client=client,
            sites=site or [],
            email=email,
            fax=fax,
            language=language,
            default_region=_region(ctx),
        )
        info(f"added contact {code}")
        _address_notes(email)


def _add_collaborator(group: typer.Typer, kind: PersonKind) -> None:

    @group.command("add")
    def add_collaborator(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="The collaborator's code.")],
        name: Name = None,
        email: Email = None,
        fax: Fax = None,
        language: Language = PersonLanguage.CLIENT,
    ) -> None:
        """Add a collaborator of the support organisation."""
        from alertctl.services.configuration.people import add_person

        add_person(
            _db(ctx),
            kind=kind,
            code=code,
            name=name,
            email=email,
            fax=fax,
            language=language,
            default_region=_region(ctx),
        )
        info(f"added collaborator {code}")
        _address_notes(email)


def _edit_commands(group: typer.Typer, kind: PersonKind) -> None:
    """update and remove."""
    noun = kind.value

    @group.command("update")
    def update(
        ctx: typer.Context,
        code: str,
        name: Annotated[str | None, typer.Option(help="New full name.")] = None,
        email: Annotated[
            str | None, typer.Option(help="New e-mail address ('' clears it).")
        ] = None,
        fax: Annotated[str | None, typer.Option(help="New fax number ('' clears it).")] = None,
        site: Annotated[
            list[str] | None,
            typer.Option(help="Contacts: the sites, replacing the old ones (repeatable)."),
        ] = None,
        language: Annotated[PersonLanguage | None, typer.Option(help=LANGUAGE_HELP)] = None,
    ) -> None:
        """Change a name, an address, the language or (contacts) the linked sites."""
        from alertctl.services.configuration.people import update_person

        update_person(
            _db(ctx),
            kind=kind,
            code=code,
            name=name,
            email=email,
            fax=fax,
            sites=site,
            language=language,
            default_region=_region(ctx),
        )
        info(f"updated {noun} {code}")
        _address_notes(email)

    @group.command("remove")
    def remove(ctx: typer.Context, code: str, yes: Yes = False) -> None:
        """Remove one that is linked to no source any more."""
        from alertctl.services.configuration.people import remove_person

        confirm(f"Remove {noun} {code}?", yes=yes)
        remove_person(_db(ctx), kind=kind, code=code)
        info(f"removed {noun} {code}")


def _read_commands(group: typer.Typer, kind: PersonKind) -> None:
    """list and show."""
    noun = kind.value
    columns = COLUMNS if kind is PersonKind.CONTACT else COLLABORATOR_COLUMNS

    @group.command("list")
    def list_(
        ctx: typer.Context,
        client: Annotated[str | None, typer.Option(help="Contacts of this client only.")] = None,
        limit: Limit = None,
        every: All = False,
        as_json: Json = False,
    ) -> None:
        """List them."""
        from alertctl.services.configuration.people import list_people

        rows = list_people(_db(ctx), kind=kind, client=client)
        render_all_of(
            rows,
            columns,
            as_json=as_json,
            noun=noun,
            limit=rows_wanted(limit, every),
        )

    @group.command("show")
    def show(ctx: typer.Context, code: str, as_json: Json = False) -> None:
        """Show one, with every source they are linked to."""
        from alertctl.services.configuration.people import show_person

        def human(doc: "PersonDetail") -> "list[RenderableType]":
            pairs: list[tuple[str, object]] = [(noun.capitalize(), doc.code), ("Name", doc.name)]
            if kind is PersonKind.CONTACT:
                pairs += [("Client", doc.client), ("Sites", doc.sites)]
            pairs += [
                (
                    "E-mail",
                    f"{doc.email or '-'} ({'on' if doc.reception.email else 'off'})",
                ),
                ("Fax", f"{doc.fax or '-'} ({'on' if doc.reception.fax else 'off'})"),
                ("Language", doc.language or "client (their client's)"),
                ("Alerts", doc.alerts),
                ("Active", doc.active),
            ]
            links = make_table(
                doc.links,
                [("Source", lambda r: r.source), ("Target", lambda r: r.target)],
                title="Linked to",
                empty="no source: they are alerted about nothing",
            )
            return [key_values(pairs), links]

        render(show_person(_db(ctx), kind=kind, code=code), as_json=as_json, human=human)


def _alert_commands(group: typer.Typer, kind: PersonKind) -> None:
    """reception, alerts and leave: what decides whether they are alerted."""
    noun = kind.value

    @group.command("reception")
    def reception(
        ctx: typer.Context,
        code: str,
        email: Annotated[Switch | None, typer.Option(help="E-mail reception mode.")] = None,
        fax: Annotated[Switch | None, typer.Option(help="Fax reception mode.")] = None,
    ) -> None:
        """Switch reception modes (e-mail, fax) on or off."""
        from alertctl.services.configuration.people import set_reception

        change = set_reception(
            _db(ctx), kind=kind, code=code, email=_switch(email), fax=_switch(fax)
        )
        for message in change.warnings:
            warn(message)
        info(f"{noun} {code} receives alerts by: {_channels(change.row)}")

    @group.command("alerts")
    def alerts(
        ctx: typer.Context,
        code: str,
        on: Annotated[
            str | None, typer.Option("--on", help=f"Events to tick, comma-separated: {EVENTS}.")
        ] = None,
        off: Annotated[
            str | None, typer.Option("--off", help=f"Events to untick, comma-separated: {EVENTS}.")
        ] = None,
    ) -> None:
        """Tick or untick events among their alert opt-ins."""
        from alertctl.services.configuration.people import set_opt_ins

        row = set_opt_ins(_db(ctx), kind=kind, code=code, on=_events(on), off=_events(off))
        info(f"{noun} {code} opts in to: {', '.join(row.alerts) or 'nothing'}")

    @group.command("leave")
    def leave(
        ctx: typer.Context,
        code: str,
        undo: Annotated[bool, typer.Option("--undo", help="They are back: active again.")] = False,
    ) -> None:
        """Mark them as having left: they stay on record and receive nothing."""
        from alertctl.services.configuration.people import set_active

        set_active(_db(ctx), kind=kind, code=code, active=undo)
        info(f"{noun} {code} is {'active again' if undo else 'marked as left'}")


def _privacy_commands(group: typer.Typer, kind: PersonKind) -> None:
    """export and erase: a person's data, all of it or none of it."""
    noun = kind.value

    @group.command("export")
    def export(
        ctx: typer.Context,
        code: str,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write it to FILE, readable by its owner only."),
        ] = None,
    ) -> None:
        """Everything held about them, as one JSON document (GDPR article 15)."""
        from alertctl.cli.output import json_text, write_private
        from alertctl.services.operations.privacy import export_person

        text = json_text(export_person(_db(ctx), kind=kind, code=code))
        if output is None:
            sys.stdout.write(text)
        elif state(ctx).dry_run:
            info(f"would write everything held about {noun} {code} to {output}")
        else:
            write_private(output, text)
            info(f"wrote everything held about {noun} {code} to {output}")

    @group.command("erase")
    def erase(ctx: typer.Context, code: str, yes: Yes = False) -> None:
        """Erase them and their personal data from the history, for good (GDPR article 17)."""
        from alertctl.services.operations.privacy import erase_person

        confirm(f"Erase {noun} {code} and their data from every alert and save, for good?", yes=yes)
        done = erase_person(_db(ctx), kind=kind, code=code)
        info(
            f"erased {noun} {code}: {counted(done.alerts, 'alert')} kept without their data "
            f"({done.cancelled:,} not sent yet, cancelled), {counted(done.faults, 'fault')}, "
            f"{counted(done.saves, 'save record')}"
        )
        if done.wiped:
            return
        if _db(ctx).is_sqlite:
            warn(
                f"copies of {noun} {code}'s data remain in the database's unused space: "
                "alertctl db vacuum clears them (see the README, Privacy)"
            )
        else:
            warn("old row versions remain until the tables are vacuumed (see the README, Privacy)")


contact_app = build(PersonKind.CONTACT)
collaborator_app = build(PersonKind.COLLABORATOR)


def _address_notes(email: str | None) -> None:
    from alertctl.domain.validation import smtputf8_note

    note = smtputf8_note(email) if email else None
    if note is not None:
        warn(note)


def register(app: typer.Typer) -> None:
    app.add_typer(contact_app, name="contact")
    app.add_typer(collaborator_app, name="collaborator")
