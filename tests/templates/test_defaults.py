"""The shipped templates, as a recipient reads them: one subject per event, wording for the
client's contacts and for the support team, each language's typography, text and HTML saying
the same thing, and HTML as a whole document that wraps."""

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from alertctl.domain.model import Event, Language
from alertctl.services.configuration.template_use import (
    MINIMAL_CONTEXT,
    SAMPLE_CLOCK,
    SAMPLE_CONTEXT,
)
from alertctl.templates.defaults import NBSP, DefaultTemplate, default_templates
from alertctl.templates.render import Rendered, render_alert
from tests.helpers import ok

SHIPPED = {(t.language, t.name.split("-")[1]): t for t in default_templates()}
LONG_DESCRIPTION = "Le journal dit : " + "x" * 400 + "\nsuite " * 3


def render(template: DefaultTemplate, kind: str, **changes: Any) -> Rendered:
    context: Any = {  # a test may give any part of a context another value
        **SAMPLE_CONTEXT,
        "recipient": {**SAMPLE_CONTEXT["recipient"], "kind": kind},
        "event": template.name.split("-")[1],
        "clock": SAMPLE_CLOCK if Event(template.name.split("-")[1]).is_sla else None,
        **changes,
    }
    return render_alert(
        subject=template.subject,
        text=template.text,
        html=template.html,
        keyword="[ACME]",
        context=context,
    )


@pytest.mark.parametrize("language", list(Language))
def test_each_event_has_its_own_subject_naming_the_request(language: Language) -> None:
    subjects = {render(SHIPPED[language, e.value], "contact").subject for e in Event}
    assert len(subjects) == len(Event)
    for subject in subjects:
        assert subject.startswith("[ACME] ")
        assert subject.endswith("REQ-1 \u2013 Sample request")
        assert subject.count("REQ-1") == 1


@pytest.mark.parametrize("template", default_templates(), ids=lambda t: t.name)
def test_contacts_and_the_support_team_read_their_own_wording(template: DefaultTemplate) -> None:
    contact = render(template, "contact").text
    support = render(template, "collaborator").text
    assert contact != support
    # Only the client's contacts are told it is their request.
    yours = (
        "Votre demande|Vous avez|votre demande" if template.language is Language.FR else "[Yy]our"
    )
    assert re.search(yours, contact)
    assert not re.search(yours, support)
    assert "Client" in support  # the support team is told whose request it is


@pytest.mark.parametrize("template", default_templates(), ids=lambda t: t.name)
def test_each_language_has_its_own_typography(template: DefaultTemplate) -> None:
    for kind in ("contact", "collaborator"):
        message = render(template, kind)
        for part in (message.subject, message.text, _visible(message.html or "")):
            if template.language is Language.FR:
                assert " :" not in part and f"{NBSP}:" in part
                assert re.search(r"[^\s\u00a0]:", part.replace("https:", "")) is None
            else:
                assert f"{NBSP}:" not in part and " :" not in part and "«" not in part


@pytest.mark.parametrize("template", default_templates(), ids=lambda t: t.name)
@pytest.mark.parametrize("context", [SAMPLE_CONTEXT, MINIMAL_CONTEXT], ids=["full", "minimal"])
def test_the_text_and_html_parts_say_the_same_thing(
    template: DefaultTemplate, context: dict[str, Any]
) -> None:
    for kind in ("contact", "collaborator"):
        facts = {k: v for k, v in context.items() if k not in ("recipient", "clock")}
        message = render(template, kind, **facts)
        text_lines = [line for line in message.text.splitlines() if line.strip() not in ("", "--")]
        html_lines = [line for line in _visible(message.html or "").splitlines() if line.strip()]
        assert [" ".join(line.split()) for line in text_lines] == [
            " ".join(line.split()) for line in html_lines
        ]


def test_a_contract_named_as_its_code_is_printed_once() -> None:
    template = SHIPPED[Language.FR, "open"]
    same = render(template, "contact", contract={"code": "K1", "name": "K1"})
    named = render(template, "contact", contract={"code": "K1", "name": "Premium"})
    assert f"Contrat{NBSP}: K1\n" in same.text and "K1 K1" not in same.text
    assert f"Contrat{NBSP}: K1 \u2013 Premium\n" in named.text


@pytest.mark.parametrize("template", default_templates(), ids=lambda t: t.name)
def test_html_alerts_are_whole_documents_that_wrap(template: DefaultTemplate) -> None:
    request = {**SAMPLE_CONTEXT["request"], "external_description": LONG_DESCRIPTION}
    html = render(template, "contact", request=request).html
    assert html is not None
    page = _Page()
    page.feed(html)
    assert html.startswith("<!DOCTYPE html>\n")
    assert page.attrs["html"]["lang"] == template.language.value
    assert page.attrs["meta"]["charset"] == "utf-8"
    assert page.title and "REQ-1" in page.title
    assert "max-width:640px" in page.styles["div"][0]
    # The long description wraps instead of running off to the right.
    box = next(s for s in page.styles["div"] if "pre-wrap" in s)
    assert "overflow-wrap:anywhere" in box
    assert "<pre" not in html
    assert "x" * 400 in html


def test_init_brings_shipped_templates_up_to_date_and_leaves_a_client_s_own(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.db"
    ok(db, "init")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE template SET text = 'old wording' WHERE name LIKE 'default-%'")
    (tmp_path / "mine.txt").write_text("old wording")
    ok(db, "template", "add", "mine", "--subject", "S", "--text", str(tmp_path / "mine.txt"))
    result = ok(db, "init")
    assert "updated 18 shipped templates to this version" in result.stderr
    with sqlite3.connect(db) as connection:
        texts = dict(connection.execute("SELECT name, text FROM template"))
    assert texts["mine"] == "old wording"
    assert texts["default-open-fr"] == SHIPPED[Language.FR, "open"].text
    assert "updated" not in ok(db, "init").stderr


def _visible(html: str) -> str:
    """What a reader sees of the HTML body, one line per paragraph or table row."""
    page = _Page()
    page.feed(html)
    return "".join(page.text)


class _Page(HTMLParser):
    BREAKS = frozenset({"p", "tr", "div", "br"})

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.styles: dict[str, list[str]] = {}
        self.title: str | None = None
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.setdefault(tag, dict(attrs))
        style = dict(attrs).get("style")
        if style:
            self.styles.setdefault(tag, []).append(style)
        if tag in self.BREAKS:
            self.text.append("\n")
        if tag == "td":
            self.text.append(" ")
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BREAKS:
            self.text.append("\n")
        if self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if "title" in self._in:
            self.title = data
        elif "body" in self._in:
            self.text.append(data.strip("\n"))
