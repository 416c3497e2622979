"""What a monitoring system reads: `alertctl metrics` (stdout, a textfile, the watcher's port),
and the senders' heartbeat that `check` fails on."""

import json
import os
import sqlite3
import stat
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import invoke, ok, refused
from tests.services.test_delivery import settings_file
from tests.services.test_watch import wait_for, watching
from tests.smtp_server import Handler, free_port

SAMPLE = Path(__file__).resolve().parents[2] / "sample-data"


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    ok(db_path, "batch", str(SAMPLE / "setup.batch"))
    ok(db_path, "request", "ingest", str(SAMPLE / "saves.jsonl"))
    return db_path


def metric_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _timeless(text: str) -> list[str]:
    """The metric lines, each age without its value."""
    return [
        line.rsplit(" ", 1)[0] if "_age_seconds" in line else line for line in metric_lines(text)
    ]


def test_metrics_count_the_outbox_and_name_no_one(demo_db: Path) -> None:
    before = ok(demo_db, "metrics").stdout
    assert 'alertctl_alerts{status="pending"} 14.0' in metric_lines(before)
    assert "alertctl_oldest_due_alert_age_seconds" in before
    # Nothing delivered yet: the figure is absent, not zero.
    assert not [x for x in metric_lines(before) if x.startswith("alertctl_last_delivery")]
    ok(demo_db, "alerts", "send")
    after = metric_lines(ok(demo_db, "metrics").stdout)
    assert 'alertctl_alerts{status="sent"} 14.0' in after
    assert 'alertctl_alerts{status="pending"} 0.0' in after
    assert 'alertctl_deliveries_total{channel="email",outcome="sent"} 13.0' in after
    assert 'alertctl_deliveries_total{channel="fax",outcome="sent"} 1.0' in after
    assert "alertctl_oldest_due_alert_age_seconds 0.0" in after
    assert any(line.startswith("alertctl_last_delivery_timestamp_seconds ") for line in after)
    (loop,) = [line for line in after if line.startswith("alertctl_sender_last_loop")]
    assert 'pid="' in loop and 'mode="once"' in loop
    # No label carries a person, an address, a request or a client.
    with sqlite3.connect(demo_db) as connection:
        names = [r[0] for r in connection.execute("SELECT code FROM person")]
        names += [r[0] for r in connection.execute("SELECT reference FROM request")]
        names += [r[0] for r in connection.execute("SELECT code FROM client")]
    text = "\n".join(after)
    assert "@" not in text
    assert not [name for name in names if f'"{name}"' in text]


def test_one_shot_runs_of_a_host_are_one_sender_and_one_series(demo_db: Path) -> None:
    """`alerts send` from cron: a process a minute, one sender and one metric series, not one
    of each per run."""
    import subprocess
    import sys

    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-m", "alertctl", "--db", str(demo_db), "alerts", "send"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    with sqlite3.connect(demo_db) as connection:
        (rows,) = connection.execute("SELECT count(*) FROM sender_beat").fetchone()
    assert rows == 1
    loops = [
        line
        for line in metric_lines(ok(demo_db, "metrics").stdout)
        if line.startswith("alertctl_sender_last_loop")
    ]
    assert len(loops) == 1 and 'pid=""' in loops[0] and 'mode="once"' in loops[0], loops
    assert "senders: 1 seen in 30 days; last, sender " in ok(demo_db, "check").stderr


def test_the_textfile_is_written_whole_and_readable_by_the_collector(
    demo_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    ok(demo_db, "metrics", "--textfile", str(folder))
    assert os.listdir(folder) == ["alertctl.prom"]
    written = folder / "alertctl.prom"
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    # The same figures, but for ages, which grow between the two runs.
    assert _timeless(written.read_text()) == _timeless(ok(demo_db, "metrics").stdout)
    assert any("_age_seconds " in line for line in metric_lines(written.read_text()))
    refused(demo_db, ["metrics", "--textfile", str(tmp_path / "none")], 1, "cannot write")


def test_check_fails_when_alerts_wait_and_no_sender_loops(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("UPDATE alert SET created_at = datetime(created_at, '-1 hour')")
    never = invoke(demo_db, "check", "--json")
    assert never.exit_code == 1
    (problem,) = json.loads(never.stdout)["problems"]
    assert problem["subject"] == "senders"
    assert problem["message"].endswith("and no sender has run")
    assert "senders: none seen" in invoke(demo_db, "check").stderr
    ok(demo_db, "alerts", "send")  # a sender's loop: it beats
    ok(demo_db, "check")
    ok(demo_db, "request", "update", "DEM-2", "--status", "WIP")  # new alerts, coalescing
    assert json.loads(ok(demo_db, "check", "--json").stdout)["queue"]["due"] == 0
    with sqlite3.connect(demo_db) as connection:
        # Their hold is over, and no sender has released them: they wait, as any due alert.
        connection.execute(
            "UPDATE alert SET held_until = datetime('now', '-1 minute') WHERE status = 'held'"
        )
        connection.execute("UPDATE sender_beat SET last_loop_at = datetime('now', '-10 minutes')")
        (host, pid) = connection.execute("SELECT host, pid FROM sender_beat").fetchone()
    silent = invoke(demo_db, "check", "--json")
    assert silent.exit_code == 1
    (problem,) = json.loads(silent.stdout)["problems"]
    assert f"last seen: sender {host} pid {pid} at " in problem["message"]
    assert ok(demo_db, "check", "--max-silence", "3600")


def test_the_watcher_beats_while_idle_and_serves_its_metrics(
    demo_db: Path, smtp: tuple[Handler, int]
) -> None:
    _handler, port = smtp
    settings_file(port)
    metrics_port = free_port()
    with watching(demo_db, "--metrics-port", str(metrics_port)) as watcher:
        watcher.expect(lambda line: " batch: " in line and " sent" in line)
        url = f"http://127.0.0.1:{metrics_port}/metrics"

        def served() -> str:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return str(response.read().decode())
            except OSError:
                return ""

        wait_for(lambda: 'mode="watch"' in served(), "the watcher's own loop in its metrics")
        assert 'alertctl_alerts{status="sent"} 14.0' in metric_lines(served())
        assert watcher.stop() == 0
    with sqlite3.connect(demo_db) as connection:
        assert connection.execute("SELECT watching FROM sender_beat").fetchall() == [(1,)]


def test_metrics_port_goes_with_watch(demo_db: Path) -> None:
    refused(demo_db, ["alerts", "send", "--metrics-port", "9999"], 2, "")
