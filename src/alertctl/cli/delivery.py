"""`alertctl alerts send|test`: deliver what is due, once or as a service, and try a transport."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli import collector
from alertctl.cli.options import fits, within
from alertctl.cli.output import info, make_table, stdout, warn, with_progress
from alertctl.cli.state import State, state
from alertctl.domain.model import Channel
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from alertctl.config import DeliverySettings
    from alertctl.db.engine import Database
    from alertctl.services.delivery.reports import SendReport
    from alertctl.services.delivery.watch import LogLine, Reload


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM and SIGINT set the event instead of killing the process, so that the message in
    flight is finished and what was claimed is handed back."""
    import signal

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


Watch = Annotated[
    bool,
    typer.Option("--watch", help="Run as a service: deliver as alerts fall due, until SIGTERM."),
]
Poll = Annotated[
    float | None,
    typer.Option(
        callback=within(0.05, 60),
        metavar="SECONDS",
        help="With --watch: how often to look for new alerts, from 0.05 to 60 seconds "
        "(default 0.25 on SQLite; on PostgreSQL, 5, the fallback to notifications).",
    ),
]
LogFormatOpt = Annotated[
    LogFormat, typer.Option(help="With --watch: one line per batch, as text or JSON.")
]
MetricsPort = Annotated[
    int | None,
    typer.Option(
        callback=within(1, 65535),
        metavar="PORT",
        help="With --watch: serve `alertctl metrics` at http://127.0.0.1:PORT/metrics.",
    ),
]


def send(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(callback=fits, help="Deliver at most this many.")
    ] = None,
    watch: Watch = False,
    poll: Poll = None,
    log_format: LogFormatOpt = LogFormat.TEXT,
    metrics_port: MetricsPort = None,
) -> None:
    """Deliver the alerts that are due; exit 3 when some were not delivered."""
    from alertctl.config import delivery_settings

    current = state(ctx)
    if current.dry_run:  # what is due, and nothing sent
        _list_due(current.db, limit)
        return
    settings = delivery_settings(current.settings)
    current.db.check_schema()
    if watch:
        _watch(current, settings, log_format, poll, metrics_port)
        return
    if metrics_port is not None:
        raise typer.BadParameter("--metrics-port goes with --watch", param_hint="--metrics-port")
    _send_once(current.db, settings, limit)


def _send_once(db: Database, settings: DeliverySettings, limit: int | None) -> None:
    from alertctl.services.delivery.sender import send_due

    with stop_on_signals() as stop:
        report = with_progress(
            "sending",
            lambda progress: send_due(
                db,
                settings,
                limit=limit,
                progress=progress,
                stop=stop,
                on_batch=lambda _batch, _seconds: collector.settle(),
            ),
        )
    summarise(report)
    if not report.all_sent:
        raise typer.Exit(3)


def _watch(
    current: State,
    settings: DeliverySettings,
    log_format: LogFormat,
    poll: float | None,
    metrics_port: int | None,
) -> None:
    """The watcher: SIGTERM and SIGINT stop it, SIGHUP reads its settings again; under systemd
    it says when it is ready and pings the watchdog (services/delivery/systemd.py)."""
    from alertctl.config import delivery_settings, load_settings
    from alertctl.services.delivery.systemd import Notifier
    from alertctl.services.delivery.watch import watch as run_watch

    db = current.db

    def read_again() -> DeliverySettings:
        found = load_settings(db=current.db_flag, config=current.config_flag)
        return delivery_settings(found)

    printer = _json_line if log_format is LogFormat.JSON else _text_line

    def log(line: LogLine) -> None:
        printer(line)
        collector.settle()  # a watcher runs for months: its batches' garbage goes as it comes

    server = _serve_metrics(db, metrics_port) if metrics_port is not None else None
    try:
        with stop_on_signals() as stop, reload_on_sighup(read_again) as reload:
            run_watch(
                db,
                settings,
                stop=stop,
                log=log,
                poll_seconds=poll,
                notifier=Notifier.from_environment(),
                reload=reload,
            )
    finally:
        if server is not None:
            server.shutdown()


@contextmanager
def reload_on_sighup(read: Callable[[], DeliverySettings]) -> Iterator[Reload]:
    import signal

    from alertctl.services.delivery.watch import Reload

    reload = Reload(threading.Event(), read)
    previous = signal.signal(signal.SIGHUP, lambda *_: reload.asked.set())
    try:
        yield reload
    finally:
        signal.signal(signal.SIGHUP, previous)


def _serve_metrics(db: Database, port: int) -> WSGIServer:
    """`alertctl metrics` on a loopback port, in a thread of its own; each scrape reads the
    database."""
    from prometheus_client import start_http_server

    from alertctl.cli.metrics import registry
    from alertctl.errors import Invalid
    from alertctl.services.operations.metrics import read_metrics

    try:
        server, _thread = start_http_server(
            port, addr="127.0.0.1", registry=registry(lambda: read_metrics(db))
        )
    except OSError as exc:
        raise Invalid(f"cannot serve metrics on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    return server


def summarise(report: SendReport, *, prefix: str = "alerts: ") -> None:
    for failed in report.failed:
        warn(
            f"alert {failed.alert} {failed.outcome} ({failed.channel}, attempt {failed.attempt}): "
            f"{failed.reason}"
        )
    from alertctl.services.delivery.watch import LOST_CLAIM

    for alert in report.lost:
        warn(f"alert {alert}: {LOST_CLAIM}")
    parts = [f"{n} {k}" for k, n in sorted(report.counts.items())] or ["nothing due"]
    if report.unreachable is not None:
        parts.append(f"stopped: {report.unreachable} (alertctl check --connect)")
    if report.unknown:
        parts.append(
            f"{len(report.unknown)} marked unknown (alertctl alerts list --status unknown)"
        )
    info(prefix + ", ".join(parts))


def _list_due(db: Database, limit: int | None) -> None:
    from alertctl.services.delivery.reports import due

    rows = due(db, limit=limit)
    if rows:
        stdout().print(
            make_table(
                rows,
                [
                    ("Id", lambda r: r.id),
                    ("Channel", lambda r: r.channel),
                    ("Address", lambda r: r.address),
                    ("Subject", lambda r: r.subject),
                    ("Tries", lambda r: r.attempts),
                ],
            )
        )
    info(f"{counted(len(rows), 'alert')} due; nothing sent (dry run)")


def _text_line(line: LogLine) -> None:
    stamp = line.time.isoformat(timespec="seconds")
    if line.kind == "batch":
        text = (
            f"{line.claimed} claimed, {line.sent} sent, {line.retry} retry, {line.dead} dead, "
            f"{line.released} handed back in {line.seconds:.2f} s"
        )
        if line.unknown:
            text += f"; {line.unknown} marked unknown"
        if line.message:
            text += f"; {line.message}"
    elif line.kind in ("retry", "dead", "unknown"):
        text = f"alert {line.alert} ({line.channel}, attempt {line.attempt}): {line.message}"
    elif line.kind == "lost":
        text = f"alert {line.alert}: {line.message}"
    elif line.kind == "fault":
        text = f"{line.message}; trying again in {line.pause_seconds:g} s"
    else:
        text = line.message
    sys.stderr.write(f"{stamp} {line.kind}: {text}\n")
    sys.stderr.flush()


def _json_line(line: LogLine) -> None:
    import dataclasses
    import json

    document = {k: v for k, v in dataclasses.asdict(line).items() if v not in (None, "")}
    document["time"] = line.time.isoformat()
    sys.stderr.write(json.dumps(document, ensure_ascii=False) + "\n")
    sys.stderr.flush()


def test(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="An e-mail address, or a fax number.")],
    channel: Annotated[
        Channel, typer.Option(help="The channel whose transport to try.")
    ] = Channel.EMAIL,
) -> None:
    """Send one test message through the configured transport and print the server's reply."""
    from alertctl.config import delivery_settings
    from alertctl.services.delivery.trial_message import send_test

    current = state(ctx)
    settings = delivery_settings(current.settings)
    result = send_test(
        settings,
        channel=channel.value,
        address=to,
        default_region=current.settings.default_region,
    )
    sys.stdout.write(result.reply + "\n")
    info(
        f"test message {result.message_id} sent to {result.address} "
        f"by the {result.transport} transport"
    )


def register(group: typer.Typer) -> None:
    group.command("send")(send)
    group.command("test")(test)
