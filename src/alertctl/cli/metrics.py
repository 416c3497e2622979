"""`alertctl metrics`: the outbox and the senders in Prometheus's text format, on stdout, into
a file for node_exporter's textfile collector, or served by the watcher (`--metrics-port`).

prometheus_client draws the format; it is imported here only, so no other command pays for it.
"""

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.state import state
from alertctl.domain.model import AlertStatus

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry
    from prometheus_client.metrics_core import Metric

    from alertctl.services.operations.metrics import Metrics

TEXTFILE = "alertctl.prom"


def register(app: typer.Typer) -> None:
    app.command("metrics")(metrics)


def metrics(
    ctx: typer.Context,
    textfile: Annotated[
        Path | None,
        typer.Option(
            "--textfile",
            metavar="DIR",
            help=f"Write {TEXTFILE} into DIR (node_exporter's textfile collector), atomically.",
        ),
    ] = None,
) -> None:
    """Outbox and sender figures as Prometheus metrics.

    No person, address or request in them.
    """
    from prometheus_client import generate_latest

    from alertctl.services.operations.metrics import read_metrics

    db = state(ctx).db
    text = generate_latest(registry(lambda: read_metrics(db))).decode()
    if textfile is None:
        typer.echo(text, nl=False)
    else:
        write_textfile(textfile, text)


def write_textfile(folder: Path, text: str) -> None:
    """Into a temporary file beside it, then renamed: the collector never reads half a file.
    Readable by all (node_exporter runs as its own user): it holds no personal data."""
    from alertctl.errors import Invalid

    if not folder.is_dir():
        raise Invalid(f"cannot write metrics: {folder} is not a folder")
    fd, temporary = tempfile.mkstemp(prefix=f".{TEXTFILE}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o644)
            file.write(text)
        os.replace(temporary, folder / TEXTFILE)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise Invalid(f"cannot write metrics into {folder}: {exc.strerror or exc}") from None


def registry(read: Callable[[], "Metrics"]) -> "CollectorRegistry":
    """A registry whose one collector reads the database at each scrape."""
    from prometheus_client import CollectorRegistry

    found = CollectorRegistry(auto_describe=False)
    found.register(_Collector(read))
    return found


class _Collector:
    def __init__(self, read: Callable[[], "Metrics"]) -> None:
        self.read = read

    def collect(self) -> Iterator["Metric"]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        figures = self.read()
        alerts = GaugeMetricFamily(
            "alertctl_alerts", "Alerts in the outbox, by status.", labels=["status"]
        )
        for status in AlertStatus:
            alerts.add_metric([status.value], figures.alerts_by_status.get(status.value, 0))
        yield alerts
        yield GaugeMetricFamily(
            "alertctl_oldest_due_alert_age_seconds",
            "How long the oldest alert due now has waited (0: none is due).",
            value=figures.oldest_due_seconds,
        )
        yield GaugeMetricFamily(
            "alertctl_sla_clocks_due",
            "Requests whose SLA clocks are due and not checked yet (a watcher checks each "
            "minute: more than 0 for long means no one checks them).",
            value=figures.sla_clocks_due,
        )
        deliveries = CounterMetricFamily(
            "alertctl_deliveries",
            "Delivery attempts, by channel and outcome (sent, retry, dead, unknown).",
            labels=["channel", "outcome"],
        )
        for row in figures.deliveries:
            deliveries.add_metric([row.channel, row.outcome], row.count)
        yield deliveries
        faults = CounterMetricFamily(
            "alertctl_faults", "Alerts left out by a fault, by reason.", labels=["reason"]
        )
        for reason, count in figures.faults_by_reason.items():
            faults.add_metric([reason], count)
        yield faults
        yield from _times(figures)


def _times(figures: "Metrics") -> Iterator["Metric"]:
    from prometheus_client.core import GaugeMetricFamily

    last = GaugeMetricFamily(
        "alertctl_last_delivery_timestamp_seconds",
        "When an alert was last delivered (Unix time; absent before the first).",
    )
    if figures.last_delivery is not None:
        last.add_metric([], figures.last_delivery.timestamp())
    yield last
    loops = GaugeMetricFamily(
        "alertctl_sender_last_loop_timestamp_seconds",
        "When each sender last went round its loop (Unix time), by host and process.",
        labels=["host", "pid", "mode"],
    )
    for seen in figures.senders:
        # A host's one-shot runs are one series, whichever process ran last.
        pid, mode = (str(seen.pid), "watch") if seen.watching else ("", "once")
        loops.add_metric([seen.host, pid, mode], seen.last_loop_at.timestamp())
    yield loops
