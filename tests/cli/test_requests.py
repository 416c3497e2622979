"""Requests walked through their life on the sample setup: events, alerts, history."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import database_bytes, invoke, ok, refused


def alerts_of(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT a.event, p.kind || ' ' || p.code, a.channel, a.address FROM alert a "
            "JOIN person p ON p.id = a.person_id ORDER BY a.id"
        ).fetchall()


def test_a_request_from_opening_to_closure_by_the_client(sample_db: Path) -> None:
    opened = ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--product",
        "ERP",
        "--site",
        "LYON",
        "--title",
        "Invoices do not print",
        "--external-description",
        "Error 42",
        "--json",
    )
    assert json.loads(opened.stdout)["events"] == ["open"]
    walk = [
        ("WIP", ["status_change"]),
        ("RESOLVED", ["resolution", "status_change"]),
        ("WIP", ["status_change"]),
        ("RESOLVED", ["resolution", "status_change"]),
        ("CLOSED_EXT", ["closure_external", "status_change"]),
    ]
    for status, events in walk:
        result = json.loads(
            ok(sample_db, "request", "update", "R1", "--status", status, "--json").stdout
        )
        assert result["events"] == events, status
    email, fax = "alice@acme.example", "+33145000001"
    assert alerts_of(sample_db) == [
        ("open", "collaborator jdu", "email", "jdu@support.example"),
        ("open", "contact alice", "email", email),
        ("open", "contact alice", "fax", fax),
        ("resolution", "collaborator jdu", "email", "jdu@support.example"),
        ("resolution", "contact alice", "email", email),
        ("resolution", "contact alice", "fax", fax),
        ("resolution", "collaborator jdu", "email", "jdu@support.example"),
        ("resolution", "contact alice", "email", email),
        ("resolution", "contact alice", "fax", fax),
        ("closure_external", "collaborator jdu", "email", "jdu@support.example"),
    ]
    shown = json.loads(ok(sample_db, "request", "show", "R1", "--json").stdout)
    assert [s["events"] for s in shown["saves"]] == [["open"]] + [e for _, e in walk]
    assert shown["saves"][1]["changes"] == {"status": ["OPEN", "WIP"]}
    assert shown["saves"][5]["alerts"][0]["sources"] == ["product"]
    with sqlite3.connect(sample_db) as connection:
        html = connection.execute(
            "SELECT html_body FROM alert WHERE event = 'closure_external'"
        ).fetchone()[0]
    # A collaborator reads the support team's wording, in a whole HTML document.
    assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "a validé la clôture de la demande R1.</p>" in html
    assert "Vous avez validé" not in html


def test_preview_tells_before_the_save_what_the_save_then_writes(sample_db: Path) -> None:
    ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--product",
        "ERP",
        "--title",
        "Slow",
        "--external-description",
        "It is slow",
    )
    preview = json.loads(
        ok(sample_db, "alerts", "preview", "R1", "-e", "resolution", "--json").stdout
    )
    announced = [
        (r["kind"] + " " + r["code"], r["channel"], r["address"], r["subject"])
        for r in preview["events"][0]["recipients"]
    ]
    ok(sample_db, "request", "update", "R1", "--status", "RESOLVED")
    with sqlite3.connect(sample_db) as connection:
        written = connection.execute(
            "SELECT p.kind || ' ' || p.code, a.channel, a.address, a.subject FROM alert a "
            "JOIN person p ON p.id = a.person_id WHERE a.event = 'resolution' ORDER BY a.id"
        ).fetchall()
    assert written == announced
    assert announced[0][3] == "[ACME support] Demande résolue\u00a0: R1 – Slow"


def test_preview_json_contract(sample_db: Path) -> None:
    ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--product",
        "ERP",
        "--site",
        "LYON",
        "--title",
        "T",
    )
    doc = json.loads(ok(sample_db, "alerts", "preview", "R1", "--json").stdout)
    assert doc["request"] == "R1"
    assert [e["event"] for e in doc["events"]] == [
        "open",
        "resolution",
        "closure_external",
        "closure_internal",
        "status_change",
    ]
    resolution = doc["events"][1]
    assert resolution["recipients"][0] == {
        "kind": "collaborator",
        "code": "jdu",
        "name": "Jean Dupont",
        "channel": "email",
        "address": "jdu@support.example",
        "sources": ["product"],
        "subject": "[ACME support] Demande résolue\u00a0: R1 – T",
        "language": "fr",
        "template": "default-resolution-fr",
    }
    assert {(x["code"], x["reason"]) for x in resolution["excluded"]} == {
        ("bruno", "source_disabled"),
        ("fanny", "source_disabled"),
    }
    assert set(resolution["excluded"][0]) == {"kind", "code", "name", "reason", "detail", "channel"}
    closure_internal = doc["events"][3]
    assert closure_internal["recipients"] == []
    assert {x["reason"] for x in closure_internal["excluded"]} == {"event_not_enabled"}


def test_preview_writes_nothing(sample_db: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T")
    before = database_bytes(sample_db)
    ok(sample_db, "alerts", "preview", "R1")
    ok(sample_db, "alerts", "explain", "R1", "--contact", "bruno")
    assert database_bytes(sample_db) == before


def test_explain_gives_the_rules_and_the_commands_that_change_them(sample_db: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--site", "LYON", "--title", "T")
    doc = json.loads(
        ok(
            sample_db, "alerts", "explain", "R1", "--contact", "bruno", "-e", "resolution", "--json"
        ).stdout
    )
    event = doc["events"][0]
    assert event["receives"] == []
    assert [(x["reason"], x["channel"]) for x in event["excluded"]] == [("source_disabled", None)]
    failed = [(c["rule"], c["fix"]) for c in event["checks"] if not c["passed"]]
    assert failed == [
        (4, "alertctl contract enable K1 --source site"),
        (6, "alertctl contact alerts bruno --on resolution"),
    ]
    # Follow the advice: the explanation and the preview now both say bruno receives it.
    ok(sample_db, "contract", "enable", "K1", "--source", "site")
    ok(sample_db, "contact", "alerts", "bruno", "--on", "resolution")
    doc = json.loads(
        ok(sample_db, "alerts", "explain", "R1", "-c", "bruno", "-e", "resolution", "--json").stdout
    )
    assert doc["events"][0]["receives"][0]["sources"] == ["site"]
    assert all(c["passed"] for c in doc["events"][0]["checks"])
    human = ok(sample_db, "alerts", "explain", "R1", "-c", "bruno", "-e", "resolution").stdout
    assert (
        "resolution: contact bruno receives it by email (bruno@acme.example, in fr, "
        "template default-resolution-fr)" in human
    )


def test_explain_someone_linked_to_nothing(sample_db: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T")
    doc = json.loads(
        ok(sample_db, "alerts", "explain", "R1", "-c", "bruno", "-e", "open", "--json").stdout
    )
    event = doc["events"][0]
    assert (event["candidate"], event["receives"], event["excluded"]) == (False, [], [])
    rule3 = next(c for c in event["checks"] if c["rule"] == 3)
    assert rule3["passed"] is False
    assert rule3["fix"] == "alertctl link contract K1 --contact bruno"
    # erin is GLOBEX's: no link would make her hear of ACME's request, so none is proposed.
    doc = json.loads(
        ok(sample_db, "alerts", "explain", "R1", "-c", "erin", "-e", "open", "--json").stdout
    )
    linked, own_client = [c for c in doc["events"][0]["checks"] if c["rule"] == 3]
    assert (linked["passed"], linked["fix"]) == (False, None)
    assert (own_client["passed"], own_client["fix"]) == (False, None)


def test_request_without_contract_alerts_no_one(sample_db: Path) -> None:
    result = ok(
        sample_db,
        "request",
        "open",
        "R2",
        "--client",
        "ACME",
        "--product",
        "ERP",
        "--title",
        "T",
        "--external-description",
        "D",
        "--json",
    )
    assert json.loads(result.stdout)["events"] == ["open"]
    assert json.loads(result.stdout)["alerts"] == []
    preview = json.loads(ok(sample_db, "alerts", "preview", "R2", "-e", "open", "--json").stdout)
    assert {x["reason"] for x in preview["events"][0]["excluded"]} == {"no_contract"}


def test_product_not_covered_is_accepted_with_a_warning(sample_db: Path) -> None:
    ok(sample_db, "product", "add", "CRM")
    result = ok(
        sample_db, "request", "open", "R3", "--contract", "K1", "--product", "CRM", "--title", "T"
    )
    assert result.stderr.startswith("warning: contract K1 does not cover product CRM\n")


def test_a_beneficiary_client_may_open_requests_on_the_contract(sample_db: Path) -> None:
    result = ok(
        sample_db,
        "request",
        "open",
        "R4",
        "--contract",
        "K1",
        "--client",
        "GLOBEX",
        "--title",
        "T",
        "--json",
    )
    assert json.loads(result.stdout)["created"] is True
    assert json.loads(ok(sample_db, "request", "show", "R4", "--json").stdout)["client"] == "GLOBEX"


def test_replaying_a_save_id_changes_nothing(sample_db: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T", "--save-id", "s1")
    ok(sample_db, "request", "update", "R1", "--status", "RESOLVED", "--save-id", "s2")
    count = len(alerts_of(sample_db))
    again = ok(
        sample_db, "request", "update", "R1", "--status", "RESOLVED", "--save-id", "s2", "--json"
    )
    assert json.loads(again.stdout)["replayed"] is True
    assert len(alerts_of(sample_db)) == count
    other = invoke(
        sample_db, "request", "open", "R9", "--contract", "K1", "--title", "T", "--save-id", "s2"
    )
    assert (other.exit_code, other.stderr) == (
        1,
        "error: save id 's2' was already used for another request\n",
    )


def test_request_list(sample_db: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "First")
    ok(
        sample_db,
        "request",
        "open",
        "R2",
        "--contract",
        "K1",
        "--title",
        "Second",
        "--status",
        "WIP",
    )
    rows = json.loads(ok(sample_db, "request", "list", "--json").stdout)
    assert [(r["reference"], r["status"], r["contract"]) for r in rows] == [
        ("R1", "OPEN", "K1"),
        ("R2", "WIP", "K1"),
    ]
    wip = json.loads(ok(sample_db, "request", "list", "--status", "WIP", "--json").stdout)
    assert [r["reference"] for r in wip] == ["R2"]


BAD_REQUESTS = [
    (
        "site of another client",
        ["request", "open", "X", "--contract", "K1", "--site", "SPRINGFIELD", "--title", "T"],
        1,
        "site 'SPRINGFIELD' is not a site of client 'ACME'",
    ),
    (
        "client not on the contract",
        ["request", "open", "X", "--contract", "K2", "--client", "ACME", "--title", "T"],
        1,
        "client 'ACME' is neither the client nor a beneficiary of contract 'K2'",
    ),
    (
        "service of another contract",
        ["request", "open", "X", "--contract", "K2", "--service", "PREMIUM", "--title", "T"],
        1,
        "service 'PREMIUM' is not a service of contract 'K2'",
    ),
    ("unknown status", ["request", "update", "R1", "--status", "DONE"], 1, "unknown status 'DONE'"),
    ("unknown request", ["request", "update", "R9", "--status", "WIP"], 1, "unknown request 'R9'"),
    (
        "duplicate request",
        ["request", "open", "R1", "--contract", "K1", "--title", "T"],
        1,
        "request 'R1' already exists",
    ),
    (
        "no contract nor client",
        ["request", "open", "X", "--title", "T"],
        1,
        "a new request needs a contract or, without one, a client",
    ),
    (
        "control character in title",
        ["request", "open", "X", "--contract", "K1", "--title", "T\r\nBcc: x@evil.example"],
        1,
        "title contains the control character U+000D",
    ),
    (
        "unknown contract",
        ["request", "open", "X", "--contract", "K9", "--title", "T"],
        1,
        "unknown contract 'K9'",
    ),
    ("missing title", ["request", "open", "X", "--contract", "K1"], 2, "Missing option '--title'"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), [pytest.param(a, c, m, id=i) for i, a, c, m in BAD_REQUESTS]
)
def test_bad_requests_are_refused_and_change_nothing(
    sample_db: Path, args: list[str], code: int, message: str
) -> None:
    ok(sample_db, "contract", "add", "K2", "--client", "GLOBEX")
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T")
    refused(sample_db, args, code, message)


@pytest.mark.parametrize("reference", ["INC/2026/42", "#1234", "NW 10 bis", "déjà-vu_2"])
def test_references_are_taken_as_the_help_desk_writes_them(sample_db: Path, reference: str) -> None:
    opened = ok(sample_db, "request", "open", reference, "--contract", "K1", "--title", "T")
    assert opened.stderr.startswith(f"opened request {reference}: ")
    shown = json.loads(ok(sample_db, "request", "show", reference, "--json").stdout)
    assert shown["reference"] == reference
    ok(sample_db, "request", "update", reference, "--status", "WIP")
    assert json.loads(ok(sample_db, "alerts", "preview", reference, "--json").stdout)[
        "request"
    ] == (reference)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (" 42", "reference ' 42' starts or ends with a space"),
        ("42 ", "reference '42 ' starts or ends with a space"),
        ("a\tb", "reference contains the control character U+0009"),
        ("x" * 101, "reference is too long: 101 characters, at most 100"),
    ],
)
def test_references_with_invisible_parts_or_too_long_are_refused(
    sample_db: Path, reference: str, message: str
) -> None:
    refused(
        sample_db, ["request", "open", reference, "--contract", "K1", "--title", "T"], 1, message
    )
