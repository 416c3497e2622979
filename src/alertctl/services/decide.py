"""Resolve and render: the same code for previews, explanations and the alerts a save writes."""

from dataclasses import dataclass, replace
from typing import Any

from alertctl.domain.faults import Fault, faults
from alertctl.domain.model import Channel, Event, MailFormat
from alertctl.domain.recipients import (
    Decision,
    Exclusion,
    Reason,
    Recipient,
    most_specific,
    resolve,
)
from alertctl.services.alert_slice import Loaded
from alertctl.templates.render import Rendered, RenderError, render_alert


@dataclass(frozen=True)
class Outcome:
    """One event of one save: the decision, and the message each recipient gets."""

    decision: Decision
    messages: dict[tuple[Any, ...], Rendered]

    def message(self, recipient: Recipient) -> Rendered:
        return self.messages[_key(recipient)]


def _key(recipient: Recipient) -> tuple[Any, ...]:
    return (recipient.person.key, recipient.channel)


def decide(loaded: Loaded, events: list[Event]) -> list[Outcome]:
    """Who gets which event's alert, with the rendered messages; a recipient whose message does
    not render is left out with `no_template`; then each person and channel keeps only the most
    specific event of the save."""
    rendered: dict[Event, dict[tuple[Any, ...], Rendered]] = {}
    decisions = []
    for event in events:
        decision, messages = _render_all(loaded, resolve(loaded.slice, event))
        decisions.append(decision)
        rendered[event] = messages
    return [Outcome(d, rendered[d.event]) for d in most_specific(decisions)]


def faults_of(loaded: Loaded, outcomes: list[Outcome]) -> list[Fault]:
    """The alerts of these outcomes that a fault, not a rule, left out."""
    return faults(loaded.slice, [o.decision for o in outcomes])


def _render_all(
    loaded: Loaded, decision: Decision
) -> tuple[Decision, dict[tuple[Any, ...], Rendered]]:
    if not decision.recipients:
        return decision, {}
    setting = loaded.slice.settings[decision.event]
    template = loaded.templates[decision.event]
    kept: list[Recipient] = []
    excluded = list(decision.excluded)
    messages: dict[tuple[Any, ...], Rendered] = {}
    for recipient in decision.recipients:
        context = {
            **loaded.context,
            "recipient": {
                "kind": recipient.person.kind.value,
                "code": recipient.person.code,
                "name": recipient.person.name,
                "channel": recipient.channel.value,
                "address": recipient.address,
            },
            "event": decision.event.value,
        }
        try:
            message = render_alert(
                subject=template.subject,
                text=template.text,
                # A fax carries the text version only.
                html=template.html
                if setting.mail_format is MailFormat.HTML and recipient.channel is Channel.EMAIL
                else None,
                keyword=setting.keyword or "",
                context=context,
            )
        except RenderError as exc:
            excluded.append(
                Exclusion(
                    recipient.person,
                    Reason.NO_TEMPLATE,
                    f"template {template.name} does not render: {exc}",
                    recipient.channel,
                )
            )
            continue
        kept.append(recipient)
        messages[_key(recipient)] = message
    return replace(decision, recipients=tuple(kept), excluded=tuple(excluded)), messages
