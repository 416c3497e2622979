"""A save reported: its warnings, the alerts faults left out (with their fix), and `--send`,
which delivers a save's alerts once its transaction has committed."""

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from alertctl.cli.fixes import spell, spelled
from alertctl.cli.output import info, make_table, render, warn
from alertctl.cli.state import state
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from alertctl.cli.output import Column
    from alertctl.services.saves.history import SavedAlert
    from alertctl.services.saves.requests import SaveResult
    from alertctl.services.saves.save_alerts import LeftOut, QueuedAlert

ALERT_COLUMNS: "list[Column[SavedAlert | QueuedAlert]]" = [
    ("Event", lambda r: r.event),
    ("Person", lambda a: f"{a.kind} {a.code}"),
    ("Channel", lambda r: r.channel),
    ("Address", lambda r: r.address),
    ("Subject", lambda r: r.subject),
]


def report_faults(reference: str, faults: "Sequence[LeftOut]", *, where: str = "") -> None:
    """Alerts left out by a fault, said on stderr with the fix: grouped by event and cause, so
    that a broken template reaching a hundred people is one warning, not a hundred."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for fault in faults:
        who = f"{fault.kind} {fault.code}"
        if fault.channel:
            who += f" ({fault.channel})"
        fix = spell(fault.fix) if fault.fix is not None else ""
        cause = (str(fault.event), str(fault.reason), fault.detail, fix)
        groups.setdefault(cause, []).append(who)
    for (event, reason, detail, fix), people in groups.items():
        shown = ", ".join(people[:5]) + (f" and {len(people) - 5} more" if len(people) > 5 else "")
        warn(
            f"{where}{reference} {event}: {counted(len(people), 'alert')} left out by a fault, "
            f"{reason}: {detail}; for {shown}"
        )
        if fix:
            sys.stderr.write(f"  fix: {fix}, then: alertctl alerts recover\n")


def saved(ctx: typer.Context, result: "SaveResult", as_json: bool, send: bool) -> None:
    """Report a save; with --send, deliver its alerts now that its transaction has committed."""
    _report(result, as_json)
    if not send:
        return
    delivery = SendAtOnce(ctx)
    try:
        delivery.deliver(result.alerts)
    finally:
        delivery.close()
    delivery.summarise()
    if not delivery.report.all_sent:
        raise typer.Exit(3)


def _report(result: "SaveResult", as_json: bool) -> None:
    from alertctl.cli.output import print_json

    for message in result.warnings:
        warn(message)
    report_faults(result.reference, result.faults)
    if as_json:
        print_json(spelled(result))
        return
    events = ", ".join(result.events) or f"no event ({result.no_event_reason})"
    verb = "opened" if result.created else "updated"
    queued = counted(len(result.alerts), "alert")
    info(f"{verb} request {result.reference}: {events}; {queued} queued")
    if result.alerts:
        render(result.alerts, as_json=False, human=lambda rows: make_table(rows, ALERT_COLUMNS))


class SendAtOnce:
    """`--send`: each save's alerts delivered once its transaction has committed, through one
    sender (one server connection) for the whole command."""

    def __init__(self, ctx: typer.Context) -> None:
        from alertctl.config import delivery_settings
        from alertctl.services.delivery.reports import SendReport
        from alertctl.services.delivery.sender import Sender

        current = state(ctx)
        self.sender = Sender(current.db, delivery_settings(current.settings))
        self.report = SendReport()

    def deliver(self, alerts: "Sequence[QueuedAlert]") -> None:
        ids = [a.id for a in alerts]
        if ids and self.report.unreachable is None:
            self.report.add(self.sender.send_ids(ids))

    def close(self) -> None:
        self.sender.close()

    def summarise(self) -> None:
        from alertctl.cli.delivery import summarise

        summarise(self.report, prefix="sent at once: ")
