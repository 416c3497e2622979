"""No silent drop: an alert left out by a fault (a template that does not render, an address
that became invalid) is said on stderr with the fix, recorded, and counted by `alerts stats`;
one left out by an ordinary rule is not."""

import json
import sqlite3
from pathlib import Path

from tests.cli.test_ingest import write_feed
from tests.helpers import ok, open_args

OPEN_R1 = open_args()


FIX_ODD = (
    "  fix: alertctl template update odd --text FILE (or template add, if it is missing), "
    "then: alertctl alerts recover"
)


def broken_template(db: Path, tmp_path: Path) -> None:
    """A template that renders on the sample request but not for a two-letter reference such as
    R1, used for ACME's openings."""
    text = tmp_path / "odd.txt"
    text.write_text("{{ 100 // (request.reference|length - 2) }}\n", encoding="utf-8")
    ok(db, "template", "add", "odd", "--subject", "{{ request.title }}", "--text", str(text))
    ok(db, "client", "alerts", "ACME", "-e", "open", "--enable", "--template", "odd")


def faults_table(db: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT f.reason, p.code, f.channel FROM alert_fault f "
            "JOIN person p ON p.id = f.person_id ORDER BY p.code, f.channel"
        ).fetchall()


def test_a_template_that_does_not_render_is_said_recorded_and_counted(
    sample_db: Path, tmp_path: Path
) -> None:
    broken_template(sample_db, tmp_path)
    result = ok(sample_db, *OPEN_R1)
    assert result.stderr.splitlines() == [
        "warning: R1 open: 3 alerts left out by a fault, no_template: template odd does not "
        "render: ZeroDivisionError: integer division or modulo by zero; for collaborator jdu "
        "(email), contact alice (email), contact alice (fax)",
        FIX_ODD,
        "opened request R1: open; 0 alerts queued",
    ]
    assert faults_table(sample_db) == [
        ("no_template", "alice", "email"),
        ("no_template", "alice", "fax"),
        ("no_template", "jdu", "email"),
    ]
    stats = json.loads(ok(sample_db, "alerts", "stats", "--json").stdout)
    assert stats["faults"] == {"total": 3, "by_reason": {"no_template": 3}}
    assert stats["by_day"][-1]["faults"] == 3
    counted = " ".join(ok(sample_db, "alerts", "stats").stdout.split())
    assert "left out by faults 3 (no_template 3)" in counted


def test_a_broken_html_part_stops_only_the_alerts_that_would_have_it(sample_db: Path) -> None:
    """ACME's openings go in plain text: their HTML part is never rendered, so its syntax
    error leaves no one out; once they go in HTML, it leaves out everyone they reach."""
    with sqlite3.connect(sample_db) as connection:
        connection.execute("UPDATE template SET html = '{% if %}' WHERE name = 'default-open-fr'")
    plain = json.loads(ok(sample_db, *OPEN_R1, "--json").stdout)
    assert (len(plain["alerts"]), plain["faults"]) == (3, [])
    # As a setting made while the template still rendered (`client alerts` refuses one now).
    with sqlite3.connect(sample_db) as connection:
        connection.execute(
            "UPDATE client_alert_setting SET format = 'html' WHERE event = 'open' AND client_id = "
            "(SELECT id FROM client WHERE code = 'ACME')"
        )
    html = json.loads(ok(sample_db, *open_args("R2"), "--json").stdout)
    assert html["alerts"] == []
    assert {f["reason"] for f in html["faults"]} == {"no_template"}
    assert len(html["faults"]) == 3


def test_a_missing_template_counts_everyone_it_would_have_reached(sample_db: Path) -> None:
    with sqlite3.connect(sample_db) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("DELETE FROM template WHERE name = 'default-open-fr'")
    result = ok(sample_db, *OPEN_R1, "--json")
    faults = json.loads(result.stdout)["faults"]
    assert [(f["code"], f["channel"], f["reason"]) for f in faults] == [
        ("jdu", "email", "no_template"),
        ("alice", "email", "no_template"),
        ("alice", "fax", "no_template"),
    ]
    assert faults[0]["detail"] == (
        "template default-open-fr: template 'default-open-fr' does not exist"
    )
    assert "fix: alertctl init, then: alertctl alerts recover" in result.stderr


def test_an_address_that_became_invalid_is_a_fault_with_its_fix(sample_db: Path) -> None:
    with sqlite3.connect(sample_db) as connection:
        connection.execute("UPDATE person SET email = 'not an address' WHERE code = 'alice'")
    result = ok(sample_db, *OPEN_R1)
    assert (
        "warning: R1 open: 1 alert left out by a fault, invalid_address: "
        "email: not an address; for contact alice (email)"
    ) in result.stderr
    assert "  fix: alertctl contact update alice --email ADDRESS" in result.stderr
    assert "opened request R1: open; 2 alerts queued" in result.stderr
    assert faults_table(sample_db) == [("invalid_address", "alice", "email")]


def test_ordinary_rules_stay_quiet(sample_db: Path) -> None:
    ok(sample_db, "contact", "alerts", "alice", "--off", "open")
    ok(sample_db, "collaborator", "alerts", "jdu", "--off", "open")
    result = ok(sample_db, *OPEN_R1)
    assert result.stderr == "opened request R1: open; 0 alerts queued\n"
    assert faults_table(sample_db) == []


def test_a_feed_names_the_line_of_each_fault(sample_db: Path, tmp_path: Path) -> None:
    broken_template(sample_db, tmp_path)
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [
            {"reference": "R1", "contract": "K1", "title": "T", "external_description": "D"},
            {"reference": "REQ2", "contract": "K1", "site": "PARIS", "title": "T"},
            {"reference": "REQ2", "external_description": "D"},
        ],
    )
    result = ok(sample_db, "request", "ingest", str(feed))
    lines = result.stderr.splitlines()
    assert lines[0].startswith("warning: line 1: R1 open: 2 alerts left out by a fault")
    assert lines[1] == FIX_ODD
    assert lines[-1] == (
        "3 saves applied, 0 already applied, 2 alerts queued, 2 left out by faults, 0 lines failed"
    )
