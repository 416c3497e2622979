"""`alertctl db backup`: a consistent, checked, private copy, even while a watcher delivers."""

import os
import sqlite3
import stat
from pathlib import Path

from tests.helpers import database_bytes, invoke, ok, refused
from tests.services.test_delivery import queue as queue_alerts
from tests.services.test_delivery import settings_file, statuses
from tests.services.test_watch import open_request, wait_for, watching
from tests.smtp_server import Handler


def test_a_backup_is_a_private_copy_that_reads_as_the_database(
    sample_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    done = ok(sample_db, "db", "backup", str(copy))
    assert f"backed up {sample_db} to {copy}" in done.stderr
    assert "integrity ok" in done.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".copy.db.*")), "no temporary file is left behind"
    # The copy is a database of its own: alertctl reads it like the original.
    assert ok(copy, "client", "list").stdout == ok(sample_db, "client", "list").stdout
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_backup_taken_while_a_watcher_delivers_is_consistent(
    sample_db: Path, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, "a@acme.example")  # one alert queued, and one for each request
    with sqlite3.connect(sample_db) as connection:
        before = connection.execute("SELECT count(*) FROM request").fetchone()[0]
    copies = []
    with watching(sample_db) as watcher:
        for number in range(12):
            open_request(sample_db, f"B{number}")
            copy = tmp_path / f"copy-{number}.db"
            ok(sample_db, "db", "backup", str(copy))
            copies.append(copy)
        wait_for(lambda: statuses(sample_db).keys() == {"sent"}, "every alert sent")
        assert watcher.stop() == 0
    assert handler.received
    for number, copy in enumerate(copies):
        with sqlite3.connect(copy) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            # Each copy holds the requests opened before it, each with its whole save: a
            # request, its record and its alerts, never a part of them.
            requests = connection.execute("SELECT count(*) FROM request").fetchone()[0]
            assert requests == before + number + 1
            orphans = connection.execute(
                "SELECT count(*) FROM request r WHERE NOT EXISTS "
                "(SELECT 1 FROM request_save s WHERE s.request_id = r.id)"
            ).fetchone()[0]
            assert orphans == 0


def test_a_backup_never_overwrites_and_a_dry_run_writes_nothing(
    sample_db: Path, tmp_path: Path
) -> None:
    existing = tmp_path / "old.db"
    existing.write_bytes(b"an older copy")
    refused(sample_db, ["db", "backup", str(existing)], 1, "a backup never overwrites a file")
    assert existing.read_bytes() == b"an older copy"
    refused(sample_db, ["db", "backup", str(sample_db)], 1, "a backup never overwrites a file")
    refused(sample_db, ["db", "backup", str(tmp_path / "no" / "x.db")], 1, "cannot write")
    before = database_bytes(sample_db)
    dry = ok(sample_db, "--dry-run", "db", "backup", str(tmp_path / "new.db"))
    assert "would back up" in dry.stderr
    others = [name for name in os.listdir(tmp_path) if not name.startswith(sample_db.name)]
    assert others == ["old.db"]
    assert database_bytes(sample_db) == before


def test_postgresql_is_pointed_at_pg_dump(tmp_path: Path) -> None:
    done = invoke("postgresql+psycopg://nobody@127.0.0.1:1/none", "db", "backup", "x.db")
    assert done.exit_code == 1
    assert "pg_dump" in done.stderr
    assert not (tmp_path / "x.db").exists()
