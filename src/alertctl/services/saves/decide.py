"""Resolve and render: the same code for previews, explanations and the alerts a save writes."""

from dataclasses import dataclass, replace

from alertctl.db.tables import Template
from alertctl.domain.events import PRECEDENCE
from alertctl.domain.faults import Fault, faults
from alertctl.domain.model import Channel, Event, Language, MailFormat
from alertctl.domain.person import PersonKey
from alertctl.domain.recipients import (
    ClientAlert,
    Decision,
    Exclusion,
    Reason,
    Recipient,
    most_specific,
    resolve,
)
from alertctl.services.saves.alert_slice import Loaded
from alertctl.services.saves.feed_memory import FeedMemory
from alertctl.templates.context import TemplateContext
from alertctl.templates.defaults import html_document, is_document
from alertctl.templates.render import Rendered, RenderError, Shared, render_alert

# A message is rendered once for each person and channel.
MessageKey = tuple[PersonKey, Channel]


@dataclass(frozen=True)
class Message:
    """One recipient's message, with the template and the language it was written from."""

    subject: str
    text: str
    html: str | None
    template: str
    language: Language


@dataclass(frozen=True)
class Outcome:
    """One event of one save: the decision, and the message each recipient gets."""

    decision: Decision
    messages: dict[MessageKey, Message]

    def message(self, recipient: Recipient) -> Message:
        return self.messages[_key(recipient)]


def _key(recipient: Recipient) -> MessageKey:
    return (recipient.person.key, recipient.channel)


def decide(loaded: Loaded, events: list[Event], memory: FeedMemory | None = None) -> list[Outcome]:
    """Who gets which event's alert, with the rendered messages; a recipient whose message does
    not render is left out with `no_template`; then each person and channel keeps only the most
    specific event of the save."""
    rendered: dict[Event, dict[MessageKey, Message]] = {}
    decisions = []
    # The most specific event first: a recipient it reaches is superseded in the others,
    # whose messages to them are never written, so they are not rendered.
    for event in sorted(events, key=PRECEDENCE.index):
        taken = {key for messages in rendered.values() for key in messages}
        decision, messages = _render_all(loaded, _resolved(loaded, event, memory), taken)
        decisions.append(decision)
        rendered[event] = messages
    return [Outcome(d, rendered[d.event]) for d in most_specific(decisions)]


def _resolved(loaded: Loaded, event: Event, memory: FeedMemory | None) -> Decision:
    """The event's decision, resolved once per configuration in a feed's transaction."""
    if memory is None:
        return resolve(loaded.slice, event)
    key = (loaded.configuration, event)
    if key not in memory.decisions:
        memory.decisions[key] = resolve(loaded.slice, event)
    return memory.decisions[key]


def faults_of(loaded: Loaded, outcomes: list[Outcome]) -> list[Fault]:
    """The alerts of these outcomes that a fault, not a rule, left out."""
    return faults(loaded.slice, [o.decision for o in outcomes])


def _render_all(
    loaded: Loaded, decision: Decision, taken: set[MessageKey]
) -> tuple[Decision, dict[MessageKey, Message]]:
    """Each recipient's message, but for those a more specific event of the save has `taken`
    (kept as recipients, for `most_specific` to supersede)."""
    if not decision.recipients:
        return decision, {}
    setting = loaded.slice.settings[decision.event]
    kept: list[Recipient] = []
    excluded = list(decision.excluded)
    messages: dict[MessageKey, Message] = {}
    # What a template that does not read `recipient` gave the first recipient of a language.
    shared: dict[Language, Shared] = {}
    for recipient in decision.recipients:
        if _key(recipient) in taken:
            kept.append(recipient)
            continue
        language = recipient.person.message_language(loaded.language)
        name, template = loaded.template_for(decision.event, language)
        if template is None:
            rendered: Rendered | str = f"template {name} does not exist"
        else:
            rendered = _render(
                loaded,
                setting,
                template,
                recipient,
                decision.event,
                language,
                shared.setdefault(language, {}),
            )
        if isinstance(rendered, str):  # why it cannot be written
            excluded.append(
                Exclusion(recipient.person, Reason.NO_TEMPLATE, rendered, recipient.channel)
            )
            continue
        kept.append(recipient)
        messages[_key(recipient)] = Message(
            rendered.subject, rendered.text, rendered.html, name, language
        )
    return replace(decision, recipients=tuple(kept), excluded=tuple(excluded)), messages


def _render(
    loaded: Loaded,
    setting: ClientAlert,
    template: Template,
    recipient: Recipient,
    event: Event,
    language: Language,
    shared: Shared,
) -> Rendered | str:
    """The recipient's message, or why the template does not render it."""
    try:
        rendered = render_alert(
            subject=template.subject,
            text=template.text,
            # A fax carries the text version only.
            html=template.html
            if setting.mail_format is MailFormat.HTML and recipient.channel is Channel.EMAIL
            else None,
            keyword=setting.keyword or "",
            context=_context(loaded, recipient, event, language),
            shared=shared,
        )
    except RenderError as exc:
        return f"template {template.name} does not render: {exc}"
    return in_document(rendered, template)


def in_document(rendered: Rendered, template: Template) -> Rendered:
    """A client's own HTML template is a body: it goes out in the shipped templates' document."""
    if rendered.html is None or template.builtin or is_document(rendered.html):
        return rendered
    import html

    whole = html_document(
        rendered.html, language=template.language, title=html.escape(rendered.subject)
    )
    return replace(rendered, html=whole)


def _context(
    loaded: Loaded, recipient: Recipient, event: Event, language: Language
) -> TemplateContext:
    return {
        **loaded.context,
        "request": loaded.request_in(language),
        "recipient": {
            "kind": recipient.person.kind.value,
            "code": recipient.person.code,
            "name": recipient.person.name,
            "channel": recipient.channel.value,
            "address": recipient.address,
        },
        "event": event.value,
        "clock": loaded.clock[language] if loaded.clock is not None else None,
    }
