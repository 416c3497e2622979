"""A person's data, exported whole or erased for good: after `erase`, their address and name
appear nowhere in the database file or its WAL, and the history keeps its counts and dates."""

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from tests.cli.test_faults import OPEN_R1
from tests.helpers import invoke, ok, refused

ALICE_ADDRESS = b"alice@acme.example"
ALICE_NAME = b"Alice Martin"


def database_files(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def history(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT event, channel, status FROM alert ORDER BY id").fetchall()


def test_export_holds_everything_about_a_person(sample_db: Path) -> None:
    ok(sample_db, *OPEN_R1)
    ok(sample_db, "alerts", "send")
    document = json.loads(ok(sample_db, "contact", "export", "alice").stdout)
    assert {k: document[k] for k in ("kind", "code", "name", "client", "email", "fax")} == {
        "kind": "contact",
        "code": "alice",
        "name": "Alice Martin",
        "client": "ACME",
        "email": "alice@acme.example",
        "fax": "+33145000001",
    }
    assert document["sites"] == ["PARIS"]
    assert document["reception"] == {"email": True, "fax": True}
    assert document["alerts_opted_in"] == ["open", "resolution"]
    assert document["language"] is None
    assert document["links"] == ["contract:K1"]
    assert [(a["event"], a["channel"], a["status"]) for a in document["alerts"]] == [
        ("open", "email", "sent"),
        ("open", "fax", "sent"),
    ]
    sent = document["alerts"][0]
    assert "Alice Martin" in sent["text"]
    assert sent["message"].startswith("From: ")
    assert sent["attempts"][0]["outcome"] == "sent"
    ok(sample_db, "collaborator", "update", "jdu", "--language", "en")
    collaborator = json.loads(ok(sample_db, "collaborator", "export", "jdu").stdout)
    assert collaborator["client"] is None and len(collaborator["alerts"]) == 1
    assert collaborator["language"] == "en"


def test_erase_leaves_no_trace_and_keeps_the_history(sample_db: Path) -> None:
    ok(sample_db, *OPEN_R1, "--requester", "alice")
    ok(sample_db, "alerts", "send")
    ok(sample_db, "request", "update", "R1", "--status", "RESOLVED")  # queued, not sent
    before = history(sample_db)
    assert ALICE_ADDRESS in database_files(sample_db)
    result = ok(sample_db, "contact", "erase", "alice", "--yes")
    assert result.stderr == (
        "erased contact alice: 4 alerts kept without their data (2 not sent yet, cancelled), "
        "0 faults, 1 save record\n"
    )
    files = database_files(sample_db)
    assert ALICE_ADDRESS not in files
    assert ALICE_NAME not in files
    assert b"+33145000001" not in files
    after = history(sample_db)
    assert len(after) == len(before)
    assert [(e, c) for e, c, _ in after] == [(e, c) for e, c, _ in before]
    with sqlite3.connect(sample_db) as connection:
        kept = connection.execute(
            "SELECT person_id IS NULL, status FROM alert ORDER BY person_id IS NULL, id"
        ).fetchall()
    assert kept == [
        (0, "sent"),  # jdu's open
        (0, "pending"),  # jdu's resolution
        (1, "sent"),  # alice's open, by e-mail
        (1, "sent"),  # and by fax
        (1, "cancelled"),  # alice's resolution, not sent: it can no longer go anywhere
        (1, "cancelled"),
    ]
    listed = json.loads(ok(sample_db, "alerts", "list", "--json").stdout)
    erased = [a for a in listed if a["kind"] == "(erased)"]
    assert len(erased) == 4
    assert {(a["code"], a["address"]) for a in erased} == {("-", "")}
    shown = json.loads(ok(sample_db, "request", "show", "R1", "--json").stdout)
    assert shown["requester"] is None
    assert shown["saves"][0]["changes"]["requester"] == [None, "(erased)"]
    refused(sample_db, ["contact", "show", "alice"], 1, "unknown contact 'alice'")


def test_erase_asks_first_and_refuses_unknown_people(sample_db: Path) -> None:
    result = invoke(sample_db, "contact", "erase", "alice")
    assert result.exit_code == 1
    assert "--yes" in result.stderr
    assert ok(sample_db, "contact", "show", "alice")
    refused(sample_db, ["collaborator", "erase", "nobody", "--yes"], 1, "unknown collaborator")


def test_erase_waits_for_an_alert_being_sent(sample_db: Path) -> None:
    ok(sample_db, *OPEN_R1)
    with sqlite3.connect(sample_db) as connection:
        connection.execute("UPDATE alert SET status = 'sending' WHERE address LIKE 'alice%'")
    connection.close()
    refused(
        sample_db,
        ["contact", "erase", "alice", "--yes"],
        1,
        "1 alert to contact alice being sent right now",
    )


def test_erase_waits_for_a_reader_before_it_empties_the_wal(sample_db: Path) -> None:
    """A reader holding an old snapshot (a sender between two queries) keeps the WAL's old
    pages alive: the erase waits for it, then leaves no copy anywhere."""
    import threading

    ok(sample_db, *OPEN_R1)
    ok(sample_db, "alerts", "send")
    reader = sqlite3.connect(sample_db, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM alert").fetchone()
    release = threading.Timer(1.0, lambda: reader.execute("COMMIT"))
    release.start()
    try:
        result = ok(sample_db, "contact", "erase", "alice", "--yes")
    finally:
        release.join()
        reader.close()
    assert "remain" not in result.stderr
    files = database_files(sample_db)
    assert ALICE_ADDRESS not in files and ALICE_NAME not in files


def test_a_copy_left_in_unused_space_is_said_and_db_vacuum_clears_it(sample_db: Path) -> None:
    """An erase does not rebuild the file (a large one would take long): it reads it through,
    and says so when a copy is left where no alertctl write zeroed it."""
    ok(sample_db, *OPEN_R1)
    with closing(sqlite3.connect(sample_db)) as connection:  # a write without secure_delete
        connection.execute("PRAGMA secure_delete = OFF")
        connection.execute(
            "UPDATE person SET name = name || ', written at length elsewhere in the page' "
            "WHERE code = 'alice'"
        )
        connection.commit()
    result = ok(sample_db, "contact", "erase", "alice", "--yes")
    assert result.stderr.endswith(
        "warning: copies of contact alice's data remain in the database's unused space: "
        "alertctl db vacuum clears them (see the README, Privacy)\n"
    )
    assert ALICE_NAME in database_files(sample_db)
    assert ok(sample_db, "--dry-run", "db", "vacuum").stderr.startswith("would rebuild ")
    assert ALICE_NAME in database_files(sample_db)
    assert "no old copy is left" in ok(sample_db, "db", "vacuum").stderr
    files = database_files(sample_db)
    assert ALICE_NAME not in files and ALICE_ADDRESS not in files


def test_export_names_the_requests_whose_history_names_the_person(
    sample_db: Path, tmp_path: Path
) -> None:
    ok(sample_db, *OPEN_R1, "--requester", "alice")
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"reference": "R1", "requester": "bruno"}\n')
    ok(sample_db, "request", "ingest", str(feed))
    exported = json.loads(ok(sample_db, "contact", "export", "alice").stdout)
    assert exported["requested"] == []  # no longer the requester
    assert exported["named_in_history"] == ["R1"]  # but the history says she was
    bruno = json.loads(ok(sample_db, "contact", "export", "bruno").stdout)
    assert (bruno["requested"], bruno["named_in_history"]) == (["R1"], ["R1"])
