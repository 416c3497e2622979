"""`alertctl alerts preview|explain`: who would be alerted, and why someone would not."""

from typing import Annotated, Any

import typer

from alertctl.cli.options import MAX_INT, AlertId, Json
from alertctl.cli.output import field, make_table, render
from alertctl.cli.state import state
from alertctl.domain.model import Event

alerts_app = typer.Typer(help="Preview, explain and deliver alerts.", no_args_is_help=True)

RECIPIENT_COLUMNS = [
    ("Person", lambda r: f"{r['kind']} {r['code']} ({r['name']})"),
    ("Channel", field("channel")),
    ("Address", field("address")),
    ("Sources", field("sources")),
    ("Subject", field("subject")),
]
EXCLUDED_COLUMNS = [
    ("Person", lambda r: f"{r['kind']} {r['code']} ({r['name']})"),
    ("Channel", field("channel")),
    ("Reason", field("reason")),
    ("Detail", field("detail")),
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
    from alertctl.services.alerts import preview as run

    def human(doc: dict[str, Any]) -> list[Any]:
        parts = []
        for item in doc["events"]:
            parts.append(
                make_table(
                    item["recipients"],
                    RECIPIENT_COLUMNS,
                    title=f"{item['event']}: {len(item['recipients'])} recipient(s)",
                )
            )
            if item["excluded"]:
                parts.append(
                    make_table(
                        item["excluded"], EXCLUDED_COLUMNS, title=f"{item['event']}: left out"
                    )
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
    from alertctl.services.alerts import explain as run

    kind, code = person_option(contact, collaborator)
    render(
        run(state(ctx).db, reference=reference, kind=kind, code=code, event=event),
        as_json=as_json,
        human=explanation,
    )


def explanation(doc: dict[str, Any]) -> list[Any]:
    from rich.text import Text
    from rich.tree import Tree

    person = doc["person"]
    parts: list[Any] = []
    for item in doc["events"]:
        if item["receives"]:
            verdict = Text(
                "receives it by "
                + ", ".join(f"{r['channel']} ({r['address']})" for r in item["receives"]),
                style="green",
            )
        else:
            verdict = Text("does not receive it", style="red")
        for x in item["excluded"]:
            verdict.append(f"; {x['reason']}" + (f" on {x['channel']}" if x["channel"] else ""))
        tree = Tree(
            Text.assemble(
                (f"{item['event']}: ", "bold"), f"{person['kind']} {person['code']} ", verdict
            )
        )
        for check in item["checks"]:
            mark = "[x]" if check["passed"] else "[ ]"
            node = tree.add(
                Text(
                    f"{mark} {check['rule']}. {check['title']}: {check['facts']}",
                    style="" if check["passed"] else "yellow",
                )
            )
            if check["fix"]:
                node.add(Text(f"fix: {check['fix']}", style="cyan"))
        parts.append(tree)
    return parts


OUTBOX_COLUMNS = [
    ("Id", field("id")),
    ("Request", field("request")),
    ("Event", field("event")),
    ("Person", lambda r: f"{r['kind']} {r['code']}"),
    ("Channel", field("channel")),
    ("Address", field("address")),
    ("Status", field("status")),
    ("Tries", field("attempts")),
    ("Last reply", field("last_reply")),
]


@alerts_app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="pending, sending, retry, sent, dead, unknown, cancelled.")
    ] = None,
    request: Annotated[str | None, typer.Option(help="Alerts of one request.")] = None,
    as_json: Json = False,
) -> None:
    """List alerts in the outbox."""
    from alertctl.cli.output import render_rows
    from alertctl.services.operator import list_alerts

    rows = list_alerts(state(ctx).db, status=status, request=request)
    render_rows(rows, OUTBOX_COLUMNS, as_json=as_json, empty="no alerts")


@alerts_app.command("show")
def show(
    ctx: typer.Context,
    alert_id: AlertId,
    as_json: Json = False,
) -> None:
    """Show an alert: the message as sent and every attempt."""
    from alertctl.cli.output import key_values
    from alertctl.services.operator import show_alert

    def human(doc: dict[str, Any]) -> list[Any]:
        from rich.text import Text

        head = key_values(
            [
                (k.replace("_", " ").capitalize(), doc[k])
                for k in (
                    "id",
                    "request",
                    "event",
                    "kind",
                    "code",
                    "channel",
                    "address",
                    "sources",
                    "status",
                    "attempts",
                    "message_id",
                    "sent_at",
                    "next_attempt_at",
                    "last_reply",
                )
            ]
        )
        attempts = make_table(
            doc["attempts_log"],
            [
                ("At", field("at")),
                ("Owner", field("owner")),
                ("Outcome", field("outcome")),
                ("Reply", field("reply")),
            ],
            title="Attempts",
        )
        message = doc["message"] or f"Subject: {doc['subject']}\n\n{doc['text']}"
        return [head, attempts, Text(message)]

    render(show_alert(state(ctx).db, alert_id=alert_id), as_json=as_json, human=human)


@alerts_app.command("retry")
def retry(
    ctx: typer.Context,
    alert_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", min=1, max=MAX_INT, help="An alert's id.")
    ] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Every dead alert.")] = False,
) -> None:
    """Make an alert (or every dead one) due again."""
    from alertctl.cli.output import info
    from alertctl.services.operator import retry as run

    count = run(state(ctx).db, alert_id=alert_id, dead=dead)
    info(f"{count} alert(s) due again: alertctl alerts send")


@alerts_app.command("cancel")
def cancel(ctx: typer.Context, alert_id: AlertId) -> None:
    """Cancel an alert that has not been sent."""
    from alertctl.cli.output import info
    from alertctl.services.operator import cancel as run

    run(state(ctx).db, alert_id=alert_id)
    info(f"alert {alert_id} cancelled")


@alerts_app.command("stats")
def stats(ctx: typer.Context, as_json: Json = False) -> None:
    """Counts by status, and by day drawn as bars."""
    from alertctl.services.operator import stats as run

    render(run(state(ctx).db), as_json=as_json, human=stats_chart)


def stats_chart(doc: dict[str, Any]) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    styles = {
        "sent": "green",
        "pending": "blue",
        "sending": "cyan",
        "retry": "yellow",
        "dead": "red",
        "unknown": "magenta",
        "cancelled": "dim",
    }
    totals = Table(show_header=False, box=None)
    for status, count in doc["by_status"].items():
        totals.add_row(status, str(count))
    faults = doc["faults"]
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(faults["by_reason"].items()))
    totals.add_row(
        Text("left out by faults", style="red" if faults["total"] else ""),
        f"{faults['total']}" + (f" ({reasons})" if reasons else ""),
    )
    days = Table(title="By day", show_header=True, box=None)
    days.add_column("Day")
    days.add_column("Alerts")
    days.add_column("", no_wrap=True)
    days.add_column("Faults")
    peak = max(
        (sum(v for k, v in d.items() if k not in ("day", "faults")) for d in doc["by_day"]),
        default=0,
    )
    for day in doc["by_day"]:
        bar = Text()
        total = 0
        for status, style in styles.items():
            count = day[status]
            total += count
            bar.append("█" * round(40 * count / peak) if peak else "", style=style)
        days.add_row(day["day"], str(total), bar, str(day["faults"] or ""))
    legend = Text("  ".join(f"█ {s}" for s in styles))
    return [totals, days, legend]
