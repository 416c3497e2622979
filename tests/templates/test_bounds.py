"""Templates cannot build a huge value: every way to grow one is checked from its arguments,
before the work (templates/bounds.py). Each of these used to take seconds and gigabytes."""

from pathlib import Path

import pytest

from alertctl.services.configuration.template_use import SAMPLE_CONTEXT
from alertctl.templates.render import RenderError, render_one

BIG = [
    "{{ 'a'|center(999999999) }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ '%0999999999d'|format(1) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ '{:{w}}'.format(1, w=999999999) }}",
    "{{ 'a'.ljust(999999999) }}",
    "{{ 'a'.rjust(999999999) }}",
    "{{ 'a'.zfill(999999999) }}",
    "{{ 'a'.center(999999999) }}",
    "{{ ('\\t' * 1000).expandtabs(999999) }}",
    "{{ 'a'|indent(999999999) }}",
    "{{ ('a\\n' * 100000)|indent(100) }}",
    "{{ ('a' * 100000)|wordwrap(1, wrapstring='xxxxxxxxxx') }}",
    "{{ range(10000)|join('a' * 199999) }}",
    "{{ ('a' * 199999).join(range(10000)|map('string')) }}",
    "{{ ('a' * 100000)|replace('a', 'b' * 1000) }}",
    "{{ ('a' * 100000).replace('', 'bbbbbbbbbb') }}",
    "{{ 'a' * 999999999 }}",
    "{{ [1] * 999999999 }}",
    "{{ ('a' * 150000) + ('a' * 150000) }}",
    "{{ ('a' * 150000) ~ ('a' * 150000) }}",
    "{% set x %}{% for i in range(10000) %}{{ 'a' * 100000 }}{% endfor %}{% endset %}"
    "{{ x|length }}",
    "{% set x = 'a' * 100000 %}{% set x = x ~ x %}{% set x = x ~ x %}{{ x|length }}",
    "{{ [1]|batch(999999999, 'x')|list|length }}",
    "{{ [1]|slice(999999999)|list|length }}",
    "{{ {'a': 1}|tojson(999999999) }}",
    "{{ range(10000)|batch(1)|sum(start=[]) }}",
    "{% set a = 9 ** 64 %}" + "{% set a = a * a %}" * 11 + "{{ a }}",
    "{% macro m() %}{% for i in range(10000) %}{{ 'a' * 100000 }}{% endfor %}{% endmacro %}"
    "{{ m()|length }}",
    "{% filter upper %}{% for i in range(10000) %}{{ 'a' * 100000 }}{% endfor %}{% endfilter %}",
    "{{ ('a' * 1000).translate({97: 'b' * 1000}) }}",
    "{{ '%(x)0999999999d' % {'x': 1} }}",
    "{{ '{x:0999999999}'.format_map({'x': 1}) }}",
]


@pytest.mark.parametrize("source", BIG)
def test_a_huge_value_is_refused_before_it_is_built(source: str) -> None:
    with pytest.raises(RenderError, match=r"too large|not allowed|more than"):
        render_one(source, SAMPLE_CONTEXT)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'ab'|center(6) }}", "  ab  "),
        ("{{ '%05d' % 42 }}", "00042"),
        ("{{ '{:>4}'.format(7) }}", "   7"),
        ("{{ range(3)|join(', ') }}", "0, 1, 2"),
        ("{{ 'a-b'|replace('-', '+') }}", "a+b"),
        ("{{ ('x' * 3) ~ ('y' + 'z') }}", "xxxyz"),
        ("{% set x %}{% for i in range(3) %}{{ i }}{% endfor %}{% endset %}{{ x }}", "012"),
        ("{{ 'line\nnext'|indent(2, first=True) }}", "  line\n  next"),
        ("{{ [1, 2, 3]|sum }}", "6"),
        ("{{ 2 ** 10 * 3 }}", "3072"),
    ],
)
def test_ordinary_templates_are_untouched(source: str, expected: str) -> None:
    assert render_one(source, SAMPLE_CONTEXT) == expected


def test_adding_and_checking_a_template_never_builds_the_huge_value(
    db_path: Path, tmp_path: Path
) -> None:
    from tests.helpers import invoke

    body = tmp_path / "big.txt"
    body.write_text("{{ 'a'|center(999999999) }}")
    added = invoke(db_path, "template", "add", "big", "--subject", "s", "--text", str(body))
    assert added.exit_code == 1, str(added)
    assert "center would be too large for a template" in added.stderr
