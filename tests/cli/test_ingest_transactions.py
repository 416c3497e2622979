"""A feed is applied many lines to a transaction, each line in its own savepoint: every line
keeps its own outcome, and a live feed is committed before it waits for its next line."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alertctl.services.saves import ingest
from tests.cli.test_ingest import FEED, count, write_feed
from tests.helpers import invoke, ok


def title_of(db: Path, reference: str) -> str:
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT title FROM request WHERE reference = ?", (reference,))
        return str(row.fetchone()[0])


def test_a_failing_line_rolls_back_itself_only(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "CHUNK_LINES", 4)
    rows = [
        FEED[0],
        # Sets the title, then fails on its status: the title must not change.
        {"reference": "R1", "title": "Renamed", "status": "NOPE", "save_id": "bad"},
        {"reference": "R1", "status": "WIP", "save_id": "s3"},
        {"reference": "R9", "contract": "K1", "title": "Other", "save_id": "s4"},
        {"reference": "R9", "status": "NOPE", "save_id": "s5"},
        {"reference": "R9", "status": "WIP", "save_id": "s6"},
    ]
    result = invoke(sample_db, "request", "ingest", str(write_feed(tmp_path / "f.jsonl", rows)))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "error: line 2: unknown status 'NOPE'",
        "error: line 5: unknown status 'NOPE'",
    ]
    assert title_of(sample_db, "R1") == "Printer"
    assert count(sample_db, "request_save") == 4
    with sqlite3.connect(sample_db) as connection:
        keys = {k for (k,) in connection.execute("SELECT save_key FROM request_save")}
    assert {"s3", "s4", "s6"} <= keys and "bad" not in keys and "s5" not in keys


def test_a_feed_longer_than_a_transaction_then_replayed(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "CHUNK_LINES", 2)
    feed = write_feed(tmp_path / "f.jsonl", FEED)
    first = json.loads(ok(sample_db, "request", "ingest", str(feed), "--json").stdout)
    assert (first["saves"], first["alerts"]) == (6, 9)
    again = json.loads(ok(sample_db, "request", "ingest", str(feed), "--json").stdout)
    assert (again["saves"], again["replayed"], again["alerts"]) == (0, 6, 0)
    assert count(sample_db, "alert") == 9


def test_a_live_feed_is_committed_before_it_waits(sample_db: Path) -> None:
    """Lines written to a pipe are saved while the pipe stays open: nothing is held in an open
    transaction waiting for the next line."""
    env = {**os.environ, "ALERTCTL_DB": str(sample_db)}
    process = subprocess.Popen(
        [sys.executable, "-m", "alertctl", "request", "ingest", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None
    try:
        process.stdin.write((json.dumps(FEED[0]) + "\n").encode())
        process.stdin.flush()
        # A bound for a stuck command, not a measure of speed: the line is expected at once.
        deadline = time.monotonic() + 120
        while count(sample_db, "request_save") == 0:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the line was not committed while stdin was open"
            time.sleep(0.05)
        # Another writer is not locked out while the feed waits.
        ok(sample_db, "client", "add", "INITECH")
        process.stdin.write((json.dumps(FEED[1]) + "\n").encode())
    finally:
        _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert err.decode().endswith(
        "2 saves applied, 0 already applied, 3 alerts queued, 0 lines failed\n"
    )
    assert count(sample_db, "request_save") == 2


def test_save_ids_within_one_transaction(sample_db: Path, tmp_path: Path) -> None:
    """The save ids of a transaction's lines are looked up together, before any is applied:
    a line still sees the saves applied before it in the same transaction, and not a save
    that failed and was rolled back."""
    ok(sample_db, "request", "open", "R0", "--contract", "K1", "--title", "Before")
    with sqlite3.connect(sample_db) as connection:
        (earlier,) = connection.execute("SELECT save_key FROM request_save").fetchone()
    rows = [
        {"reference": "R1", "contract": "K1", "title": "Printer", "save_id": "a"},
        {"reference": "R1", "status": "WIP", "save_id": "a"},  # the same save again
        {"reference": "R2", "contract": "K1", "title": "Other", "save_id": "a"},  # another's id
        {"reference": "R1", "status": "NOPE", "save_id": "b"},  # fails, rolled back
        {"reference": "R1", "status": "WIP", "save_id": "b"},  # so this one is new
        {"reference": "R1", "status": "RESOLVED", "save_id": "b"},  # and this one a replay
        {"reference": "R1", "status": "CLOSED_EXT", "save_id": earlier},  # R0's id
        {"reference": "R3", "contract": "K1", "title": "T", "product": "NOPE", "save_id": "c"},
        {"reference": "R3", "contract": "K1", "title": "T", "save_id": "d"},  # opens R3
        {"reference": "R3", "status": "WIP", "save_id": "e"},
    ]
    feed = write_feed(tmp_path / "f.jsonl", rows)
    result = invoke(sample_db, "request", "ingest", str(feed), "--json")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:4] == [
        "error: line 3: save id 'a' was already used for another request",
        "error: line 4: unknown status 'NOPE'",
        f"error: line 7: save id '{earlier}' was already used for another request",
        "error: line 8: unknown product 'NOPE'",
    ]
    report = json.loads(result.stdout)
    assert (report["saves"], report["replayed"]) == (4, 2)
    with sqlite3.connect(sample_db) as connection:
        saves = connection.execute(
            "SELECT s.save_key, r.reference FROM request_save s JOIN request r"
            " ON r.id = s.request_id ORDER BY s.id"
        ).fetchall()
        status = connection.execute(
            "SELECT st.code FROM request r JOIN status st ON st.id = r.status_id"
            " WHERE r.reference = 'R1'"
        ).fetchone()[0]
    assert saves == [(earlier, "R0"), ("a", "R1"), ("b", "R1"), ("d", "R3"), ("e", "R3")]
    assert status == "WIP"
