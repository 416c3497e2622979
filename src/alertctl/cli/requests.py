"""`alertctl request ...`: open and update requests, read their history, ingest a feed."""

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from alertctl.cli.fixes import spelled_fields
from alertctl.cli.options import All, Json, Limit, rows_wanted
from alertctl.cli.output import (
    info,
    key_values,
    make_table,
    render,
    render_page,
    warn,
    with_progress,
)
from alertctl.cli.saved import ALERT_COLUMNS, SendAtOnce, report_faults, saved
from alertctl.cli.state import state
from alertctl.domain.wording import counted

request_app = typer.Typer(help="Support requests and their saves.", no_args_is_help=True)

REQUEST_COLUMNS: "list[Column[RequestRow]]" = [
    ("Reference", lambda r: r.reference),
    ("Title", lambda r: r.title),
    ("Client", lambda r: r.client),
    ("Contract", lambda r: r.contract),
    ("Status", lambda r: r.status),
    ("State", lambda r: r.state),
    ("Alerts", lambda r: r.alerts),
]

Contract = Annotated[str | None, typer.Option(help="The engagement contract.")]
Status = Annotated[str | None, typer.Option(help="A status code (alertctl status list).")]
State = Annotated[
    str | None, typer.Option("--state", help="The optional state tag ('' clears it).")
]
Title = Annotated[str | None, typer.Option(help="The request's title.")]
Description = Annotated[
    str | None,
    typer.Option("--external-description", help="The text the client may see ('' clears it)."),
]
SendNow = Annotated[
    bool,
    typer.Option(
        "--send", help="Deliver this save's alerts at once, after it is committed (no watcher)."
    ),
]
SaveId = Annotated[
    str | None, typer.Option(help="An id for this save: a save replayed with it changes nothing.")
]

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.services.saves.fields import SaveInput
    from alertctl.services.saves.history import (
        ClockRow,
        RequestDetail,
        RequestRow,
        StatusRef,
    )
    from alertctl.services.saves.ingest import IngestReport, Outcome


@request_app.command("open")
def open_(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The request's reference.")],
    title: Annotated[str, typer.Option(help="The request's title.")],
    contract: Contract = None,
    client: Annotated[
        str | None, typer.Option(help="The client (the contract's by default).")
    ] = None,
    site: Annotated[str | None, typer.Option(help="A site of the client.")] = None,
    product: Annotated[str | None, typer.Option(help="The maintained product.")] = None,
    service: Annotated[str | None, typer.Option(help="A service of the contract.")] = None,
    external_description: Description = None,
    status: Status = None,
    state_: Annotated[str | None, typer.Option("--state", help="The optional state tag.")] = None,
    requester: Annotated[str | None, typer.Option(help="The contact who asked.")] = None,
    save_id: SaveId = None,
    send: SendNow = False,
    as_json: Json = False,
) -> None:
    """Open a request; its alerts are queued in the same transaction."""
    from alertctl.services.saves.requests import open_request

    change = _save_input(locals())
    saved(ctx, open_request(state(ctx).db, change), as_json, send)


@request_app.command("update")
def update(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The request's reference.")],
    status: Status = None,
    state_: State = None,
    title: Title = None,
    external_description: Description = None,
    contract: Contract = None,
    site: Annotated[str | None, typer.Option(help="A site of the client ('' clears it).")] = None,
    product: Annotated[str | None, typer.Option(help="The product ('' clears it).")] = None,
    service: Annotated[str | None, typer.Option(help="A service ('' clears it).")] = None,
    client: Annotated[
        str | None,
        typer.Option(metavar="CODE", help="The client, the contract's or a beneficiary."),
    ] = None,
    move: Annotated[
        bool,
        typer.Option(
            "--move",
            help="Hand the request over to another client (refused otherwise): its people "
            "get the alerts from this save on.",
        ),
    ] = False,
    save_id: SaveId = None,
    send: SendNow = False,
    as_json: Json = False,
) -> None:
    """Save a change to a request; the events it raises queue their alerts."""
    from alertctl.services.saves.requests import update_request

    change = _save_input(locals())
    saved(ctx, update_request(state(ctx).db, change), as_json, send)


def _save_input(options: dict[str, Any]) -> "SaveInput":
    """A command's options, gathered once by name into the save they describe (`state_` is the
    `--state` option: `state` names the helper that reads the context)."""
    from dataclasses import fields

    from alertctl.services.saves.fields import SaveInput

    given = {("state" if name == "state_" else name): value for name, value in options.items()}
    return SaveInput(**{f.name: given[f.name] for f in fields(SaveInput) if f.name in given})


def _spelt(seconds: float) -> str:
    from alertctl.domain.business_time import spell_duration

    return spell_duration(seconds)


DUE_COLUMN: "Column[RequestRow]" = (
    "Due (UTC)",
    lambda r: f"{r.due:%Y-%m-%d %H:%M}" if r.due else "-",
)
CLOCK_COLUMNS: "list[Column[ClockRow]]" = [
    ("Clock", lambda c: c.clock.upper()),
    ("Target", lambda c: _spelt(c.target)),
    ("Used", lambda c: _spelt(c.used)),
    ("Left", lambda c: _spelt(c.left) if c.left > 0 else f"over by {_spelt(-c.left)}"),
    ("State", lambda c: c.state),
    ("Due", lambda c: c.due_local or "-"),
]


@request_app.command("list")
def list_(
    ctx: typer.Context,
    status: Status = None,
    due_within: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            help="Only those with an SLA clock running that falls due within: 2h, 30m.",
        ),
    ] = None,
    limit: Limit = None,
    every: All = False,
    as_json: Json = False,
) -> None:
    """List requests, by reference."""
    from datetime import timedelta

    from alertctl.domain.business_time import parse_duration
    from alertctl.services.saves.history import list_requests

    within = timedelta(minutes=parse_duration(due_within)) if due_within else None
    page = list_requests(
        state(ctx).db, status=status, limit=rows_wanted(limit, every), due_within=within
    )
    columns = REQUEST_COLUMNS if within is None else [*REQUEST_COLUMNS, DUE_COLUMN]
    render_page(page, columns, as_json=as_json, noun="request")


@request_app.command("show")
def show(ctx: typer.Context, reference: str, as_json: Json = False) -> None:
    """Show a request and every save: its changes, events, and the alerts it produced."""
    from alertctl.services.saves.history import show_request

    def human(doc: "RequestDetail") -> "list[RenderableType]":
        head = key_values(
            [
                ("Request", doc.reference),
                ("Title", doc.title),
                ("Client", doc.client),
                ("Contract", doc.contract),
                ("Site", doc.site),
                ("Product", doc.product),
                ("Service", doc.service),
                ("Status", _status_text(doc.status)),
                ("State", doc.state),
            ]
        )
        parts: list[RenderableType] = [head]
        if doc.clocks:
            parts.append(make_table(doc.clocks, CLOCK_COLUMNS, title="SLA clocks"))
        for number, save in enumerate(doc.saves, start=1):
            changes = "; ".join(
                f"{k}: {_shown(v[0])} → {_shown(v[1])}" for k, v in save.changes.items()
            )
            title = (
                f"Save {number} at {save.saved_at.isoformat(timespec='seconds')}: "
                f"{', '.join(save.events) or 'no event'} ({changes or 'no change'})"
            )
            parts.append(make_table(save.alerts, ALERT_COLUMNS, title=title, empty="no alert"))
        return parts

    render(show_request(state(ctx).db, reference=reference), as_json=as_json, human=human)


def _status_text(status: "StatusRef | None") -> str | None:
    return None if status is None else f"{status.code} ({status.label}, {status.type})"


def _shown(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


@request_app.command("ingest")
def ingest(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A JSON Lines file of saves, or - for stdin.")],
    send: SendNow = False,
    as_json: Json = False,
) -> None:
    """Apply a feed of saves, one JSON object per line, each line its own outcome.

    Fields: reference, contract, client, site, product, service, title, external_description,
    status, state, requester, and optionally save_id, time (ISO 8601) and move (true to hand
    the request over to another client). From stdin, each line is applied as it arrives, so a
    stream (tail -F, a webhook relay) feeds it continuously.
    """
    from alertctl.cli import collector
    from alertctl.cli.feed import feed_lines
    from alertctl.services.saves.feed_lines import LineFailure
    from alertctl.services.saves.ingest import ingest as run_ingest

    lines, feed, total = feed_lines(source)
    current = state(ctx)
    delivery = SendAtOnce(ctx) if send else None

    def after(number: int, outcome: "Outcome") -> None:
        if isinstance(outcome, LineFailure):
            sys.stderr.write(f"error: line {number}: {outcome.message}\n")
            return
        for message in outcome.warnings:
            warn(f"line {number}: {message}")
        report_faults(outcome.reference, outcome.faults, where=f"line {number}: ")
        if delivery is not None:
            delivery.deliver(outcome.alerts)

    try:
        report = with_progress(
            "ingesting",
            lambda progress: run_ingest(
                current.db,
                lines,
                feed=feed,
                progress=progress,
                after=after,
                committed=collector.settle,
            ),
            total,
        )
    finally:
        if delivery is not None:
            delivery.close()
    _ingest_summary(report, as_json)
    if delivery is not None:
        delivery.summarise()
    if report.failures:
        raise typer.Exit(1)
    if delivery is not None and not delivery.report.all_sent:
        raise typer.Exit(3)


def _ingest_summary(report: "IngestReport", as_json: bool) -> None:
    from alertctl.cli.output import print_json

    if as_json:
        print_json(
            {
                "saves": report.saves,
                "replayed": report.replayed,
                "alerts": report.alerts,
                "failures": [{"line": f.line, "message": f.message} for f in report.failures],
                "faults": [
                    {"line": f.line, "reference": f.reference, **spelled_fields(fault)}
                    for f in report.faults
                    for fault in f.faults
                ],
            }
        )
    left_out = sum(len(f.faults) for f in report.faults)
    info(
        f"{counted(report.saves, 'save')} applied, {report.replayed:,} already applied, "
        f"{counted(report.alerts, 'alert')} queued, "
        + (f"{left_out} left out by faults, " if left_out else "")
        + f"{counted(len(report.failures), 'line')} failed"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(request_app, name="request")
