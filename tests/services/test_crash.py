"""`alerts send` killed with SIGKILL at random moments, then one clean run: no alert is lost,
any alert received twice has the same Message-ID both times, and a kill duplicates at most the
one message that was in flight when it landed.

E-mail is delivered at least once: a sender killed after the server took the whole message but
before the reply reached it cannot know, and sends again (RFC 1047). How often that happens is
the share of a sender's time spent waiting for the server's final reply; the test prints it.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from alertctl.db.engine import Database
from alertctl.domain.model import Event, PersonKind, Source
from alertctl.services import links, people
from alertctl.services.requests import SaveInput, open_request
from tests.smtp_server import Handler

KILLS = int(os.environ.get("ALERTCTL_CRASH_KILLS", "50"))
CONTACTS, REQUESTS = 150, 40


def queue_many(db_path: Path) -> int:
    """CONTACTS people linked to the contract, each alerted once per request opened."""
    db = Database(str(db_path))
    for i in range(CONTACTS):
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
    for r in range(REQUESTS):
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
        return int(connection.execute("SELECT count(*) FROM alert").fetchone()[0])


def test_killed_senders_lose_nothing_and_rarely_duplicate(
    sample_db: Path, smtp: tuple[Handler, int], tmp_path: Path
) -> None:
    handler, port = smtp
    handler.delay_seconds = float(os.environ.get("ALERTCTL_CRASH_SERVER_DELAY", "0.002"))
    total = queue_many(sample_db)
    Path("alertctl.toml").write_text(
        f'[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\ngateway = "{{number}}@fax.example"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\ntimeout = 5\n'
        "[delivery]\nlease_seconds = 0.5\nbatch_size = 20\n"
    )
    command = [sys.executable, "-m", "alertctl", "--db", str(sample_db), "alerts", "send"]
    rng = random.Random(20261128)
    killed_while_sending = 0
    for _ in range(KILLS):
        before = len(handler.received)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_while_sending += len(handler.received) > before
        time.sleep(0.5)  # the dead sender's lease runs out
    clean = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stderr

    with sqlite3.connect(sample_db) as connection:
        rows = connection.execute("SELECT key, status, message_id FROM alert").fetchall()
    assert len(rows) == total
    assert {status for _, status, _ in rows} == {"sent"}
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
        f"\n{KILLS} kills ({killed_while_sending} while sending), {total} alerts, "
        f"{duplicates} duplicate(s)"
    )
    assert killed_while_sending >= KILLS // 2, "too few kills landed while sending"
    assert duplicates <= killed_while_sending
