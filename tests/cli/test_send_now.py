"""`request open|update|ingest --send`: a save delivers its own alerts once committed; a feed
from stdin is applied line by line as it arrives."""

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.test_ingest import FEED, write_feed
from tests.helpers import invoke, ok, open_args
from tests.services.test_delivery import settings_file, statuses
from tests.smtp_server import Handler, free_port

OPEN_R1 = open_args()


def test_open_with_send_delivers_the_saves_alerts(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    result = ok(sample_db, *OPEN_R1, "--send")
    assert result.stderr.endswith("sent at once: 3 sent\n"), str(result)
    assert statuses(sample_db) == {"sent": 3}
    assert len(handler.received) == 3


def test_send_delivers_only_that_saves_alerts(sample_db: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    settings_file(port)
    ok(sample_db, *OPEN_R1)
    ok(sample_db, "request", "update", "R1", "--status", "RESOLVED", "--send")
    with sqlite3.connect(sample_db) as connection:
        rows = dict(connection.execute("SELECT event, status FROM alert GROUP BY event, status"))
    assert rows == {"open": "pending", "resolution": "sent"}
    shown = json.loads(ok(sample_db, "request", "show", "R1", "--json").stdout)
    last_save = shown["saves"][-1]["save_id"]
    assert {str(m.message["X-Alertctl-Key"]).split("/")[0] for m in handler.received} == {last_save}


def test_a_save_stays_saved_when_its_alerts_cannot_be_sent(sample_db: Path) -> None:
    settings_file(free_port())
    result = invoke(sample_db, *OPEN_R1, "--send")
    assert result.exit_code == 3, str(result)
    assert "opened request R1: open; 3 alerts queued" in result.stderr
    assert "cannot connect" in result.stderr
    assert statuses(sample_db) == {"retry": 3}
    assert json.loads(ok(sample_db, "request", "show", "R1", "--json").stdout)["title"] == (
        "Printer"
    )


def test_ingest_with_send_delivers_each_lines_alerts(
    sample_db: Path, smtp: tuple[Handler, int], tmp_path: Path
) -> None:
    handler, port = smtp
    settings_file(port)
    feed = write_feed(tmp_path / "saves.jsonl", FEED)
    result = ok(sample_db, "request", "ingest", str(feed), "--send")
    assert "9 alerts queued" in result.stderr
    assert result.stderr.endswith("sent at once: 9 sent\n"), str(result)
    assert statuses(sample_db) == {"sent": 9}
    assert len(handler.received) == 9


def test_ingest_from_stdin_applies_each_line_as_it_arrives(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    """The feed stays open between lines: each line's alert reaches the server before the next
    line is written, which can only happen if nothing waits for the end of input."""
    handler, port = smtp
    settings_file(port)
    command = [sys.executable, "-m", "alertctl", "--db", str(sample_db)]
    process = subprocess.Popen(
        [*command, "request", "ingest", "-", "--send"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    for number, row in enumerate((FEED[0], FEED[2]), start=1):
        process.stdin.write(json.dumps(row) + "\n")
        process.stdin.flush()
        deadline = time.monotonic() + 120
        while not _applied_and_delivered(sample_db, handler, saves=number):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the line was not applied while input was open"
            time.sleep(0.02)
    process.stdin.close()
    assert process.wait(timeout=120) == 0, process.stderr.read()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]
    assert statuses(sample_db) == {"sent": len(handler.received)}


def _applied_and_delivered(db: Path, handler: Handler, *, saves: int) -> bool:
    with sqlite3.connect(db) as connection:
        applied = connection.execute("SELECT count(*) FROM request_save").fetchone()[0]
        sent = connection.execute("SELECT count(*) FROM alert WHERE status = 'sent'").fetchone()
        queued = connection.execute("SELECT count(*) FROM alert").fetchone()[0]
    return bool(applied == saves and queued and sent[0] == queued == len(handler.received))
