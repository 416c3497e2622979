"""How a feed's line is told from a replay: a replayed file changes nothing, a new save is
always applied, a bad line (bytes, time, id) fails alone."""

import json
import sqlite3
from pathlib import Path

from tests.cli.test_ingest import write_feed
from tests.helpers import invoke, ok, refused

OPEN = {"reference": "R1", "contract": "K1", "title": "Printer", "external_description": "Jams"}


def status_of(db: Path, reference: str) -> str:
    return str(json.loads(ok(db, "request", "show", reference, "--json").stdout)["status"]["code"])


def events(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT events FROM request_save ORDER BY id").fetchall()
    return [r[0] for r in rows]


def test_the_same_line_in_another_file_is_a_new_save(sample_db: Path, tmp_path: Path) -> None:
    lines = [OPEN, {"reference": "R1", "status": "RESOLVED"}, {"reference": "R1", "status": "WIP"}]
    lines.append({"reference": "R1", "status": "RESOLVED"})
    for number, line in enumerate(lines):
        feed = write_feed(tmp_path / f"feed{number}.jsonl", [line])
        result = ok(sample_db, "request", "ingest", str(feed))
        assert result.stderr.startswith("1 save applied, 0 already applied"), str(result)
    assert status_of(sample_db, "R1") == "RESOLVED"
    assert events(sample_db) == [
        "open",
        "resolution,status_change",
        "status_change",
        "resolution,status_change",
    ]


def test_a_replayed_file_changes_nothing(sample_db: Path, tmp_path: Path) -> None:
    lines = [OPEN, {"reference": "R1", "status": "RESOLVED"}, {"reference": "R1", "status": "WIP"}]
    feed = write_feed(tmp_path / "feed.jsonl", [*lines, {"reference": "R1", "status": "RESOLVED"}])
    ok(sample_db, "request", "ingest", str(feed))
    again = ok(sample_db, "request", "ingest", str(feed))
    assert again.stderr == ("0 saves applied, 4 already applied, 0 alerts queued, 0 lines failed\n")
    assert len(events(sample_db)) == 4


def test_a_line_with_a_time_is_the_same_save_in_any_file(sample_db: Path, tmp_path: Path) -> None:
    timed = {**OPEN, "time": "2026-11-02T09:00:00Z"}
    ok(sample_db, "request", "ingest", str(write_feed(tmp_path / "a.jsonl", [timed])))
    other = write_feed(tmp_path / "b.jsonl", [timed, {"reference": "R1", "status": "WIP"}])
    result = ok(sample_db, "request", "ingest", str(other))
    assert result.stderr.startswith("1 save applied, 1 already applied"), str(result)


def test_an_empty_save_id_is_refused(sample_db: Path, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", [{**OPEN, "save_id": ""}, OPEN])
    result = invoke(sample_db, "request", "ingest", str(feed))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "error: line 1: the save id is empty"
    assert "1 save applied" in result.stderr
    refused(
        sample_db,
        ["request", "update", "R1", "--status", "WIP", "--save-id", " "],
        1,
        "the save id is empty",
    )


def test_a_line_that_is_not_utf8_fails_alone(sample_db: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(
        json.dumps(OPEN).encode()
        + b'\n{"reference": "R1", "title": "caf\xe9"}\n'
        + json.dumps({"reference": "R1", "status": "WIP"}).encode()
        + b"\n"
    )
    result = invoke(sample_db, "request", "ingest", str(feed))
    assert result.exit_code == 1, str(result)
    assert result.stderr.splitlines()[0] == "error: line 2: not UTF-8: byte 0xe9 at column 34"
    assert result.stderr.endswith(
        "2 saves applied, 0 already applied, 2 alerts queued, 1 line failed\n"
    )
    assert status_of(sample_db, "R1") == "WIP"


def test_a_missing_database_is_one_error(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", [OPEN, OPEN, OPEN])
    result = invoke(tmp_path / "missing.db", "request", "ingest", str(feed))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: no database at {tmp_path / 'missing.db'}",
        "hint: alertctl init",
    ]


def test_times_without_an_offset_or_before_the_opening_are_refused(
    sample_db: Path, tmp_path: Path
) -> None:
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [
            {**OPEN, "time": "2026-11-02T09:00:00Z"},
            {"reference": "R1", "status": "WIP", "time": "2026-11-02T10:00:00"},
            {"reference": "R1", "status": "WIP", "time": "2026-11-01T10:00:00+01:00"},
        ],
    )
    result = invoke(sample_db, "request", "ingest", str(feed))
    assert result.stderr.splitlines()[:2] == [
        "error: line 2: field 'time' '2026-11-02T10:00:00' has no UTC offset: add Z or one "
        "such as +01:00",
        "error: line 3: the save's time 2026-11-01T10:00:00+01:00 is before request R1 was "
        "opened (2026-11-02T09:00:00+00:00)",
    ]
