"""Alert mail templates: add, list, show, check, and render against a real request."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Template
from alertctl.domain.model import Event, Language, PersonKind
from alertctl.domain.validation import check_code, check_length, check_text
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.common import get_person, refuse_if_referenced
from alertctl.services.configuration import template_use
from alertctl.services.configuration.template_use import (
    SAMPLE_CLOCK,
    SAMPLE_CONTEXT,
    refuse_removal_in_use,
)
from alertctl.services.saves.alert_slice import get_request, load, person_facts
from alertctl.services.saves.decide import in_document
from alertctl.templates.render import RenderError, check_syntax, render_alert


def get_template(session: Session, name: str) -> Template:
    template = session.exec(select(Template).where(Template.name == name)).first()
    if template is None:
        raise NotFound(f"unknown template {name!r}", hint="alertctl template list")
    return template


def _check(subject: str, text: str, html: str | None) -> list[str]:
    problems = []
    for part, source, is_html in (
        ("subject", subject, False),
        ("text", text, False),
        ("html", html, True),
    ):
        if source is None:
            continue
        try:
            check_syntax(source, html=is_html)
        except RenderError as exc:
            problems.append(f"{part}: {exc}")
    if not problems:  # then rendered on the samples, as every template in use must render
        trial = Template(name="trial", language="fr", subject=subject, text=text, html=html)
        found = template_use.sample_render_problem(trial, html=html is not None, event=None)
        if found is not None:
            problems.append(found)
    return problems


@dataclass(frozen=True)
class TemplateRow:
    name: str
    language: Language
    builtin: bool
    html: bool  # has an HTML version


@dataclass(frozen=True)
class TemplateDetail:
    name: str
    language: Language
    builtin: bool
    html: str | None
    subject: str
    text: str


@dataclass(frozen=True)
class TemplateCheck:
    name: str
    ok: bool
    problems: tuple[str, ...]


@dataclass(frozen=True)
class RenderedTemplate:
    subject: str
    text: str
    html: str | None


def add_template(
    db: Database, *, name: str, subject: str, text: str, html: str | None, language: Language
) -> TemplateRow:
    check_code(name, "template")
    check_text(subject, "subject")
    for source in (text, html):
        if source is not None:
            check_length(source, "template")
    problems = _check(subject, text, html)
    if problems:
        raise Invalid(f"template {name!r} is not valid: {problems[0]}")
    with db.session(write=True) as session:
        if session.exec(select(Template.id).where(Template.name == name)).first() is not None:
            raise Conflict(
                f"template {name!r} already exists",
                hint=f"alertctl template update {name} --text FILE (or --subject, --html)",
            )
        template = Template(
            name=name, language=language.value, subject=subject, text=text, html=html
        )
        session.add(template)
        return _row(template)


def update_template(
    db: Database,
    *,
    name: str,
    subject: str | None = None,
    text: str | None = None,
    html: str | None = None,
    drop_html: bool = False,
    language: Language | None = None,
) -> TemplateRow:
    """Change only what is given, with the checks of `add`: the template as it would be is
    rendered on the samples before anything is saved."""
    if subject is None and text is None and html is None and not drop_html and language is None:
        raise Invalid("nothing to change: give --subject, --text, --html, --no-html or --language")
    with db.session(write=True) as session:
        template = get_template(session, name)
        if template.builtin:
            raise Conflict(
                f"template {name!r} is shipped with alertctl, and `alertctl init` keeps it as "
                "this version ships it",
                hint=f"alertctl template add NAME ... then alertctl client alerts CLIENT "
                f"--event E --template NAME (a copy: alertctl template show {name})",
            )
        new_subject = check_text(subject, "subject") if subject is not None else template.subject
        new_text = text if text is not None else template.text
        new_html = None if drop_html else html if html is not None else template.html
        for source in (new_text, new_html):
            if source is not None:
                check_length(source, "template")
        problems = _check(new_subject, new_text, new_html)
        if problems:
            raise Invalid(f"template {name!r} would not be valid: {problems[0]}")
        template.subject, template.text, template.html = new_subject, new_text, new_html
        if language is not None:
            template.language = language.value
        session.add(template)
        return _row(template)


def list_templates(db: Database) -> list[TemplateRow]:
    with db.session(write=False) as session:
        return [_row(t) for t in session.exec(select(Template).order_by(col(Template.name))).all()]


def show_template(db: Database, *, name: str) -> TemplateDetail:
    with db.session(write=False) as session:
        t = get_template(session, name)
        return TemplateDetail(t.name, Language(t.language), t.builtin, t.html, t.subject, t.text)


def remove_template(db: Database, *, name: str) -> None:
    with db.session(write=True) as session:
        template = get_template(session, name)
        refuse_if_referenced(session, "template", template.id, f"template {name!r}")
        refuse_removal_in_use(session, template)
        session.delete(template)


def check_template(db: Database, *, name: str) -> TemplateCheck:
    """Syntax and unknown variables, then a trial render on a sample request."""
    with db.session(write=False) as session:
        template = get_template(session, name)
        problems = _check(template.subject, template.text, template.html)
        if not problems:
            try:
                render_alert(
                    subject=template.subject,
                    text=template.text,
                    html=template.html,
                    keyword="[KEYWORD]",
                    context={**SAMPLE_CONTEXT, "clock": SAMPLE_CLOCK},
                )
            except RenderError as exc:
                problems.append(f"on a sample request: {exc}")
        return TemplateCheck(name, not problems, tuple(problems))


def render_template(
    db: Database,
    *,
    name: str,
    reference: str,
    event: Event = Event.STATUS_CHANGE,
    kind: PersonKind | None = None,
    code: str | None = None,
) -> RenderedTemplate:
    with db.session(write=False) as session:
        template = get_template(session, name)
        request = get_request(session, reference)
        # An SLA event's clock as the request has it now, or the sample clock.
        from alertctl.services.sla.clocks import with_clock

        loaded = with_clock(session, load(session, request), request, event)
        language = Language(template.language)
        recipient = SAMPLE_CONTEXT["recipient"]
        if kind is not None and code is not None:
            facts = person_facts(session, request, get_person(session, kind, code))
            recipient = {
                "kind": kind.value,
                "code": code,
                "name": facts.name,
                "channel": "email",
                "address": facts.email or "",
            }
        keyword = loaded.slice.settings[event].keyword or "[KEYWORD]"
        try:
            message = render_alert(
                subject=template.subject,
                text=template.text,
                html=template.html,
                keyword=keyword,
                context={
                    **loaded.context,
                    # The statuses as the template's own language names them.
                    "request": loaded.request_in(language),
                    "recipient": recipient,
                    "event": event.value,
                    "clock": loaded.clock[language] if loaded.clock is not None else None,
                },
            )
        except RenderError as exc:
            raise Invalid(f"template {name!r} does not render: {exc}") from None
        message = in_document(message, template)
        return RenderedTemplate(message.subject, message.text, message.html)


def _row(template: Template) -> TemplateRow:
    return TemplateRow(
        template.name, Language(template.language), template.builtin, template.html is not None
    )
