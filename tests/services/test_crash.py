"""`alerts send` killed with SIGKILL in the middle of delivering, then one clean run: no alert is
lost, any alert received twice has the same Message-ID both times, and a kill duplicates at most
the one message that was in flight when it landed.

Each kill is arranged, not hoped for: the test SMTP server stops a chosen message in the middle
of DATA and says so, and only then is the sender killed. Half of the held messages are stored by
the server before the kill (the sender waits for the reply to a message already taken: that one,
and only that one, is received twice), half are not (nothing arrived, nothing is duplicated).

E-mail is delivered at least once: a sender killed after the server took the whole message but
before the reply reached it cannot know, and sends again (RFC 1047).
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from alertctl.db.engine import Database
from alertctl.domain.model import Event, PersonKind, Source
from alertctl.services.configuration import links, people
from alertctl.services.saves.fields import SaveInput
from alertctl.services.saves.requests import open_request
from tests.smtp_server import Handler, Hold

KILLS = int(os.environ.get("ALERTCTL_CRASH_KILLS", "30"))
CONTACTS, REQUESTS = 150, 40
LEASE_SECONDS = 120  # more than twice [smtp] timeout, as the settings require


def queue_many(
    db_path: Path, *, contacts: int = CONTACTS, requests: int = REQUESTS, digest: bool = False
) -> int:
    """`contacts` people linked to the contract, each alerted once per request opened; with
    `digest`, they take a daily digest, whose time has come when this returns: their alerts are
    held, and due for release."""
    db = Database(str(db_path))
    for i in range(contacts):
        code = f"k{i}"
        people.add_person(
            db,
            kind=PersonKind.CONTACT,
            code=code,
            name=f"Contact {i}",
            client="ACME",
            email=f"{code}@acme.example",
        )
        people.set_opt_ins(db, kind=PersonKind.CONTACT, code=code, on=[Event.OPEN], off=[])
        links.link(
            db, source=Source.CONTRACT, target="K1", kind=PersonKind.CONTACT, code=code, linked=True
        )
    if digest:
        with sqlite3.connect(db_path) as connection:
            connection.execute("UPDATE person SET digest = 'daily 08:00' WHERE code LIKE 'k%'")
    for r in range(requests):
        open_request(
            db,
            SaveInput(
                reference=f"R{r}",
                contract="K1",
                title=f"Request {r}",
                external_description="It fails",
            ),
        )
    db.close()
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "UPDATE alert SET held_until = '2000-01-01 00:00:00' WHERE status = 'held'"
        )
        return int(connection.execute("SELECT count(*) FROM alert").fetchone()[0])


@pytest.mark.parametrize("held", [False, True], ids=["due", "held"])
def test_killed_senders_lose_nothing_and_duplicate_only_the_message_in_flight(
    sample_db: Path, smtp: tuple[Handler, int], held: bool
) -> None:
    """`held`: the alerts are held for their readers' digests, and released by the senders'
    claims (docs/rules.md, "Holding alerts"): one summary a reader, each alert in one only."""
    handler, port = smtp
    total = queue_many(sample_db, digest=held)
    Path("alertctl.toml").write_text(
        f'[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\ngateway = "{{number}}@fax.example"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\ntimeout = 30\n'
        f"[delivery]\nlease_seconds = {LEASE_SECONDS}\nbatch_size = 20\n"
    )
    command = [sys.executable, "-m", "alertctl", "--db", str(sample_db), "alerts", "send"]
    rng = random.Random(20261128)
    stored_before_kill = 0
    for _ in range(KILLS // 3 if held else KILLS):
        countdown = rng.randint(1, 4 if held else 30)  # a summary a reader: fewer messages
        hold = Hold(countdown=countdown, store_first=rng.random() < 0.5)
        handler.hold = hold
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while not hold.arrived.wait(0.05):
            assert process.poll() is None, "the sender ended before the held message"
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()  # type: ignore[union-attr]
        handler.hold = None
        hold.released.set()
        stored_before_kill += hold.store_first
        # The dead sender's claims expire (as they would after LEASE_SECONDS): every one of them
        # is due again for the next run.
        with sqlite3.connect(sample_db) as connection:
            connection.execute(
                "UPDATE alert SET lease_expires_at = '2000-01-01 00:00:00' WHERE status = 'sending'"
            )
    clean = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert clean.returncode == 0, clean.stderr

    with sqlite3.connect(sample_db) as connection:
        rows = connection.execute(
            "SELECT key, status, message_id FROM alert WHERE status != 'merged'"
        ).fetchall()
        merged = connection.execute(
            "SELECT count(*), count(DISTINCT a.id) FROM alert a JOIN alert s "
            "ON s.id = a.merged_into WHERE a.status = 'merged' AND s.hold = 'summary'"
        ).fetchone()
    assert {status for _, status, _ in rows} == {"sent"}
    if held:
        assert merged == (CONTACTS * REQUESTS,) * 2, "an alert lost, or told of by no summary"
        assert len(rows) == CONTACTS + (total - CONTACTS * REQUESTS)  # summaries, and the rest
    else:
        assert len(rows) == total
    received: dict[str, list[str]] = defaultdict(list)
    for message in handler.received:
        parsed = message.message
        received[str(parsed["X-Alertctl-Key"])].append(str(parsed["Message-ID"]))
    assert set(received) == {key for key, _, _ in rows}, "an alert was lost"
    recorded = {key: message_id for key, _, message_id in rows}
    for key, ids in received.items():
        assert len(set(ids)) == 1, f"{key} was received with different Message-IDs"
        assert recorded[key] == ids[0], f"{key}: recorded and received Message-IDs differ"
    duplicates = sum(len(ids) - 1 for ids in received.values())
    print(
        f"\n{KILLS} kills, {stored_before_kill} after the server stored the message, "
        f"{total} alerts, {duplicates} duplicate(s)"
    )
    assert duplicates == stored_before_kill
