"""A request handed over to another client (docs/rules.md, "Which client a request is"): one
field (a contract, a client) is never enough; asked for with --move (a feed's "move": true), it
is said, recorded with the save, and the new client's people are alerted from then on."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import invoke, ok, open_args, refused


@pytest.fixture
def moving(sample_db: Path) -> Path:
    """R1, ACME's, on K1; K9 is GLOBEX's own contract, which ACME does not benefit from; erin
    (GLOBEX) is linked to it and hears of every open."""
    ok(sample_db, "contract", "add", "K9", "--client", "GLOBEX", "--name", "Globex own")
    ok(sample_db, "contract", "enable", "K9")
    ok(sample_db, "link", "contract", "K9", "--contact", "erin")
    ok(sample_db, "contact", "alerts", "erin", "--on", "open,resolution")
    ok(
        sample_db,
        "client",
        "alerts",
        "GLOBEX",
        "--event",
        "resolution",
        "--enable",
        "--keyword",
        "[G]",
    )
    ok(sample_db, *open_args("R1"))
    return sample_db


def client_of(db: Path, reference: str) -> str:
    with sqlite3.connect(db) as connection:
        return str(
            connection.execute(
                "SELECT c.code FROM request r JOIN client c ON c.id = r.client_id "
                "WHERE r.reference = ?",
                (reference,),
            ).fetchone()[0]
        )


@pytest.mark.parametrize(
    "args",
    [
        ["request", "update", "R1", "--contract", "K9"],
        ["request", "update", "R1", "--contract", "K1", "--client", "GLOBEX"],
    ],
    ids=["contract", "client"],
)
def test_one_field_never_hands_a_request_over(moving: Path, args: list[str]) -> None:
    result = refused(moving, args, 1, "request R1 is client ACME's: ")
    assert "would hand it over to client GLOBEX" in result.stderr
    assert "hint: to hand it over on purpose: alertctl request update R1 ... --move" in (
        result.stderr
    )
    assert client_of(moving, "R1") == "ACME"


def test_a_move_asked_for_is_said_recorded_and_alerts_the_new_client_only(moving: Path) -> None:
    moved = ok(moving, "request", "update", "R1", "--contract", "K9", "--move")
    assert "warning: request R1 moved from client ACME to client GLOBEX" in moved.stderr
    assert client_of(moving, "R1") == "GLOBEX"
    shown = json.loads(ok(moving, "request", "show", "R1", "--json").stdout)
    assert shown["saves"][-1]["changes"]["client"] == ["ACME", "GLOBEX"]
    assert shown["saves"][-1]["changes"]["contract"] == ["K1", "K9"]
    resolved = json.loads(
        ok(moving, "request", "update", "R1", "--status", "RESOLVED", "--json").stdout
    )
    # alice (ACME, linked to K1) hears no more of it; erin (GLOBEX) does, and jdu, a
    # collaborator linked to the product, hears of every client.
    assert {(a["kind"], a["code"]) for a in resolved["alerts"]} == {
        ("contact", "erin"),
        ("collaborator", "jdu"),
    }


def test_a_move_keeps_nothing_of_the_first_client(moving: Path) -> None:
    ok(moving, "request", "update", "R1", "--site", "LYON")
    refused(
        moving,
        ["request", "update", "R1", "--contract", "K9", "--move"],
        1,
        "the request's site is not a site of client 'GLOBEX'",
    )
    ok(moving, "request", "update", "R1", "--contract", "K9", "--site", "", "--move")
    assert client_of(moving, "R1") == "GLOBEX"


def test_a_beneficiary_is_no_move(moving: Path) -> None:
    # GLOBEX benefits from K1: its request stays its own on K1.
    ok(moving, "request", "open", "R2", "--contract", "K9", "--title", "T")
    ok(moving, "request", "update", "R2", "--contract", "K1")
    assert client_of(moving, "R2") == "GLOBEX"


def test_a_feed_moves_a_request_only_when_its_line_says_so(moving: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"reference": "R1", "contract": "K9"})
        + "\n"
        + json.dumps({"reference": "R1", "contract": "K9", "move": "yes"})
        + "\n"
        + json.dumps({"reference": "R1", "contract": "K9", "move": True})
        + "\n"
    )
    result = invoke(moving, "request", "ingest", str(feed))
    assert result.exit_code == 1, str(result)
    assert "line 1: request R1 is client ACME's" in result.stderr, result.stderr
    assert "line 2: field 'move' must be true or false" in result.stderr, result.stderr
    assert client_of(moving, "R1") == "GLOBEX"
