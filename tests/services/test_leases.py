"""Leases that hold (services.delivery.sender.Lease): a sender never sends an alert it no
longer holds, renews its claims while a slow batch goes on, and never counts a claim it lost."""

import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from alertctl.config import DeliverySettings
from alertctl.db.engine import Database
from alertctl.services.delivery.sender import Sender, _now
from alertctl.transports.base import Accepted, Prepared, Transport
from alertctl.transports.maildir import MaildirTransport
from tests.helpers import invoke
from tests.services.test_crash import queue_many
from tests.services.test_delivery import queue, statuses
from tests.services.test_watch import wait_for
from tests.smtp_server import smtp_server


def test_two_senders_with_a_short_lease_and_a_slow_server_send_each_alert_once(
    sample_db: Path,
) -> None:
    """Each message takes half a second and a batch of ten five seconds, longer than the
    three-second lease. The second sender starts once the first has sent seven messages, when
    the lease it took with its batch has run out whatever the machine's speed: the first sender
    renewed its claims as it went, so the second never takes them over and nothing is sent
    twice."""
    with smtp_server() as (handler, port):
        handler.delay_seconds = 0.5
        total = queue_many(sample_db, contacts=15, requests=2)
        Path("alertctl.toml").write_text(
            '[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\n'
            'gateway = "{number}@fax.example"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\ntimeout = 1\n'
            "[delivery]\nlease_seconds = 3\nbatch_size = 10\n"
        )
        command = [sys.executable, "-m", "alertctl", "--db", str(sample_db), "alerts", "send"]
        first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: len(handler.received) >= 7, "seven messages from the first sender")
        second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        senders = [first, second]
        reports = [sender.communicate(timeout=600)[1] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], reports
    keys = Counter(str(m.message["X-Alertctl-Key"]) for m in handler.received)
    assert len(keys) == total
    assert max(keys.values()) == 1, "an alert was sent twice"
    assert statuses(sample_db) == {"sent": total}


def test_the_settings_refuse_a_lease_a_message_could_outlast(sample_db: Path) -> None:
    Path("alertctl.toml").write_text(
        '[transport]\nemail = "smtp"\n[smtp]\nhost = "127.0.0.1"\ntimeout = 30\n'
        "[delivery]\nlease_seconds = 45\n"
    )
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: alertctl.toml: [delivery] lease_seconds = 45 is not longer than the longest one "
        "message may take (60 s, from [smtp] and [fax] timeout)"
    ), result.stderr


class Stealing:
    """The maildir transport, and, as a message is handed over, another sender taking over the
    claim (as after a lease that ran out while a server was slow)."""

    at_most_once = False

    def __init__(self, inner: Transport, steal: Callable[[], None]) -> None:
        self.inner, self.steal = inner, steal

    def open(self) -> None:
        self.inner.open()

    def prepare(self, message: object) -> Prepared:
        return self.inner.prepare(message)  # type: ignore[arg-type]

    def send(self, prepared: Prepared, handed_over: Callable[[], None] | None = None) -> Accepted:
        accepted = self.inner.send(prepared, handed_over)
        self.steal()
        return accepted

    def close(self) -> None:
        self.inner.close()


def _take_over(db: Path, ids: list[int]) -> None:
    with sqlite3.connect(db) as connection:
        marks = ",".join("?" * len(ids))
        connection.execute(
            f"UPDATE alert SET lease_owner = 'another:1:0' WHERE id IN ({marks})", ids
        )


def test_claims_lost_before_their_turn_are_neither_sent_nor_counted(
    sample_db: Path, tmp_path: Path
) -> None:
    queue(sample_db, "a@acme.example", "b@acme.example", "c@acme.example", "d@acme.example")
    database = Database(str(sample_db))
    settings = DeliverySettings(maildir=str(tmp_path / "out"))
    sender = Sender(database, settings)
    try:
        lease = sender.claim(10, due_at=_now())
        assert len(lease.rows) == 4
        _take_over(sample_db, [lease.rows[2].id, lease.rows[3].id])
        lease.until = 0.0  # as if the lease were nearly out: renewed before the next message
        report = sender.deliver_batch(lease)
    finally:
        sender.close()
        database.close()
    assert dict(report.counts) == {"sent": 2}
    assert report.lost == [lease.rows[2].id, lease.rows[3].id]
    assert len(list((tmp_path / "out" / "new").iterdir())) == 2
    with sqlite3.connect(sample_db) as connection:
        rows = connection.execute("SELECT status, lease_owner FROM alert ORDER BY id").fetchall()
    assert rows[2:] == [("sending", "another:1:0")] * 2  # the other sender's, untouched


def test_a_claim_lost_while_its_message_was_sent_is_not_counted_and_is_said(
    sample_db: Path, tmp_path: Path
) -> None:
    queue(sample_db, "a@acme.example")
    database = Database(str(sample_db))
    settings = DeliverySettings(maildir=str(tmp_path / "out"))
    maildir = MaildirTransport(settings.maildir, sender=settings.sender)
    stealing = Stealing(maildir, lambda: _take_over(sample_db, [1]))
    sender = Sender(database, settings, transports={"email": stealing, "fax": stealing})
    try:
        report = sender.send(None, None)
    finally:
        sender.close()
        database.close()
    assert dict(report.counts) == {}
    assert report.lost == [1]
    assert not report.all_sent
    assert statuses(sample_db) == {"sending": 1}
