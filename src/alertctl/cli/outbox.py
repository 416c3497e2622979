"""`alertctl alerts list|show|retry|cancel|stats`: the operator's view of the outbox."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import AlertId, All, Json, Limit, fits, rows_wanted
from alertctl.cli.output import make_table, render
from alertctl.cli.state import state
from alertctl.domain.model import AlertStatus, Channel, Event
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.services.delivery.operator import AlertDetail, AlertRow, DayCounts, Stats
    from alertctl.services.saves.recover import Recovered


def register(group: typer.Typer) -> None:
    group.command("list")(list_)
    group.command("show")(show)
    group.command("retry")(retry)
    group.command("resend")(resend)
    group.command("recover")(recover)
    group.command("cancel")(cancel)
    group.command("settle")(settle)
    group.command("stats")(stats)


OUTBOX_COLUMNS: "list[Column[AlertRow]]" = [
    ("Id", lambda r: r.id),
    ("Request", lambda r: r.request),
    ("Event", lambda r: r.event),
    ("Person", lambda r: f"{r.kind} {r.code}"),
    ("Channel", lambda r: r.channel),
    ("Address", lambda r: r.address),
    ("Status", lambda r: _status(r)),
    ("Tries", lambda r: r.attempts),
    ("Last reply", lambda r: r.last_reply),
]


def _status(row: "AlertRow") -> str:
    """A status, with why and until when for a held alert (in its reader's zone, as previews
    say it), and where a merged one went."""
    if row.status is AlertStatus.HELD and row.held_until is not None:
        return f"held: {row.hold} until {_local(row.held_until, row.zone)}"
    if row.status is AlertStatus.MERGED and row.merged_into is not None:
        return f"merged into {row.merged_into}"
    return row.status.value


def _local(moment: "datetime", zone: str | None) -> str:
    from zoneinfo import ZoneInfo

    where = zone or "UTC"
    return f"{moment.astimezone(ZoneInfo(where)):%Y-%m-%d %H:%M} {where}"


def list_(
    ctx: typer.Context,
    status: Annotated[AlertStatus | None, typer.Option(help="Alerts in this state only.")] = None,
    request: Annotated[str | None, typer.Option(help="Alerts of one request.")] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", "-c", help="Alerts sent to this contact.")
    ] = None,
    collaborator: Annotated[
        str | None,
        typer.Option("--collaborator", "-p", help="Alerts sent to this collaborator."),
    ] = None,
    event: Annotated[
        Event | None, typer.Option("--event", "-e", help="Alerts of one event.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            help="Alerts queued since TIME: 30m, 12h, 7d, 2w ago, or an ISO 8601 date or time.",
        ),
    ] = None,
    limit: Limit = None,
    every: All = False,
    as_json: Json = False,
) -> None:
    """List alerts in the outbox, oldest first."""
    from datetime import UTC, datetime

    from alertctl.cli.links import person_option
    from alertctl.cli.output import render_page
    from alertctl.domain.times import parse_since
    from alertctl.services.delivery.operator import AlertFilter, list_alerts

    person = person_option(contact, collaborator) if contact or collaborator else None
    filters = AlertFilter(
        status=status,
        request=request,
        person=person,
        event=event,
        since=parse_since(since, datetime.now(UTC)) if since is not None else None,
    )
    page = list_alerts(state(ctx).db, filters, limit=rows_wanted(limit, every))
    render_page(page, OUTBOX_COLUMNS, as_json=as_json, noun="alert")


def show(
    ctx: typer.Context,
    alert_id: AlertId,
    raw: Annotated[
        bool, typer.Option("--raw", help="Print the message exactly as it was sent, and only it.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Show an alert: who, what, every attempt, and its message as the recipient reads it."""
    from alertctl.services.delivery.operator import show_alert

    detail = show_alert(state(ctx).db, alert_id=alert_id)
    if raw:
        _print_raw(detail.message, alert_id)
        return
    render(detail, as_json=as_json, human=_readable)


def _print_raw(message: str | None, alert_id: int) -> None:
    import sys

    from alertctl.errors import Conflict

    if message is None:
        raise Conflict(
            f"alert {alert_id} has not been sent: there is no message as sent yet",
            hint=f"alertctl alerts show {alert_id}",
        )
    sys.stdout.write(message if message.endswith("\n") else message + "\n")


def _readable(doc: "AlertDetail") -> "list[RenderableType]":
    """The alert's facts, its attempts, then its message: headers decoded, the text part."""
    from rich.text import Text

    from alertctl.cli.output import key_values

    head = key_values(
        [
            (
                k.replace("_", " ").capitalize(),
                _attempts(doc) if k == "attempts" else getattr(doc, k),
            )
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
        + ([("Copy of", f"alert {doc.copy_of}")] if doc.copy_of is not None else [])
    )
    parts: list[RenderableType] = [head]
    if doc.attempts_log:
        parts.append(
            make_table(
                doc.attempts_log,
                [
                    ("At", lambda r: r.at),
                    ("Owner", lambda r: r.owner),
                    ("Outcome", lambda r: r.outcome),
                    ("Reply", lambda r: r.reply),
                ],
                title="Attempts",
            )
        )
    parts.append(Text(_message_headers(doc)))
    parts.append(Text(doc.text))
    if doc.html:
        parts.append(Text("(an HTML version goes with it: --raw shows the whole message)"))
    return parts


def _attempts(doc: "AlertDetail") -> str:
    if doc.attempts_this_round == doc.attempts:
        return str(doc.attempts)
    return f"{doc.attempts} ({doc.attempts_this_round} since it was made due again)"


def _message_headers(doc: "AlertDetail") -> str:
    """From, To, Subject and Date as the recipient's mail client shows them (decoded); before
    it is sent, what is known of them."""
    if doc.message is None:
        return f"Subject: {doc.subject}\nTo: {doc.address}\n"
    from email.parser import Parser
    from email.policy import default

    sent = Parser(policy=default).parsestr(doc.message, headersonly=True)
    return "".join(
        f"{name}: {sent[name]}\n" for name in ("From", "To", "Subject", "Date") if sent[name]
    )


def retry(
    ctx: typer.Context,
    alert_id: Annotated[
        int | None, typer.Argument(metavar="ID", callback=fits, help="An alert's id.")
    ] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Every dead alert.")] = False,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Every alert waiting for its next try (due now).")
    ] = False,
    channel: Annotated[
        Channel | None, typer.Option(help="With --dead or --waiting: one channel only.")
    ] = None,
    request: Annotated[
        str | None, typer.Option(help="With --dead or --waiting: one request only.")
    ] = None,
    event: Annotated[
        Event | None, typer.Option(help="With --dead or --waiting: one event only.")
    ] = None,
) -> None:
    """Make alerts due again: one, every dead one, or every one waiting (after an outage)."""
    from alertctl.cli.output import info
    from alertctl.services.delivery.requeue import Narrowing
    from alertctl.services.delivery.requeue import retry as run

    narrowing = Narrowing(channel, request, event)
    count = run(state(ctx).db, alert_id=alert_id, dead=dead, waiting=waiting, narrowing=narrowing)
    info(f"{counted(count, 'alert')} due again: alertctl alerts send")


def resend(ctx: typer.Context, alert_id: AlertId) -> None:
    """Send a delivered alert again, as a new alert that names the first."""
    from alertctl.cli.output import info
    from alertctl.services.delivery.requeue import resend as run

    copy = run(state(ctx).db, alert_id=alert_id)
    info(f"alert {copy} queued: a copy of alert {alert_id}, due now (alertctl alerts send)")


def recover(
    ctx: typer.Context,
    request: Annotated[str | None, typer.Option(help="The faults of one request only.")] = None,
    dismiss: Annotated[
        bool, typer.Option("--dismiss", help="Mark them handled and send nothing.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Queue the alerts that faults stopped, once their cause is fixed; --dry-run lists them."""
    from alertctl.cli.output import info, print_json, stdout
    from alertctl.services.saves.recover import recover as run

    current = state(ctx)
    found = run(current.db, request=request, dismiss=dismiss)
    if as_json:
        print_json(found)
    elif found:
        stdout().print(make_table(found, RECOVERED_COLUMNS))
    queued = sum(r.outcome == "queued" for r in found)
    failing = sum(r.outcome == "still failing" for r in found)
    verb = "would queue" if current.dry_run else "queued"
    info(
        f"{counted(len(found), 'fault')}: {verb} {counted(queued, 'alert')}"
        + (f"; {failing} still failing, left as they are" if failing else "")
    )


RECOVERED_COLUMNS: "list[Column[Recovered]]" = [
    ("Fault", lambda r: r.fault),
    ("Request", lambda r: r.request),
    ("Event", lambda r: r.event),
    ("Person", lambda r: f"{r.kind} {r.code}" if r.kind else "(erased)"),
    ("Channel", lambda r: r.channel),
    ("Outcome", lambda r: f"{r.outcome}: alert {r.alert}" if r.alert else r.outcome),
    ("Detail", lambda r: r.detail),
]


def cancel(ctx: typer.Context, alert_id: AlertId) -> None:
    """Cancel an alert that has not been sent."""
    from alertctl.cli.output import info
    from alertctl.services.delivery.operator import cancel as run

    run(state(ctx).db, alert_id=alert_id)
    info(f"alert {alert_id} cancelled")


def settle(
    ctx: typer.Context,
    alert_id: AlertId,
    delivered: Annotated[
        bool,
        typer.Option(
            "--delivered/--not-delivered",
            help="What the server or the fax's log says: it arrived (sent), or it did not "
            "(due again).",
        ),
    ],
) -> None:
    """Settle an alert whose outcome is unknown, once you know what became of it.

    Example: alertctl alerts settle 12 --delivered
    """
    from alertctl.cli.output import info
    from alertctl.services.delivery.operator import settle as run

    run(state(ctx).db, alert_id=alert_id, delivered=delivered)
    info(f"alert {alert_id} " + ("sent" if delivered else "due again: alertctl alerts send"))


def stats(ctx: typer.Context, as_json: Json = False) -> None:
    """Counts by status, and by day drawn as bars."""
    from alertctl.services.delivery.operator import stats as run

    render(run(state(ctx).db), as_json=as_json, human=stats_chart)


def stats_chart(doc: "Stats") -> "list[RenderableType]":
    from rich.table import Table
    from rich.text import Text

    styles = {
        AlertStatus.SENT: "green",
        AlertStatus.HELD: "bright_black",
        AlertStatus.PENDING: "blue",
        AlertStatus.SENDING: "cyan",
        AlertStatus.RETRY: "yellow",
        AlertStatus.DEAD: "red",
        AlertStatus.UNKNOWN: "magenta",
        AlertStatus.CANCELLED: "dim",
    }
    totals = Table(show_header=False, box=None)
    for status, count in doc.by_status.items():
        totals.add_row(status, str(count))
    faults = doc.faults
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(faults.by_reason.items()))
    totals.add_row(
        Text("left out by faults", style="red" if faults.total else ""),
        f"{faults.total}" + (f" ({reasons})" if reasons else ""),
    )
    totals.add_row("mails saved by holds", str(doc.mails_saved))
    days = Table(title="By day", show_header=True, box=None)
    days.add_column("Day")
    days.add_column("Alerts")
    days.add_column("", no_wrap=True)
    days.add_column("Faults")
    peak = max((sum(_counts(d).values()) for d in doc.by_day), default=0)
    for day in doc.by_day:
        bar = Text()
        total = 0
        for status, style in styles.items():
            count = _counts(day)[status]
            total += count
            bar.append("█" * round(40 * count / peak) if peak else "", style=style)
        days.add_row(day.day, str(total), bar, str(day.faults or ""))
    legend = Text("  ".join(f"█ {s}" for s in styles))
    return [totals, days, legend]


def _counts(day: "DayCounts") -> dict[AlertStatus, int]:
    return {status: getattr(day, status.value) for status in AlertStatus}
