"""`alertctl alerts preview|explain`: who would be alerted, and why someone would not."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.fixes import spell, spelled
from alertctl.cli.options import Json
from alertctl.cli.output import make_table, print_json, render
from alertctl.cli.state import state
from alertctl.domain.model import Event
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from alertctl.cli.output import Column
    from alertctl.services.saves.preview import (
        EventExplanation,
        EventPreview,
        ExclusionView,
        Explanation,
        Preview,
        RecipientView,
    )


alerts_app = typer.Typer(help="Preview, explain and deliver alerts.", no_args_is_help=True)

RECIPIENT_COLUMNS: "list[Column[RecipientView]]" = [
    ("Person", lambda r: f"{r.kind} {r.code} ({r.name})"),
    ("Channel", lambda r: r.channel),
    ("Address", lambda r: r.address),
    ("Sources", lambda r: r.sources),
    ("Language", lambda r: r.language),
    ("Subject", lambda r: r.subject),
]
EXCLUDED_COLUMNS: "list[Column[ExclusionView]]" = [
    ("Person", lambda r: f"{r.kind} {r.code} ({r.name})"),
    ("Channel", lambda r: r.channel),
    ("Reason", lambda r: r.reason),
    ("Detail", lambda r: r.detail),
]

EventOpt = Annotated[
    Event | None, typer.Option("--event", "-e", help="One event (all five when omitted).")
]


@alerts_app.command("preview")
def preview(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The request's reference.")],
    event: EventOpt = None,
    as_json: Json = False,
) -> None:
    """Who would receive each event's alert if it fired now, and who would not and why."""
    from alertctl.services.saves.preview import preview as run

    def human(doc: "Preview") -> "list[RenderableType]":
        parts: list[RenderableType] = []
        for item in doc.events:
            title = f"{item.event}: {counted(len(item.recipients), 'recipient')}"
            if item.cannot_fire:
                parts.append(cannot_fire_line(item))
                title += " if it fired"
            held: list[Column[RecipientView]] = (
                [("Delivery", _delivery)] if any(r.held for r in item.recipients) else []
            )
            parts.append(
                make_table(
                    item.recipients,
                    RECIPIENT_COLUMNS + held,
                    title=title,
                    empty="nobody would be alerted",
                )
            )
            if item.excluded:
                parts.append(
                    make_table(item.excluded, EXCLUDED_COLUMNS, title=f"{item.event}: left out")
                )
        return parts

    render(run(state(ctx).db, reference=reference, event=event), as_json=as_json, human=human)


@alerts_app.command("explain")
def explain(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The request's reference.")],
    contact: Annotated[
        str | None, typer.Option("--contact", "-c", help="A contact's code.")
    ] = None,
    collaborator: Annotated[
        str | None, typer.Option("--collaborator", "-p", help="A collaborator's code.")
    ] = None,
    event: EventOpt = None,
    as_json: Json = False,
) -> None:
    """The eight rules as a checklist for one person: why they would, or would not, be alerted."""
    from alertctl.cli.links import person_option
    from alertctl.services.saves.preview import explain as run

    kind, code = person_option(contact, collaborator)
    document = run(state(ctx).db, reference=reference, kind=kind, code=code, event=event)
    if as_json:
        print_json(spelled(document))
    else:
        render(document, as_json=False, human=explanation)


def _delivery(recipient: "RecipientView") -> str:
    """Whether it goes now or is held (docs/rules.md, "Holding alerts"): a column shown only
    when some alert of the event would be held."""
    return recipient.held or "now"


def cannot_fire_line(item: "EventPreview | EventExplanation") -> "Text":
    """Said before anything else of an event the request cannot raise now, so that a list of
    who it would reach is never read as who it reaches."""
    from rich.text import Text

    return Text(f"{item.event} cannot fire now: {item.cannot_fire}", style="bold yellow")


def explanation(doc: "Explanation") -> "list[RenderableType]":
    from rich.text import Text
    from rich.tree import Tree

    person = doc.person
    parts: list[RenderableType] = []
    for item in doc.events:
        if item.cannot_fire:
            parts.append(cannot_fire_line(item))
        if item.receives:
            verdict = Text(
                ("would receive it if it fired, by " if item.cannot_fire else "receives it by ")
                + ", ".join(
                    f"{r.channel} ({r.address}, in {r.language}, template {r.template}"
                    + (f"; {r.held}" if r.held else "")
                    + ")"
                    for r in item.receives
                ),
                style="green",
            )
        else:
            verdict = Text("does not receive it", style="red")
        for x in item.excluded:
            verdict.append(f"; {x.reason}" + (f" on {x.channel}" if x.channel else ""))
        tree = Tree(
            Text.assemble((f"{item.event}: ", "bold"), f"{person.kind} {person.code} ", verdict)
        )
        previous = None
        for check in item.checks:
            mark = "[x]" if check.passed else "[ ]"
            # Each rule numbered once: a rule's further checks (its template, its other
            # channel) continue under its number.
            number = f"{check.rule}." if check.rule != previous else " " * len(f"{check.rule}.")
            previous = check.rule
            node = tree.add(
                Text(
                    f"{mark} {number} {check.title}: {check.facts}",
                    style="" if check.passed else "yellow",
                )
            )
            if check.fix:
                node.add(Text(f"fix: {spell(check.fix)}", style="cyan"))
        parts.append(tree)
    return parts


def register(app: typer.Typer) -> None:
    # The list, the outbox and delivery commands live in their own modules, under one group.
    from alertctl.cli import delivery, forecast, outbox

    outbox.register(alerts_app)
    delivery.register(alerts_app)
    forecast.register(alerts_app)
    app.add_typer(alerts_app, name="alerts")
