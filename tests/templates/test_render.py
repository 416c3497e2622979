"""The sandbox: what a template may not do, and the limits it cannot pass."""

import pytest

from alertctl.services.configuration.template_use import SAMPLE_CONTEXT
from alertctl.templates.context import TemplateContext
from alertctl.templates.render import RenderError, header_safe, render_alert, render_one

CONTEXT = SAMPLE_CONTEXT


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ request.internal_description }}", "has no attribute 'internal_description'"),
        ("{{ secret }}", "unknown variable 'secret'"),
        ("{{ request.__class__.__mro__ }}", "unsafe"),
        ("{{ request.update({'title': 'x'}) }}", "unsafe"),
        ("{{ request.items() | list }}", ""),
        ("{% for i in range(100000) %}{% endfor %}", "range() of more than"),
        # Loops that write nothing are bounded by their steps, whatever the machine's speed.
        (
            "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
            "more than 100,000 loop steps in one template",
        ),
        (
            "{% for a in [1] * 10000 %}{% for b in [1] * 10000 %}{% endfor %}{% endfor %}",
            "more than 100,000 loop steps in one template",
        ),
        # What is built is bounded, whatever builds it: a list of copies of a long string.
        ('{{ [("x" * 200000)] * 200000 }}', "repetition would be too large"),
        ('{{ ([("x" * 200000)] * 200000) | string }}', "repetition would be too large"),
        ('{{ ([("x" * 100000)] + [("y" * 150000)]) | tojson }}', "would be too large"),
        ('{{ ([("x" * 200000)] * 200000) | map("upper") | list }}', "too large"),
        ("{{ 'x' * 1000000 }}", "repetition would be too large"),
        ("{{ 9 ** 99999999 }}", "exponent too large"),
        ("{% for i in range(5000) %}{{ request.title * 40 }}{% endfor %}", "output larger than"),
        ("{% if %}", "syntax error at line 1"),
    ],
)
def test_what_a_template_cannot_do(source: str, message: str) -> None:
    if message == "":
        # Reading is allowed: the context holds only what the client may see.
        assert "Sample request" in render_one(source, CONTEXT)
        return
    with pytest.raises(RenderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        render_one(source, CONTEXT)


def test_html_is_escaped_and_text_is_not() -> None:
    context = {**CONTEXT, "request": {**CONTEXT["request"], "title": "<b>&</b>"}}
    assert render_one("{{ request.title }}", context, html=True) == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert render_one("{{ request.title }}", context) == "<b>&</b>"


def test_no_control_character_reaches_the_subject() -> None:
    context: TemplateContext = {
        **CONTEXT,
        "request": {
            **CONTEXT["request"],
            "external_description": "a\r\nBcc: x@evil.example\u2028z",
        },
    }
    message = render_alert(
        subject="{{ request.external_description }}",
        text="t",
        html=None,
        keyword="[K]",
        context=context,
    )
    assert message.subject == "[K] REQ-1 – a Bcc: x@evil.example z"
    assert header_safe("x" * 300).endswith("…") and len(header_safe("x" * 300)) == 250


def test_the_subject_names_the_request_even_when_the_template_subject_is_empty() -> None:
    message = render_alert(subject="", text="t", html=None, keyword="[ACME]", context=CONTEXT)
    assert message.subject == "[ACME] REQ-1 – Sample request"
