"""`alertctl db purge` and `[retention]`: old delivered messages and old closed requests go for
good; nothing that is not yet delivered is touched."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import database_bytes, ok, refused

SAMPLE = Path(__file__).resolve().parents[2] / "sample-data"
FEED = SAMPLE / "saves.jsonl"


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    """The demo's setup (sample-data/setup.batch), which the sample feed is written for."""
    ok(db_path, "batch", str(SAMPLE / "setup.batch"))
    return db_path


def aged(db: Path, days: int) -> None:
    """Move every time of the outbox and the requests `days` into the past."""
    with sqlite3.connect(db) as connection:
        for table, columns in {
            "alert": ("created_at", "sent_at"),
            "request": ("created_at", "updated_at"),
            "alert_attempt": ("finished_at",),
        }.items():
            for column in columns:
                connection.execute(
                    f"UPDATE {table} SET {column} = datetime({column}, '-{days} days') "
                    f"WHERE {column} IS NOT NULL"
                )


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def settings(**retention: int) -> None:
    lines = "".join(f"{key} = {value}\n" for key, value in retention.items())
    Path("alertctl.toml").write_text("[retention]\n" + lines)


def delivered_feed(db: Path) -> None:
    ok(db, "request", "ingest", str(FEED))
    ok(db, "alerts", "send")


def test_old_delivered_messages_go_and_the_counts_stay(demo_db: Path) -> None:
    delivered_feed(demo_db)
    subject = rows(demo_db, "SELECT subject FROM alert WHERE channel = 'email' LIMIT 1")[0][0]
    aged(demo_db, 100)
    stats = json.loads(ok(demo_db, "alerts", "stats", "--json").stdout)
    settings(delivered_days=90)
    done = ok(demo_db, "db", "purge")
    sent = rows(demo_db, "SELECT count(*) FROM alert WHERE status = 'sent'")[0][0]
    assert done.stderr == (
        f"removed the messages of {sent} delivered or cancelled alerts older than 90 days\n"
    )
    left = rows(
        demo_db,
        "SELECT count(*) FROM alert WHERE address != '' OR subject != '' OR text_body != '' "
        "OR raw_message IS NOT NULL OR html_body IS NOT NULL",
    )
    assert left == [(0,)]
    assert rows(demo_db, "SELECT count(*) FROM alert_attempt WHERE reply IS NOT NULL") == [(0,)]
    assert json.loads(ok(demo_db, "alerts", "stats", "--json").stdout) == stats
    # Gone from the file itself, not only from the rows.
    assert str(subject).encode() not in b"".join(database_bytes(demo_db).values())
    # Applied again, there is nothing left to remove.
    again = ok(demo_db, "db", "purge")
    assert again.stderr.startswith("removed the messages of 0 delivered")


def test_nothing_not_yet_delivered_is_touched(demo_db: Path) -> None:
    ok(demo_db, "request", "ingest", str(FEED))  # queued, never sent
    aged(demo_db, 1000)
    settings(delivered_days=1, closed_requests_days=1)
    before = rows(demo_db, "SELECT id, address, subject, raw_message FROM alert ORDER BY id")
    done = ok(demo_db, "db", "purge")
    assert "removed the messages of 0 delivered" in done.stderr
    assert "removed 0 closed requests" in done.stderr  # DEM-1 is closed, its alerts unsent
    assert rows(demo_db, "SELECT id, address, subject, raw_message FROM alert ORDER BY id") == (
        before
    )


def test_old_closed_requests_go_with_everything_they_hold(demo_db: Path) -> None:
    delivered_feed(demo_db)
    aged(demo_db, 800)
    ok(demo_db, "request", "update", "DEM-3", "--title", "Recent")  # a fresh, open request
    settings(delivered_days=90, closed_requests_days=730)
    before = database_bytes(demo_db)
    dry = ok(demo_db, "--dry-run", "db", "purge")
    assert "would remove 1 closed request older than 730 days" in dry.stderr
    assert database_bytes(demo_db) == before
    done = ok(demo_db, "db", "purge")
    assert "removed 1 closed request older than 730 days, with 5 saves" in done.stderr
    references = rows(demo_db, "SELECT reference FROM request ORDER BY reference")
    assert references == [("DEM-2",), ("DEM-3",)]
    orphans = rows(
        demo_db,
        "SELECT (SELECT count(*) FROM alert WHERE request_id NOT IN (SELECT id FROM request))"
        " + (SELECT count(*) FROM request_save WHERE request_id NOT IN (SELECT id FROM request))"
        " + (SELECT count(*) FROM alert_attempt WHERE alert_id NOT IN (SELECT id FROM alert))",
    )
    assert orphans == [(0,)]


def test_purge_without_retention_and_a_retention_that_contradicts_itself_are_refused(
    demo_db: Path,
) -> None:
    refused(demo_db, ["db", "purge"], 1, "no [retention] in the settings")
    settings(delivered_days=90, closed_requests_days=30)
    refused(demo_db, ["db", "purge"], 1, "")
    settings(delivered_days=0)
    refused(demo_db, ["db", "purge"], 1, "")


def test_the_watcher_applies_retention_when_it_starts(demo_db: Path) -> None:
    from tests.services.test_watch import watching

    delivered_feed(demo_db)
    aged(demo_db, 100)
    settings(delivered_days=90)
    with watching(demo_db) as watcher:
        line = watcher.expect(lambda line: " retention: " in line)
        assert watcher.stop() == 0
    sent = rows(demo_db, "SELECT count(*) FROM alert WHERE status = 'sent'")[0][0]
    assert line.split(" ", 1)[1] == (
        f"retention: removed the messages of {sent} delivered alert(s), and 0 closed "
        "request(s) with 0 alert(s)\n"
    )
    assert rows(demo_db, "SELECT count(*) FROM alert WHERE raw_message IS NOT NULL") == [(0,)]


def test_a_client_whose_requests_are_gone_can_be_removed(db_path: Path) -> None:
    ok(db_path, "client", "add", "GONE")
    ok(db_path, "contract", "add", "KG", "--client", "GONE")
    ok(db_path, "request", "open", "G-1", "--contract", "KG", "--title", "T")
    refused(db_path, ["client", "remove", "GONE", "--yes"], 1, "client 'GONE' is still")
    ok(db_path, "request", "update", "G-1", "--status", "CLOSED")
    aged(db_path, 800)
    settings(delivered_days=90, closed_requests_days=730)
    assert "removed 1 closed request" in ok(db_path, "db", "purge").stderr
    ok(db_path, "contract", "remove", "KG", "--yes")
    ok(db_path, "client", "remove", "GONE", "--yes")
