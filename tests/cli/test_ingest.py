import json
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.helpers import invoke, ok

FEED = [
    {
        "reference": "R1",
        "contract": "K1",
        "product": "ERP",
        "title": "Printer",
        "external_description": "It jams",
        "time": "2026-11-02T09:00:00Z",
    },
    {"reference": "R1", "status": "WIP", "time": "2026-11-02T10:00:00Z"},
    {"reference": "R1", "status": "RESOLVED", "time": "2026-11-02T11:00:00Z"},
    {"reference": "R1", "status": "WIP"},
    {"reference": "R1", "status": "RESOLVED"},
    {"reference": "R2", "contract": "K1", "title": "No description yet", "save_id": "desk-77"},
]


def write_feed(path: Path, rows: Sequence[object], extra: Sequence[str] = ()) -> Path:
    lines = [json.dumps(r) for r in rows] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_ingesting_a_feed_then_the_same_feed_again(sample_db: Path, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "saves.jsonl", FEED)
    first = ok(sample_db, "request", "ingest", str(feed), "--json")
    assert json.loads(first.stdout) == {
        "saves": 6,
        "replayed": 0,
        "alerts": 9,
        "failures": [],
        "faults": [],
    }
    # The same save repeated in a feed (RESOLVED twice) is two saves: resolution fires twice.
    assert count(sample_db, "alert") == 9
    second = ok(sample_db, "request", "ingest", str(feed), "--json")
    assert json.loads(second.stdout) == {
        "saves": 0,
        "replayed": 6,
        "alerts": 0,
        "failures": [],
        "faults": [],
    }
    assert second.stderr.endswith(
        "0 saves applied, 6 already applied, 0 alerts queued, 0 lines failed\n"
    )
    assert count(sample_db, "alert") == 9
    assert count(sample_db, "request_save") == 6
    shown = json.loads(ok(sample_db, "request", "show", "R1", "--json").stdout)
    assert shown["saves"][0]["saved_at"] == "2026-11-02T09:00:00+00:00"


def test_bad_lines_are_reported_and_do_not_stop_the_others(sample_db: Path, tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "mixed.jsonl",
        [FEED[0], {"reference": "R1", "status": "NOPE"}, {"reference": "R1", "status": "WIP"}],
        extra=[
            "{not json",
            '["a list"]',
            '{"reference": "R1", "colour": "red"}',
            '{"reference": "R5", "contract": "K1", "site": "SPRINGFIELD", "title": "T"}',
            '{"reference": "R1", "time": "yesterday", "status": "RESOLVED"}',
        ],
    )
    result = invoke(sample_db, "request", "ingest", str(feed))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: line 2: unknown status 'NOPE'",
        "error: line 4: not JSON: Expecting property name enclosed in double quotes at column 2",
        "error: line 5: not a JSON object",
        "error: line 6: unknown field 'colour'",
        "error: line 7: site 'SPRINGFIELD' is not a site of client 'ACME'",
        "error: line 8: field 'time' is not an ISO 8601 time: 'yesterday'",
        "2 saves applied, 0 already applied, 3 alerts queued, 6 lines failed",
    ]
    assert count(sample_db, "request") == 1
    assert count(sample_db, "request_save") == 2


def test_ingest_reads_standard_input(sample_db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    stdin = io.TextIOWrapper(io.BytesIO((json.dumps(FEED[0]) + "\n").encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    result = ok(sample_db, "request", "ingest", "-")
    assert result.stderr == "1 save applied, 0 already applied, 3 alerts queued, 0 lines failed\n"


def test_ingest_of_a_missing_file(sample_db: Path) -> None:
    result = invoke(sample_db, "request", "ingest", "nowhere.jsonl")
    assert (result.exit_code, result.stderr) == (1, "error: no file nowhere.jsonl\n")


def test_each_hostile_line_fails_alone(sample_db: Path, tmp_path: Path) -> None:
    """Whatever a line holds, it fails alone, with its number, and the lines after it apply."""
    deep = '{"reference": "R1", "title": ' + "[" * 40_000 + "]" * 40_000 + "}"
    feed = write_feed(
        tmp_path / "hostile.jsonl",
        [FEED[0]],
        extra=[
            '{"reference": "R1", "status": "WIP", "time": "9999-12-31T23:59:59-23:59"}',
            deep,
            '{"reference": "R1", "title": "half a character \\ud800"}',
            '{"reference": "R1", "status": "WIP", "time": "9000-01-01T00:00:00Z"}',
            '{"reference": "R1", "status": "WIP", "time": "1900-01-01T00:00:00Z"}',
            json.dumps({"reference": "R1", "status": "WIP", "time": "2026-11-02T09:30:00Z"}),
        ],
    )
    result = invoke(sample_db, "request", "ingest", str(feed))
    assert result.exit_code == 1, str(result)
    assert result.stderr.splitlines() == [
        "error: line 2: field 'time' '9999-12-31T23:59:59-23:59' is out of range: from 2000 to "
        "one day from now",
        "error: line 3: not a save: nested too deeply",
        "error: line 4: field 'title' holds a lone surrogate (such as \\ud800): not text",
        "error: line 5: field 'time' '9000-01-01T00:00:00Z' is out of range: from 2000 to one "
        "day from now",
        "error: line 6: field 'time' '1900-01-01T00:00:00Z' is out of range: from 2000 to one "
        "day from now",
        "2 saves applied, 0 already applied, 3 alerts queued, 5 lines failed",
    ]


def test_a_line_too_long_is_refused_before_it_is_read_whole(sample_db: Path) -> None:
    """From a pipe, a 20 MB line is refused (read no further than its start, so in linear time
    and bounded memory), and the good lines around it apply."""
    good = json.dumps(FEED[0]).encode()
    huge = b'{"reference": "R1", "title": "' + b"x" * 20_000_000 + b'"}'
    later = json.dumps({"reference": "R1", "status": "WIP"}).encode()
    command = [sys.executable, "-m", "alertctl", "--db", str(sample_db), "request", "ingest", "-"]
    done = subprocess.run(
        command, input=b"\n".join([good, huge, later]) + b"\n", capture_output=True, timeout=300
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == [
        "error: line 2: line too long: over 400,000 bytes, at most 100,000 characters",
        "2 saves applied, 0 already applied, 3 alerts queued, 1 line failed",
    ]
