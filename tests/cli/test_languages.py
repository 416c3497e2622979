"""Each person reads alerts in their language: their own, else their client's, a collaborator
the request's client's; the shipped default of that language, or the client's own template as
set. ACME (the request's client) is French, GLOBEX English."""

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.helpers import GLOBEX_R2, database_bytes, invoke, ok, open_args, refused


def opened(db: Path) -> None:
    ok(db, *open_args())


def preview_open(db: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads(ok(db, "alerts", "preview", "R1", "--event", "open", "--json").stdout)
    return {f"{r['code']}/{r['channel']}": r for r in doc["events"][0]["recipients"]}


def test_a_person_s_own_language_wins_over_the_client_s(sample_db: Path) -> None:
    opened(sample_db)
    before = preview_open(sample_db)
    assert before["alice/email"]["language"] == "fr"
    assert before["jdu/email"]["language"] == "fr"  # a collaborator: the request's client's
    ok(sample_db, "contact", "update", "alice", "--language", "en")
    ok(sample_db, "collaborator", "update", "jdu", "--language", "en")
    after = preview_open(sample_db)
    assert after["alice/email"]["language"] == "en"
    assert after["alice/email"]["template"] == "default-open-en"
    assert after["alice/email"]["subject"] == "[ACME support] Request registered: R1 – Printer"
    assert after["jdu/email"]["language"] == "en"
    # Back to the client's.
    ok(sample_db, "contact", "update", "alice", "--language", "client")
    assert preview_open(sample_db)["alice/email"]["language"] == "fr"
    shown = json.loads(ok(sample_db, "contact", "show", "alice", "--json").stdout)
    assert shown["language"] is None


def test_a_contact_reads_their_own_client_s_language(sample_db: Path) -> None:
    """Alice works for ACME (French), which holds K1: GLOBEX's request on K1 reaches her in
    French, though GLOBEX is English."""
    ok(sample_db, "client", "alerts", "GLOBEX", "--event", "open", "--enable", "--keyword", "[G]")
    ok(sample_db, *GLOBEX_R2)
    doc = json.loads(ok(sample_db, "alerts", "preview", "R2", "--event", "open", "--json").stdout)
    alice = next(r for r in doc["events"][0]["recipients"] if r["code"] == "alice")
    assert (alice["language"], alice["template"]) == ("fr", "default-open-fr")
    with sqlite3.connect(sample_db) as connection:
        text = connection.execute(
            "SELECT text_body FROM alert a JOIN person p ON p.id = a.person_id "
            "WHERE p.code = 'alice' AND a.channel = 'email'"
        ).fetchone()[0]
    assert text.startswith("Bonjour Alice Martin,\n\n")


def test_a_client_s_own_template_is_used_as_set(sample_db: Path, tmp_path: Path) -> None:
    (tmp_path / "own.txt").write_text("Bonjour {{ recipient.name }}\n")
    ok(sample_db, "template", "add", "acme-open", "--subject", "Ouverte", "--text", "own.txt")
    ok(
        sample_db,
        "client",
        "alerts",
        "ACME",
        "--event",
        "open",
        "--enable",
        "--template",
        "acme-open",
    )
    ok(sample_db, "contact", "update", "alice", "--language", "en")
    opened(sample_db)
    alice = preview_open(sample_db)["alice/email"]
    assert alice["template"] == "acme-open"
    assert alice["language"] == "en"
    assert alice["subject"] == "[ACME support] R1 – Ouverte"


def test_explain_says_the_language_and_template(sample_db: Path) -> None:
    opened(sample_db)
    ok(sample_db, "contact", "add", "zoe", "--client", "ACME", "--language", "en")
    ok(sample_db, "contact", "update", "alice", "--language", "en")
    human = ok(sample_db, "alerts", "explain", "R1", "--contact", "alice", "-e", "open").stdout
    assert "by email (alice@acme.example, in en, template default-open-en)" in human
    preview = ok(sample_db, "alerts", "preview", "R1", "--event", "open").stdout
    assert "Language" in preview


def test_languages_in_the_configuration_file(sample_db: Path, tmp_path: Path) -> None:
    ok(sample_db, "contact", "update", "bruno", "--language", "en")
    exported = ok(sample_db, "config", "export").stdout
    assert '[contacts.bruno]\nclient = "ACME"\nname = "Bruno Petit"' in exported
    assert 'language = "en"' in exported.split("[contacts.bruno]")[1].split("\n[")[0]
    # Only a language of one's own is written: alice follows her client.
    assert "language" not in exported.split("[contacts.alice]")[1].split("\n[")[0]
    changed = exported.replace("[collaborators.jdu]\n", '[collaborators.jdu]\nlanguage = "en"\n')
    (tmp_path / "c.toml").write_text(changed)
    plan = ok(sample_db, "config", "apply", str(tmp_path / "c.toml")).stdout
    assert '~ collaborator jdu\n    language: - → "en"' in plan
    assert (
        json.loads(ok(sample_db, "collaborator", "show", "jdu", "--json").stdout)["language"]
        == "en"
    )
    bad = changed.replace('language = "en"', 'language = "de"', 1)
    (tmp_path / "bad.toml").write_text(bad)
    before = database_bytes(sample_db)
    failure = invoke(sample_db, "config", "apply", str(tmp_path / "bad.toml"))
    assert failure.exit_code != 0
    assert "language: 'de' is not one of fr, en" in failure.stderr
    assert database_bytes(sample_db) == before


def test_a_language_that_does_not_exist_is_refused(sample_db: Path) -> None:
    refused(
        sample_db,
        ["contact", "add", "x", "--client", "ACME", "--language", "de"],
        2,
        "Invalid value for '--language': 'de' is not one of 'fr', 'en', 'client'.",
    )


def test_an_english_alert_names_the_status_in_english(db_path: Path) -> None:
    """GLOBEX's contacts read English: their alerts say `Waiting for you`, ACME's `En attente`."""
    import sqlite3

    setup = Path(__file__).resolve().parents[2] / "sample-data" / "setup.batch"
    db = db_path
    ok(db, "batch", str(setup))
    ok(db, "status", "update", "WAIT", "--label-en", "Waiting for you")
    for client in ("GLOBEX", "ACME"):
        ok(db, "client", "alerts", client, "-e", "status_change", "--enable", "--keyword", "[K]")
    ok(db, "contact", "alerts", "alice", "--on", "status_change")
    ok(
        db,
        "request",
        "open",
        "G1",
        "--contract",
        "K1",
        "--client",
        "GLOBEX",
        "--product",
        "CRM",
        "--title",
        "T",
    )
    ok(db, "request", "open", "A1", "--contract", "K1", "--product", "ERP", "--title", "T")
    for reference in ("G1", "A1"):
        ok(db, "request", "update", reference, "--status", "WAIT")
    with sqlite3.connect(db) as connection:
        bodies = dict(
            connection.execute(
                "SELECT r.reference || ' ' || p.code, a.text_body FROM alert a "
                "JOIN request r ON r.id = a.request_id JOIN person p ON p.id = a.person_id "
                "WHERE a.event = 'status_change' AND a.channel = 'email'"
            ).fetchall()
        )
    assert "Waiting for you" in bodies["G1 dan"] and "En attente" not in bodies["G1 dan"]
    assert "En attente" in bodies["A1 alice"]
