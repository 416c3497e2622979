"""The mails a person gets do not depend on when the sender runs (docs/rules.md, "Holding
alerts"): one feed whose changes all lie in the past, released by a sender on time, by one that
comes late (after an outage, from cron), and by one killed with SIGKILL in the middle and then
run again, gives the same messages; and the forecast predicts them."""

import json
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alertctl.db.engine import Database
from alertctl.domain.model import Event
from alertctl.services.configuration import clients
from alertctl.services.holds.release import release
from alertctl.services.operations.setup import init
from alertctl.services.saves.ingest import ingest
from tests.helpers import ok
from tests.sample import build_sample
from tests.services.test_delivery import settings_file
from tests.smtp_server import Handler, Hold

START = datetime(2026, 6, 1, 12, tzinfo=UTC)
LATE = START + timedelta(days=2)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


# jdu (interlocutor of the product ERP) gets every event of both requests. R1 changes three
# times; R2 changes and changes back, half a minute after: two holds ending at two moments.
# Then R1 changes again, far from the first ones, and is resolved, which carries that change.
FEED: list[tuple[str, datetime, dict[str, object]]] = [
    ("R1", at(0), {"title": "Printer down", "external_description": "It is down"}),
    ("R2", at(0.5), {"title": "Scanner down", "external_description": "It is down"}),
    ("R1", at(1), {"status": "WIP"}),
    ("R1", at(2), {"status": "WAIT"}),
    ("R2", at(2.5), {"status": "WIP"}),
    ("R1", at(3), {"status": "WIP"}),
    ("R2", at(3.5), {"status": "OPEN"}),
    ("R1", at(30), {"status": "WAIT"}),
    ("R1", at(31), {"status": "RESOLVED"}),
]


def setup(path: Path) -> Database:
    db = Database(str(path))
    init(db)
    build_sample(db)
    clients.set_client_alert(
        db, code="ACME", event=Event.STATUS_CHANGE, enabled=True, keyword="[ACME]"
    )
    return db


def line(reference: str, moment: datetime, fields: dict[str, object]) -> str:
    return json.dumps(
        {"reference": reference, "contract": "K1", "product": "ERP", "time": moment.isoformat()}
        | fields
    )


def apply(db: Database, *saves: tuple[str, datetime, dict[str, object]]) -> None:
    report = ingest(db, [line(*save) for save in saves])
    assert not report.failures, report.failures


def going_out(path: Path) -> Counter[tuple[str, str, str, str]]:
    """What the outbox sends, as the reader reads it: (address, event, subject, text)."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT address, event, subject, text_body FROM alert "
            "WHERE status NOT IN ('merged', 'skipped', 'held')"
        ).fetchall()
    return Counter(rows)


def received(handler: Handler) -> Counter[tuple[str, str, str]]:
    return Counter(
        (
            ",".join(r.rcpt_tos),
            str(r.message["Subject"]),
            str(r.message.get_body(("plain",)).get_content()),  # type: ignore[union-attr]
        )
        for r in handler.received
    )


def on_time(tmp_path: Path) -> Path:
    path = tmp_path / "on-time.db"
    db = setup(path)
    for save in FEED:
        punctually(db, path, save[1])
        apply(db, save)
    punctually(db, path, LATE)
    return path


def punctually(db: Database, path: Path, until: datetime) -> None:
    """Release each hold at the moment it ends, one moment after another, up to `until`."""
    while True:
        with sqlite3.connect(path) as connection:
            (moment,) = connection.execute(
                "SELECT min(held_until) FROM alert WHERE status = 'held'"
            ).fetchone()
        if moment is None or datetime.fromisoformat(moment).replace(tzinfo=UTC) > until:
            return
        release(db, datetime.fromisoformat(moment).replace(tzinfo=UTC))


def late(tmp_path: Path) -> Path:
    path = tmp_path / "late.db"
    db = setup(path)
    apply(db, *FEED)
    release(db, LATE)
    return path


def test_on_time_or_late_the_same_mails_coalesced_per_request(tmp_path: Path) -> None:
    punctual, tardy = on_time(tmp_path), late(tmp_path)
    assert going_out(punctual) == going_out(tardy)
    to_jdu = [(e, s, t) for a, e, s, t in going_out(tardy) if a == "jdu@support.example"]
    events = Counter(e for e, _, _ in to_jdu)
    # Two opens; R1's three changes as one alert; nothing for R2, which went back to Open;
    # the resolution, carrying the change held just before it.
    assert events == {"open": 2, "status_change": 1, "resolution": 1}
    (changes,) = [t for e, _, t in to_jdu if e == "status_change"]
    assert changes.startswith("Changements de statut (3, heures en UTC) :")
    assert "Scanner" not in changes and "Résumé" not in changes
    (resolution,) = [t for e, _, t in to_jdu if e == "resolution"]
    assert resolution.startswith("Changements de statut (1, heures en UTC) :")
    with sqlite3.connect(tardy) as connection:
        skipped = connection.execute(
            "SELECT r.reference, a.last_reply FROM alert a JOIN request r ON r.id = a.request_id "
            "WHERE a.status = 'skipped'"
        ).fetchall()
    assert set(skipped) == {("R2", "the request went back to 'Open': nothing to tell")}


def test_the_forecast_predicts_what_a_late_sender_sends(tmp_path: Path) -> None:
    from alertctl.services.saves.forecast import forecast

    path = late(tmp_path)
    db = Database(str(path))
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alert SET status = 'sent' WHERE status = 'pending'")
    found = forecast(db, since=START, until=LATE)
    (jdu,) = [p for p in found.people if p.code == "jdu"]
    assert jdu.forecast == jdu.made == {"open": 2, "resolution": 1, "summary": 1}
    assert (jdu.sent, jdu.queued) == (4, 0)


@pytest.mark.parametrize("store_first", [False, True], ids=["lost", "stored"])
def test_a_sender_killed_then_run_again_sends_the_same_mails(
    tmp_path: Path, smtp: tuple[Handler, int], store_first: bool
) -> None:
    """Killed while the server holds its second message (stored first or not): the run after
    it sends the rest, and the messages are those of a sender on time, the one in flight
    received twice at most."""
    handler, port = smtp
    settings_file(port, lease_seconds=30)
    expected = on_time(tmp_path)
    ok(expected, "alerts", "send")
    wanted = received(handler)
    handler.received.clear()

    path = tmp_path / "killed.db"
    setup(path)
    apply(Database(str(path)), *FEED)
    hold = Hold(countdown=2, store_first=store_first)
    handler.hold = hold
    command = [sys.executable, "-m", "alertctl", "--db", str(path), "alerts", "send"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not hold.arrived.wait(0.05):
        assert process.poll() is None, "the sender ended before the held message"
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()  # type: ignore[union-attr]
    handler.hold = None
    hold.released.set()
    with sqlite3.connect(path) as connection:  # its claims expire, as after their lease
        connection.execute(
            "UPDATE alert SET lease_expires_at = '2000-01-01 00:00:00' WHERE status = 'sending'"
        )
    ok(path, "alerts", "send")
    got = received(handler)
    assert set(got) == set(wanted)
    assert sum(got.values()) - sum(wanted.values()) == int(store_first)


def test_a_summary_of_its_own_request_is_of_its_thread_and_one_of_others_of_none(
    tmp_path: Path,
) -> None:
    """R1's three changes, coalesced into one alert, answer R1's opening; a summary that tells
    of another request's alerts (quiet hours, a digest) joins no thread."""
    from email import message_from_bytes, policy

    path = late(tmp_path)
    with sqlite3.connect(path) as connection:
        (summary, opening) = connection.execute(
            "SELECT s.id, o.id FROM alert s JOIN request r ON r.id = s.request_id "
            "JOIN alert o ON o.request_id = s.request_id AND o.person_id = s.person_id "
            "AND o.channel = s.channel AND o.event = 'open' "
            "WHERE s.hold = 'summary' AND r.reference = 'R1' AND s.address = ?",
            ("jdu@support.example",),
        ).fetchone()
    ok(path, "alerts", "send")
    sent = {
        m["X-Alertctl-Key"]: m
        for m in (
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in Path("outbox", "new").iterdir()
        )
    }
    with sqlite3.connect(path) as connection:
        keys = dict(connection.execute("SELECT id, key FROM alert"))
        ids = dict(connection.execute("SELECT id, message_id FROM alert"))
    assert sent[keys[summary]]["In-Reply-To"] == ids[opening]

    # The same summary, had it told of R2's alerts too, would start and join no thread.
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE alert SET merged_into = ? WHERE id = (SELECT a.id FROM alert a "
            "JOIN request r ON r.id = a.request_id WHERE r.reference = 'R2' LIMIT 1)",
            (summary,),
        )
        connection.execute("UPDATE alert SET status = 'pending' WHERE id = ?", (summary,))
    ok(path, "alerts", "send")
    again = [
        m
        for m in (
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in Path("outbox", "new").iterdir()
        )
        if m["X-Alertctl-Key"] == keys[summary]
    ]
    assert len(again) == 2 and {m["In-Reply-To"] for m in again} == {ids[opening], None}
