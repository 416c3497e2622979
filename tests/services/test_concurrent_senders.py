"""Two `alerts send` at once never claim, nor deliver, the same alert.

The server holds the first message of each connection until both senders are in DATA at once, so
both take part whatever the machine's speed: the race is arranged, not hoped for."""

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.services.test_crash import queue_many
from tests.smtp_server import Handler


@pytest.mark.parametrize("held", [False, True], ids=["due", "held"])
def test_two_senders_at_once_deliver_each_alert_once(
    sample_db: Path, smtp: tuple[Handler, int], held: bool
) -> None:
    """`held`: the alerts are held for their readers' digests, whose time has come: the
    senders release them as they claim, each into one summary, sent once."""
    handler, port = smtp
    handler.meet = 2
    total = queue_many(sample_db, requests=10, digest=held)
    Path("alertctl.toml").write_text(
        f'[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\ngateway = "{{number}}@fax.example"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        "starttls = false\n[delivery]\nbatch_size = 10\n"
    )
    command = [sys.executable, "-m", "alertctl", "--db", str(sample_db), "alerts", "send"]
    senders = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = [sender.communicate(timeout=300)[1] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], reports
    keys = Counter(str(m.message["X-Alertctl-Key"]) for m in handler.received)
    assert max(keys.values()) == 1
    with sqlite3.connect(sample_db) as connection:
        owners = connection.execute("SELECT count(DISTINCT owner) FROM alert_attempt").fetchone()
        statuses = dict(connection.execute("SELECT status, count(*) FROM alert GROUP BY status"))
        into = connection.execute(
            "SELECT count(DISTINCT merged_into) FROM alert WHERE status = 'merged'"
        ).fetchone()[0]
    if held:  # 150 readers, 10 alerts each, told of by one summary each
        assert statuses == {"merged": 1500, "sent": total - 1500 + 150}
        assert into == 150
    else:
        assert statuses == {"sent": total}
    assert len(keys) == statuses["sent"]
    assert owners == (2,), "both senders should have taken part"
