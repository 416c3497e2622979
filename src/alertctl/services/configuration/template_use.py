"""Which template each switched-on client setting uses, and whether it works.

A setting uses the template it names, or the shipped default of its client's language. Every
change that could leave a switched-on setting without a working template (assigning a template,
switching an event on, changing a client's language, removing or rewriting a template) checks
the settings it touches before its transaction commits, so nothing in use can be removed or
broken; `alertctl check` runs the same checks over all clients.
"""

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from alertctl.db.tables import Client, ClientAlertSetting, Template
from alertctl.domain.model import Event, Language, MailFormat, default_template_name
from alertctl.errors import Conflict, Invalid
from alertctl.templates.context import ClockFacts, TemplateContext

# Templates are tried on a full sample request and on one with none of the optional parts.
SAMPLE_CONTEXT: TemplateContext = {
    "request": {
        "reference": "REQ-1",
        "title": "Sample request",
        "external_description": "Sample text",
        "status": {"code": "RESOLVED", "label": "Résolue", "type": "resolved"},
        "previous_status": {"code": "WIP", "label": "En cours", "type": "in_progress"},
        "state": None,
        "opened_at": "2026-01-01T09:00:00+00:00",
        "updated_at": "2026-01-02T09:00:00+00:00",
    },
    "client": {"code": "CLIENT", "name": "Client"},
    "site": {"code": "SITE", "name": "Site"},
    "contract": {"code": "CONTRACT", "name": "Contract"},
    "service": {"code": "SERVICE", "name": "Service"},
    "product": {"code": "PRODUCT", "name": "Product"},
    "recipient": {
        "kind": "contact",
        "code": "someone",
        "name": "Someone",
        "channel": "email",
        "address": "someone@example.com",
    },
    "event": "resolution",
    "clock": None,
}
# What an SLA event's template sees of its clock.
SAMPLE_CLOCK: ClockFacts = {
    "name": "GTI",
    "target": "4 h",
    "due": "2 janvier 2026 à 11 h 00 (Europe/Paris)",
    "used": "3 h",
    "left": "1 h",
    "overdue": "0 min",
}
MINIMAL_CONTEXT: TemplateContext = {
    **SAMPLE_CONTEXT,
    "request": {**SAMPLE_CONTEXT["request"], "previous_status": None, "state": None},
    "site": None,
    "service": None,
    "product": None,
}


@dataclass(frozen=True)
class SettingProblem:
    """A switched-on client setting that sends nothing: why, and the command that fixes it."""

    client: str
    event: Event
    template: str | None
    message: str
    fix: str


@dataclass(frozen=True)
class SettingFacts:
    """A switched-on setting, as the checks need it."""

    client: str
    event: Event
    keyword: str | None
    format: MailFormat
    template: str


@dataclass(frozen=True)
class SettingUse:
    client: str
    event: Event
    template: str
    by_default: bool  # the default of the client's language, not named by the setting


def sample_render_problem(template: Template, *, html: bool, event: Event | None) -> str | None:
    """Why the template does not render on a sample request, or None. With no event (a
    template not yet used by any), the samples carry a clock too: a template may be written
    for the SLA events, and is checked for its event once a setting names it."""
    # Jinja2 is imported by the commands that render, not by every one that saves a setting.
    from alertctl.templates.render import RenderError, render_alert

    samples = (
        ("on a sample request", SAMPLE_CONTEXT),
        ("on a request with no site, service or product", MINIMAL_CONTEXT),
    )
    for label, context in samples:
        try:
            render_alert(
                subject=template.subject,
                text=template.text,
                html=template.html if html else None,
                keyword="[KEYWORD]",
                context={
                    **context,
                    "event": (event or Event.OPEN).value,
                    "clock": SAMPLE_CLOCK if event is None or event.is_sla else None,
                },
            )
        except RenderError as exc:
            return f"{label}: {exc}"
    return None


def uses(session: Session, client_ids: Collection[int] | None = None) -> list[SettingUse]:
    """The template each switched-on setting uses (of these clients, or all)."""
    return [use for use, _, _ in _enabled(session, client_ids) if use is not None]


def problems(session: Session, client_ids: Collection[int] | None = None) -> list[SettingProblem]:
    """Every switched-on setting (of these clients, or all) that cannot send: no keyword, a
    template that does not exist, or one that does not render on a sample request."""
    found: list[SettingProblem] = []
    rendered: dict[tuple[int | None, bool, Event], str | None] = {}
    for use, setting, template in _enabled(session, client_ids):
        client = use.client if use else setting.client
        event = setting.event
        if not setting.keyword:
            found.append(
                SettingProblem(
                    client,
                    event,
                    None,
                    "switched on without a keyword: nothing is sent",
                    f"alertctl client alerts {client} --event {event.value} --enable "
                    "--keyword TEXT",
                )
            )
        if use is None or template is None:
            name = setting.template
            found.append(
                SettingProblem(
                    client,
                    event,
                    name,
                    f"template {name!r} does not exist: nothing is sent",
                    f"alertctl client alerts {client} --event {event.value} --template NAME",
                )
            )
            continue
        html = setting.format is MailFormat.HTML
        key = (template.id, html, event)
        if key not in rendered:
            rendered[key] = sample_render_problem(template, html=html, event=event)
        if rendered[key] is not None:
            found.append(
                SettingProblem(
                    client,
                    event,
                    template.name,
                    f"template {template.name} does not render {rendered[key]}",
                    f"alertctl template check {template.name}",
                )
            )
    return found


def _enabled(
    session: Session, client_ids: Collection[int] | None
) -> list[tuple[SettingUse | None, SettingFacts, Template | None]]:
    query = (
        select(ClientAlertSetting, col(Client.code), col(Client.language), Template)
        .join(Client, col(Client.id) == col(ClientAlertSetting.client_id))
        .join(Template, col(Template.id) == col(ClientAlertSetting.template_id), isouter=True)
        .where(col(ClientAlertSetting.enabled))
        .order_by(col(Client.code), col(ClientAlertSetting.event))
    )
    if client_ids is not None:
        query = query.where(col(ClientAlertSetting.client_id).in_(list(client_ids)))
    rows = session.execute(query).all()
    defaults = {
        t.name: t
        for t in session.execute(
            select(Template).where(
                col(Template.name).in_(
                    {
                        default_template_name(Event(s.event), Language(language))
                        for s, _, language, own in rows
                        if own is None
                    }
                )
            )
        ).scalars()
    }
    found: list[tuple[SettingUse | None, SettingFacts, Template | None]] = []
    for setting, code, language, own in rows:
        event = Event(setting.event)
        name = own.name if own else default_template_name(event, Language(language))
        template = own or defaults.get(name)
        facts = SettingFacts(code, event, setting.keyword, MailFormat(setting.format), name)
        use = SettingUse(code, event, name, own is None) if template is not None else None
        found.append((use, facts, template))
    return found


def ensure_working(session: Session, client_ids: Collection[int] | None = None) -> None:
    """Refuse a change that leaves a switched-on setting unable to send (checked before the
    change's transaction commits)."""
    session.flush()
    found = problems(session, client_ids)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise Invalid(
            f"client {first.client} {first.event.value}: {first.message}{more}",
            hint=first.fix,
        )


def refuse_removal_in_use(session: Session, template: Template) -> None:
    """A template that a switched-on setting uses, named or as its language's default, stays."""
    users = [u for u in uses(session) if u.template == template.name]
    if users:
        named = ", ".join(
            f"client {u.client} {u.event.value}"
            + (" (its language's default)" if u.by_default else "")
            for u in users[:5]
        )
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        raise Conflict(
            f"template {template.name!r} is used by {named}{more}",
            hint=f"alertctl client alerts {users[0].client} --event {users[0].event.value} "
            "--template OTHER, or --disable",
        )
