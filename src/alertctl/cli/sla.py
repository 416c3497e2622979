"""`alertctl sla ...`: check the clocks (for cron), explain one, report per contract."""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from alertctl.cli.options import Json
from alertctl.cli.output import info, key_values, make_table, render, warn
from alertctl.cli.state import state
from alertctl.domain.sla import Clock
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.services.sla.check import CheckReport
    from alertctl.services.sla.explain import ClockExplanation
    from alertctl.services.sla.report import SlaReport

sla_app = typer.Typer(
    help="SLA clocks: check them, explain one, report per contract.", no_args_is_help=True
)

Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        metavar="TIME",
        help="Take this as the current time (ISO 8601), to replay or test.",
    ),
]


def _now(text: str | None) -> datetime:
    from alertctl.domain.times import parse_since

    current = datetime.now(UTC)
    return parse_since(text, current) if text is not None else current


@sla_app.command("check")
def sla_check(ctx: typer.Context, now: Now = None, as_json: Json = False) -> None:
    """Raise the SLA events whose thresholds are crossed, each once (run it from cron)."""
    from alertctl.services.sla.check import check_clocks

    report = check_clocks(state(ctx).db, _now(now))
    render(report, as_json=as_json, human=_check_lines)
    for fired in report.fired:
        for fault in fired.faults:
            warn(f"{fired.reference} {fired.event.value}: {fault.detail}")


def _due_at(moment: datetime, now: datetime | None) -> str:
    """When the next clock is due; "now" for one due already (a dry run keeps what it read
    due, and a change of terms makes clocks due at once)."""
    return "now" if now is not None and moment <= now else f"{moment:%Y-%m-%d %H:%M} UTC"


def _check_lines(report: "CheckReport") -> "list[RenderableType]":
    from rich.text import Text

    lines: list[RenderableType] = [
        Text(
            f"{f.reference}  {f.event.value}  crossed {f.crossed_at:%Y-%m-%d %H:%M} UTC  "
            f"{f.alerts} alert{'s' if f.alerts != 1 else ''} queued"
        )
        for f in report.fired
    ]
    after = (
        f"; next due {_due_at(report.next_check_at, report.checked_at)}"
        if report.next_check_at
        else ""
    )
    info(
        f"{counted(report.checked, 'request')} read, "
        f"{counted(len(report.fired), 'SLA event')} raised{after}"
    )
    return lines


@sla_app.command("explain")
def sla_explain(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The request's reference.")],
    clock: Annotated[Clock, typer.Argument(help="The clock: gti or gtr.")],
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Explain a clock: the statuses it went through, the hours it counted, the pauses."""
    from alertctl.services.sla.explain import explain_clock

    found = explain_clock(state(ctx).db, reference=reference, clock=clock, now=_now(now))
    render(found, as_json=as_json, human=_explanation)


def _explanation(doc: "ClockExplanation") -> "list[RenderableType]":
    from alertctl.domain.business_time import spell_duration

    reading = doc.reading
    zone = ZoneInfo(doc.zone)
    head = key_values(
        [
            ("Request", doc.reference),
            ("Clock", doc.clock.value.upper()),
            ("Calendar", f"{doc.calendar or 'every hour counts'} ({doc.zone}: {doc.hours})"),
            ("Target", spell_duration(reading.target)),
            ("Warning at", spell_duration(doc.warning_at)),
            ("Used", spell_duration(reading.used)),
            ("Left", spell_duration(max(0.0, reading.left))),
            ("State", reading.state.value),
            (
                "Due",
                f"{reading.due.astimezone(zone):%Y-%m-%d %H:%M} {doc.zone}" if reading.due else "-",
            ),
        ]
    )
    segments = make_table(
        doc.segments,
        [
            ("From", lambda s: f"{s.since.astimezone(zone):%Y-%m-%d %H:%M}"),
            ("To", lambda s: f"{s.until.astimezone(zone):%Y-%m-%d %H:%M}"),
            ("Status", lambda s: s.status),
            ("Clock", lambda s: s.role.value),
            ("Counted", lambda s: spell_duration(s.business_seconds) if s.intervals else "-"),
            (
                "Opening hours counted",
                lambda s: (
                    ", ".join(_span(a, b, zone) for a, b in s.intervals[:6])
                    + (f" (+{len(s.intervals) - 6})" if len(s.intervals) > 6 else "")
                ),
            ),
        ],
        title=f"Statuses (times in {doc.zone})",
    )
    raised = make_table(
        doc.raised,
        [
            ("Event", lambda r: r.event),
            ("Crossed", lambda r: f"{r.crossed_at.astimezone(zone):%Y-%m-%d %H:%M}"),
        ],
        title="Raised",
    )
    return [head, segments, raised] if doc.raised else [head, segments]


def _span(low: datetime, high: datetime, zone: ZoneInfo) -> str:
    return f"{low.astimezone(zone):%a %d %H:%M}-{high.astimezone(zone):%H:%M}"


@sla_app.command("report")
def sla_report(
    ctx: typer.Context,
    contract: Annotated[
        str | None, typer.Option(help="One contract (all with SLA terms when omitted).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--from", metavar="TIME", help="Requests opened from: 2026-11-01, 30d."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="TIME", help="Requests opened before.")
    ] = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Per contract: requests, GTI and GTR met and missed, median and 90th percentile."""
    from alertctl.domain.times import parse_since
    from alertctl.services.sla.report import sla_report as build

    current = _now(now)
    start = parse_since(since, current) if since else current - timedelta(days=30)
    end = parse_since(until, current) if until else current
    report = build(state(ctx).db, since=start, until=end, contract=contract, now=current)
    render(report, as_json=as_json, human=_report_table)


def _report_table(report: "SlaReport") -> "RenderableType":
    from alertctl.domain.business_time import spell_duration

    rows = [(c, f) for c in report.contracts for f in c.clocks]
    if not rows:
        info(
            f"no requests with SLA clocks opened from {report.since:%Y-%m-%d} "
            f"to {report.until:%Y-%m-%d}"
        )
    return make_table(
        rows,
        [
            ("Contract", lambda r: r[0].contract),
            ("Clock", lambda r: r[1].clock.value.upper()),
            ("Requests", lambda r: r[1].requests),
            ("Met", lambda r: r[1].met),
            ("Missed", lambda r: r[1].missed),
            ("Running", lambda r: r[1].running),
            ("Median", lambda r: spell_duration(r[1].median) if r[1].median is not None else "-"),
            ("90th pct", lambda r: spell_duration(r[1].p90) if r[1].p90 is not None else "-"),
        ],
        title=f"Requests opened from {report.since:%Y-%m-%d %H:%M} "
        f"to {report.until:%Y-%m-%d %H:%M} UTC",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sla_app, name="sla")
