"""Faults: alerts that should have gone out and did not, because something is broken rather
than because a rule says so (docs/rules.md, "Reasons for leaving someone out")."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from alertctl.domain.model import Channel, Event, Fix, FixKind
from alertctl.domain.person import Person
from alertctl.domain.recipients import (
    AlertSlice,
    ClientAlert,
    Decision,
    Reason,
    check_person,
    resolve,
)

# The reasons that are faults rather than rules (docs/rules.md, "Reasons for leaving someone
# out"): for an event the client switched on, an alert left out for one of these should have
# gone out.
FAULT_REASONS = frozenset({Reason.NO_TEMPLATE, Reason.INVALID_ADDRESS})


@dataclass(frozen=True)
class Fault:
    """An alert that should have gone out and did not, because of a fault rather than a rule."""

    event: Event
    person: Person
    channel: Channel | None
    reason: Reason
    detail: str
    fix: Fix | None


def faults(alerts: AlertSlice, decisions: Iterable[Decision]) -> list[Fault]:
    """The alerts of one save left out by a fault, for the events the client switched on: an
    active person whose address is invalid, a recipient whose message did not render, and
    everyone the event would have reached had its template been usable. A person and channel
    that receive another event of the same save are not counted."""
    decisions = list(decisions)
    receiving = {(r.person.key, r.channel) for d in decisions for r in d.recipients}
    found: list[Fault] = []
    for decision in decisions:
        setting = alerts.settings.get(decision.event, ClientAlert())
        if not (setting.enabled and setting.keyword):
            continue
        found += [
            _fault(alerts, decision.event, x.person, x.channel, x.reason, x.detail)
            for x in decision.excluded
            if (x.reason is Reason.INVALID_ADDRESS and x.person.active)
            or (x.reason is Reason.NO_TEMPLATE and x.channel is not None)
        ]
        if setting.template_problem is not None:
            usable = replace(setting, template_problem=None)
            would = resolve(replace(alerts, settings={decision.event: usable}), decision.event)
            detail = f"template {setting.template}: {setting.template_problem}"
            found += [
                _fault(alerts, decision.event, r.person, r.channel, Reason.NO_TEMPLATE, detail)
                for r in would.recipients
            ]
    return [f for f in found if (f.person.key, f.channel) not in receiving]


def _fault(
    alerts: AlertSlice,
    event: Event,
    person: Person,
    channel: Channel | None,
    reason: Reason,
    detail: str,
) -> Fault:
    fix = next(
        (
            c.fix
            for c in check_person(alerts, event, person)
            if c.reason is reason and c.channel in (None, channel) and c.fix
        ),
        None,
    )
    if fix is None and reason is Reason.NO_TEMPLATE:
        setting = alerts.settings.get(event, ClientAlert())
        fix = Fix(FixKind.TEMPLATE, setting.template or "")
    return Fault(event, person, channel, reason, detail, fix)
