"""`alertctl alerts list|show|retry|cancel|stats`: the operator's view of the outbox."""

from typing import Annotated, Any

import typer

from alertctl.cli.options import MAX_INT, AlertId, Json
from alertctl.cli.output import field, make_table, render
from alertctl.cli.state import state
from alertctl.domain.model import AlertStatus


def register(group: typer.Typer) -> None:
    group.command("list")(list_)
    group.command("show")(show)
    group.command("retry")(retry)
    group.command("cancel")(cancel)
    group.command("stats")(stats)


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


def list_(
    ctx: typer.Context,
    status: Annotated[AlertStatus | None, typer.Option(help="Alerts in this state only.")] = None,
    request: Annotated[str | None, typer.Option(help="Alerts of one request.")] = None,
    as_json: Json = False,
) -> None:
    """List alerts in the outbox."""
    from alertctl.cli.output import render_rows
    from alertctl.services.operator import list_alerts

    rows = list_alerts(state(ctx).db, status=status.value if status else None, request=request)
    render_rows(rows, OUTBOX_COLUMNS, as_json=as_json, empty="no alerts")


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


def cancel(ctx: typer.Context, alert_id: AlertId) -> None:
    """Cancel an alert that has not been sent."""
    from alertctl.cli.output import info
    from alertctl.services.operator import cancel as run

    run(state(ctx).db, alert_id=alert_id)
    info(f"alert {alert_id} cancelled")


def stats(ctx: typer.Context, as_json: Json = False) -> None:
    """Counts by status, and by day drawn as bars."""
    from alertctl.services.operator import stats as run

    render(run(state(ctx).db), as_json=as_json, human=stats_chart)


def stats_chart(doc: dict[str, Any]) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    styles = {
        AlertStatus.SENT: "green",
        AlertStatus.PENDING: "blue",
        AlertStatus.SENDING: "cyan",
        AlertStatus.RETRY: "yellow",
        AlertStatus.DEAD: "red",
        AlertStatus.UNKNOWN: "magenta",
        AlertStatus.CANCELLED: "dim",
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
