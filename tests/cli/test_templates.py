import json
import sqlite3
from pathlib import Path

from tests.helpers import invoke, ok, refused


def test_template_add_list_show_check_render_remove(sample_db: Path, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(
        "Dear {{ recipient.name }}, {{ request.reference }} is {{ request.status.label }}.\n"
    )
    html = tmp_path / "body.html"
    html.write_text("<p>{{ request.title }}</p>\n")
    ok(
        sample_db,
        "template",
        "add",
        "short",
        "--subject",
        "{{ request.title }}",
        "--text",
        str(body),
        "--html",
        str(html),
        "--language",
        "en",
    )
    names = [t["name"] for t in json.loads(ok(sample_db, "template", "list", "--json").stdout)]
    assert "short" in names and "default-open-fr" in names and len(names) == 19
    shown = json.loads(ok(sample_db, "template", "show", "short", "--json").stdout)
    assert shown["html"] == "<p>{{ request.title }}</p>\n"
    assert ok(sample_db, "template", "check", "short").stderr == "template short is valid\n"

    ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--title",
        "A <b> title",
        "--status",
        "WIP",
    )
    rendered = json.loads(
        ok(
            sample_db,
            "template",
            "render",
            "short",
            "--request",
            "R1",
            "--contact",
            "alice",
            "--event",
            "status_change",
            "--json",
        ).stdout
    )
    html = rendered.pop("html")
    # A client's own HTML is a body: it is rendered inside the shipped document.
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>[KEYWORD] R1 – A &lt;b&gt; title</title>" in html
    assert "\n<p>A &lt;b&gt; title</p>\n</div>\n</body>\n</html>\n" in html
    assert rendered == {
        "subject": "[KEYWORD] R1 – A <b> title",
        "text": "Dear Alice Martin, R1 is In progress.\n",  # the English template's label
    }
    ok(sample_db, "client", "alerts", "ACME", "-e", "resolution", "--enable", "--template", "short")
    used = invoke(sample_db, "template", "remove", "short", "--yes")
    assert used.stderr.startswith("error: template 'short' is still used by 1 client alert setting")


def test_bad_templates_are_refused(sample_db: Path, tmp_path: Path) -> None:
    body = tmp_path / "bad.txt"
    body.write_text("{{ request.title }\n")
    result = invoke(sample_db, "template", "add", "bad", "--subject", "x", "--text", str(body))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: template 'bad' is not valid: text: syntax error")
    body.write_text("{{ password }}")
    result = invoke(sample_db, "template", "add", "bad", "--subject", "x", "--text", str(body))
    assert (
        result.stderr == "error: template 'bad' is not valid: text: unknown variable 'password'\n"
    )
    result = invoke(sample_db, "template", "add", "bad", "--subject", "x", "--text", "missing.txt")
    assert result.stderr.startswith("error: cannot read missing.txt")


def test_a_template_that_does_not_render_on_a_sample_is_neither_added_nor_assigned(
    sample_db: Path, tmp_path: Path
) -> None:
    body = tmp_path / "b.txt"
    body.write_text("{{ request.status.nope }}")
    refused(
        sample_db,
        ["template", "add", "fragile", "--subject", "s", "--text", str(body)],
        1,
        "template 'fragile' is not valid: on a sample request: 'dict object' has no attribute",
    )
    # One stored before templates were rendered on the samples when added:
    with sqlite3.connect(sample_db) as connection:
        connection.execute(
            "INSERT INTO template (name, language, subject, text, builtin) "
            "VALUES ('fragile', 'fr', 's', '{{ request.status.nope }}', 0)"
        )
    check = invoke(sample_db, "template", "check", "fragile")
    assert check.exit_code == 1
    assert "has no attribute 'nope'" in check.stderr
    assign = ["client", "alerts", "ACME", "-e", "resolution", "--enable", "--template", "fragile"]
    refused(
        sample_db,
        assign,
        1,
        "client ACME resolution: template fragile does not render on a sample request: "
        "'dict object' has no attribute 'nope'",
    )


def test_a_template_that_does_not_render_leaves_the_alert_out_with_no_template(
    sample_db: Path, tmp_path: Path
) -> None:
    """It renders on the sample request, not on R1 (whose reference has two characters)."""
    body = tmp_path / "b.txt"
    body.write_text("{{ 100 // (request.reference|length - 2) }}")
    ok(sample_db, "template", "add", "odd", "--subject", "s", "--text", str(body))
    ok(sample_db, "client", "alerts", "ACME", "-e", "resolution", "--enable", "--template", "odd")
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--product", "ERP", "--title", "T")
    preview = json.loads(
        ok(sample_db, "alerts", "preview", "R1", "-e", "resolution", "--json").stdout
    )
    event = preview["events"][0]
    assert event["recipients"] == []
    reasons = {(x["code"], x["reason"], x["channel"]) for x in event["excluded"]}
    assert ("alice", "no_template", "email") in reasons
    assert ("jdu", "no_template", "email") in reasons
    detail = next(x["detail"] for x in event["excluded"] if x["reason"] == "no_template")
    assert detail == (
        "template odd does not render: ZeroDivisionError: integer division or modulo by zero"
    )
    explained = json.loads(
        ok(sample_db, "alerts", "explain", "R1", "-c", "alice", "-e", "resolution", "--json").stdout
    )
    template_check = next(
        c
        for c in explained["events"][0]["checks"]
        if c["title"] == "the event's template is usable"
    )
    assert template_check["passed"] is False
    assert template_check["facts"] == (
        "template odd: does not render for this request: ZeroDivisionError: integer division or "
        "modulo by zero"
    )
    assert template_check["fix"] == (
        "alertctl template render odd --request R1 --event resolution --contact alice"
    )
    result = json.loads(
        ok(sample_db, "request", "update", "R1", "--status", "RESOLVED", "--json").stdout
    )
    assert result["alerts"] == []
