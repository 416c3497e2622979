"""`alertctl link SOURCE TARGET ...` and `alertctl unlink ...`."""

from typing import Annotated

import typer

from alertctl.cli.output import info
from alertctl.cli.state import state
from alertctl.domain.model import PersonKind, Source

TARGET_HELP = "product code, CLIENT/SITE, contract code, CONTRACT/SERVICE, or client code"


def person_option(contact: str | None, collaborator: str | None) -> tuple[PersonKind, str]:
    """The person named by --contact or --collaborator (exactly one of them)."""
    if (contact is None) == (collaborator is None):
        raise typer.BadParameter("give exactly one of --contact or --collaborator")
    if contact is not None:
        return PersonKind.CONTACT, contact
    assert collaborator is not None
    return PersonKind.COLLABORATOR, collaborator


def _change(
    ctx: typer.Context,
    source: Source,
    target: str,
    contact: str | None,
    collaborator: str | None,
    linked: bool,
) -> None:
    from alertctl.services.configuration.links import link as run

    kind, code = person_option(contact, collaborator)
    row = run(state(ctx).db, source=source, target=target, kind=kind, code=code, linked=linked)
    verb = "linked" if linked else "unlinked"
    info(f"{verb} {kind.value} {code} {'to' if linked else 'from'} {source.value} {row.target}")


Contact = Annotated[str | None, typer.Option("--contact", "-c", help="A contact's code.")]
Collaborator = Annotated[
    str | None, typer.Option("--collaborator", "-p", help="A collaborator's code.")
]
SourceArg = Annotated[Source, typer.Argument(help="Where the interlocutor is linked.")]
TargetArg = Annotated[str, typer.Argument(help=TARGET_HELP)]


def link(
    ctx: typer.Context,
    source: SourceArg,
    target: TargetArg,
    contact: Contact = None,
    collaborator: Collaborator = None,
) -> None:
    """Make a contact or collaborator an interlocutor of a source."""
    _change(ctx, source, target, contact, collaborator, linked=True)


def unlink(
    ctx: typer.Context,
    source: SourceArg,
    target: TargetArg,
    contact: Contact = None,
    collaborator: Collaborator = None,
) -> None:
    """Remove someone from a source's interlocutors."""
    _change(ctx, source, target, contact, collaborator, linked=False)


def register(app: typer.Typer) -> None:
    app.command("link")(link)
    app.command("unlink")(unlink)
