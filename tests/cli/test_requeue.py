"""After an outage or a mistake: every waiting alert due now (narrowed if need be), every dead
one again, and a delivered alert sent again as a new alert that names the first."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import database_bytes, ok, refused

SAMPLE = Path(__file__).resolve().parents[2] / "sample-data"


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    ok(db_path, "batch", str(SAMPLE / "setup.batch"))
    ok(db_path, "request", "ingest", str(SAMPLE / "saves.jsonl"))
    return db_path


def statuses(db: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT status, channel, count(*) FROM alert GROUP BY status, channel"
        ).fetchall()
    return {(status, channel): count for status, channel, count in rows}


def waiting(db: Path, where: str = "1 = 1") -> None:
    """As an outage leaves them: to be tried again in an hour, one attempt spent."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE alert SET status = 'retry', attempts = 1, "
            f"next_attempt_at = datetime('now', '+1 hour') WHERE {where}"
        )


def test_every_waiting_alert_is_due_now_and_keeps_its_attempts(demo_db: Path) -> None:
    waiting(demo_db)
    assert ok(demo_db, "alerts", "send").stderr == "alerts: nothing due\n"
    fax = ok(demo_db, "alerts", "retry", "--waiting", "--channel", "fax")
    assert fax.stderr == "1 alert due again: alertctl alerts send\n"
    assert statuses(demo_db)[("pending", "fax")] == 1
    rest = ok(demo_db, "alerts", "retry", "--waiting")
    assert rest.stderr == "13 alerts due again: alertctl alerts send\n"
    with sqlite3.connect(demo_db) as connection:
        assert connection.execute("SELECT DISTINCT attempts FROM alert").fetchall() == [(1,)]
    ok(demo_db, "alerts", "send")
    assert statuses(demo_db) == {("sent", "email"): 13, ("sent", "fax"): 1}


def test_dead_and_waiting_alerts_narrowed_by_request_and_event(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("UPDATE alert SET status = 'dead', attempts = 8")
        dem1 = connection.execute(
            "SELECT count(*) FROM alert a JOIN request r ON r.id = a.request_id "
            "WHERE r.reference = 'DEM-1' AND a.event = 'open'"
        ).fetchone()[0]
    done = ok(demo_db, "alerts", "retry", "--dead", "--request", "DEM-1", "--event", "open")
    assert (
        done.stderr == f"{dem1} alert{'s' if dem1 != 1 else ''} due again: alertctl alerts send\n"
    )
    with sqlite3.connect(demo_db) as connection:
        assert (
            connection.execute(
                "SELECT count(*) FROM alert WHERE status = 'pending' AND attempts = 0"
            ).fetchone()[0]
            == dem1
        )


def test_bad_retries_are_refused_and_change_nothing(demo_db: Path) -> None:
    refused(demo_db, ["alerts", "retry"], 1, "give an alert id, or --dead and/or --waiting")
    refused(demo_db, ["alerts", "retry", "1", "--dead"], 1, "give an alert id, or --dead")
    refused(demo_db, ["alerts", "retry", "1", "--channel", "fax"], 1, "--channel, --request")
    refused(demo_db, ["alerts", "retry", "1"], 1, "alert 1 is pending")


def test_a_delivered_alert_is_sent_again_as_a_copy_that_names_it(demo_db: Path) -> None:
    ok(demo_db, "alerts", "send")
    first = json.loads(ok(demo_db, "alerts", "show", "1", "--json").stdout)
    done = ok(demo_db, "alerts", "resend", "1")
    assert done.stderr == "alert 15 queued: a copy of alert 1, due now (alertctl alerts send)\n"
    ok(demo_db, "alerts", "send")
    copy = json.loads(ok(demo_db, "alerts", "show", "15", "--json").stdout)
    assert copy["copy_of"] == 1 and "copy_of" not in first
    assert copy["status"] == "sent"
    for same in ("request", "event", "kind", "code", "channel", "address", "subject", "text"):
        assert copy[same] == first[same], same
    assert copy["message_id"] != first["message_id"]
    shown = ok(demo_db, "alerts", "show", "15").stdout.splitlines()
    assert [line.split() for line in shown if line.startswith("Copy of")] == [
        ["Copy", "of", "alert", "1"]
    ]
    ok(demo_db, "alerts", "resend", "1")  # a second copy has a key of its own
    before = database_bytes(demo_db)
    refused(demo_db, ["alerts", "resend", "99"], 1, "unknown alert 99")
    assert database_bytes(demo_db) == before
    refused(demo_db, ["alerts", "resend", "16"], 1, "alert 16 is pending")
