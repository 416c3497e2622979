"""`alertctl template ...`: alert mail templates."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json, Yes, list_command
from alertctl.cli.output import info, key_values, render, updated
from alertctl.cli.state import confirm, state
from alertctl.domain.model import Event, Language

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.services.configuration.templates import (
        RenderedTemplate,
        TemplateDetail,
        TemplateRow,
    )


template_app = typer.Typer(help="Alert mail templates (Jinja2, sandboxed).", no_args_is_help=True)

COLUMNS: "list[Column[TemplateRow]]" = [
    ("Name", lambda r: r.name),
    ("Language", lambda r: r.language),
    ("HTML", lambda r: r.html),
    ("Shipped", lambda r: r.builtin),
]


def _read(path: Path | None) -> str | None:
    from alertctl.errors import Invalid

    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read {path}: {exc}") from None


@template_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The template's name.")],
    subject: Annotated[
        str, typer.Option(help="Subject template (after the keyword and reference).")
    ],
    text: Annotated[Path, typer.Option(help="File with the text body template.")],
    html: Annotated[Path | None, typer.Option(help="File with the HTML body template.")] = None,
    language: Annotated[Language, typer.Option(help="Language of the template.")] = Language.FR,
) -> None:
    """Add an alert template; its syntax and variables are checked first."""
    from alertctl.services.configuration.templates import add_template

    body = _read(text)
    assert body is not None
    add_template(
        state(ctx).db, name=name, subject=subject, text=body, html=_read(html), language=language
    )
    info(f"added template {name}")


@template_app.command("update")
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The template's name.")],
    subject: Annotated[str | None, typer.Option(help="New subject template.")] = None,
    text: Annotated[Path | None, typer.Option(help="File with the new text body.")] = None,
    html: Annotated[Path | None, typer.Option(help="File with the new HTML body.")] = None,
    no_html: Annotated[bool, typer.Option("--no-html", help="Drop the HTML body.")] = False,
    language: Annotated[Language | None, typer.Option(help="Language of the template.")] = None,
    as_json: Json = False,
) -> None:
    """Change a template: only what is given; it is checked on the samples before it is saved."""
    from alertctl.services.configuration.templates import update_template

    if html is not None and no_html:
        raise typer.BadParameter("give --html or --no-html, not both")
    row = update_template(
        state(ctx).db,
        name=name,
        subject=subject,
        text=_read(text),
        html=_read(html),
        drop_html=no_html,
        language=language,
    )
    updated(f"template {name}", row, as_json=as_json)


list_command(
    template_app,
    lister="alertctl.services.configuration.templates:list_templates",
    columns=COLUMNS,
    noun="template",
    help="List templates.",
)


@template_app.command("show")
def show(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """Show a template's sources."""
    from alertctl.services.configuration.templates import show_template

    def human(doc: "TemplateDetail") -> "RenderableType":
        return key_values(
            [
                ("Template", doc.name),
                ("Language", doc.language),
                ("Subject", doc.subject),
                ("Text", doc.text),
                ("HTML", doc.html),
            ]
        )

    render(show_template(state(ctx).db, name=name), as_json=as_json, human=human)


@template_app.command("check")
def check(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """Check syntax and variables, and render it once on a sample request."""
    from alertctl.cli.output import print_json
    from alertctl.errors import Invalid
    from alertctl.services.configuration.templates import check_template

    result = check_template(state(ctx).db, name=name)
    if as_json:
        print_json(result)
    if not result.ok:
        raise Invalid(f"template {name!r}: {result.problems[0]}")
    if not as_json:
        info(f"template {name} is valid")


@template_app.command("render")
def render_(
    ctx: typer.Context,
    name: str,
    request: Annotated[str, typer.Option("--request", help="The request to render with.")],
    event: Annotated[Event, typer.Option("--event", "-e", help="The event.")] = Event.STATUS_CHANGE,
    contact: Annotated[
        str | None, typer.Option("--contact", "-c", help="A contact as recipient.")
    ] = None,
    collaborator: Annotated[
        str | None, typer.Option("--collaborator", "-p", help="A collaborator as recipient.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Render a template with a real request, as a recipient would get it."""
    from alertctl.cli.links import person_option
    from alertctl.services.configuration.templates import render_template

    kind, code = (None, None)
    if contact or collaborator:
        kind, code = person_option(contact, collaborator)
    doc = render_template(
        state(ctx).db, name=name, reference=request, event=event, kind=kind, code=code
    )

    def human(d: "RenderedTemplate") -> "list[RenderableType]":
        from rich.text import Text

        parts: list[RenderableType] = [Text(f"Subject: {d.subject}\n"), Text(d.text)]
        if d.html:
            parts += [Text("--- html"), Text(d.html)]
        return parts

    render(doc, as_json=as_json, human=human)


@template_app.command("remove")
def remove(ctx: typer.Context, name: str, yes: Yes = False) -> None:
    """Remove a template that no client setting uses."""
    from alertctl.services.configuration.templates import remove_template

    confirm(f"Remove template {name}?", yes=yes)
    remove_template(state(ctx).db, name=name)
    info(f"removed template {name}")


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template")
