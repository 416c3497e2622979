"""The watcher releases held alerts when their hold ends, neither before nor forgotten: a
status change coalescing for two minutes goes out at its time, with nothing else to wake the
watcher (docs/rules.md, "Holding alerts")."""

import json
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alertctl.db.engine import Database
from alertctl.services.saves.ingest import ingest
from tests.helpers import ok
from tests.services.test_delivery import settings_file
from tests.services.test_watch import Watcher, wait_for
from tests.smtp_server import Handler


def _feed(db: Path, **save: object) -> None:
    line = {"reference": "R1", "contract": "K1", "product": "ERP", **save}
    assert not ingest(Database(str(db)), [json.dumps(line)]).failures


def _jdu(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT a.event, a.status, a.held_until, a.sent_at FROM alert a "
            "JOIN person p ON p.id = a.person_id WHERE p.code = 'jdu' ORDER BY a.id"
        ).fetchall()


def test_the_watcher_releases_a_hold_when_it_ends(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    ok(
        sample_db,
        "client",
        "alerts",
        "ACME",
        "-e",
        "status_change",
        "--enable",
        "--keyword",
        "[ACME]",
    )
    watcher = Watcher(sample_db)
    opened_at = datetime.now(UTC) - timedelta(minutes=10)
    _feed(sample_db, title="Printer", external_description="Down", time=opened_at.isoformat())
    watcher.expect(lambda line: " batch: " in line)
    # Saved as if 110 seconds ago: it coalesces until 10 seconds from now.
    changed_at = datetime.now(UTC) - timedelta(seconds=110)
    _feed(sample_db, status="WIP", time=changed_at.isoformat())
    (_, _, held_until, _) = _jdu(sample_db)[1]
    assert datetime.fromisoformat(held_until).replace(tzinfo=UTC) == changed_at + timedelta(
        minutes=2
    )
    wait_for(lambda: _jdu(sample_db)[1][1] == "sent", "the change, released and sent")
    assert watcher.stop(signal.SIGTERM) == 0
    (_, _, _, sent_at) = _jdu(sample_db)[1]
    assert datetime.fromisoformat(sent_at).replace(tzinfo=UTC) >= changed_at + timedelta(minutes=2)
    to_jdu = [m for m in handler.received if "jdu@support.example" in m.rcpt_tos]
    assert len(to_jdu) == 2
