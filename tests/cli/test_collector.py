"""The cyclic collector is held while a command imports what it needs, then resumes, at a
slower pace, with what the imports built set aside (cli/collector.py)."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest


def collector_after(db: Path, args: list[str]) -> str:
    probe = (
        "import gc, io, sys, contextlib\n"
        "from alertctl.cli import collector\n"
        "from alertctl.cli.app import run\n"
        "collector.hold()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({['--db', str(db), *args]!r})\n"
        "print(code, gc.isenabled(), gc.get_freeze_count() > 1000, gc.get_threshold()[0],"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [["client", "list"], ["request", "list"], ["check"]])
def test_a_database_command_resumes_the_collector(sample_db: Path, args: list[str]) -> None:
    assert collector_after(sample_db, args).split()[1:] == ["True", "True", "50000"]


def test_a_command_without_database_keeps_it_held(sample_db: Path) -> None:
    assert collector_after(sample_db, ["--version"]) == "0 False False 700"


def test_in_process_runs_leave_the_collector_alone(sample_db: Path) -> None:
    from tests.helpers import ok

    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    ok(sample_db, "client", "list")
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_feed_collects_after_each_transaction(sample_db: Path, tmp_path: Path) -> None:
    """What a feed's transaction built is collected once it commits: a long feed stays flat."""
    from tests.cli.test_ingest import FEED, write_feed

    feed = write_feed(tmp_path / "f.jsonl", FEED)
    probe = (
        "import gc, io, sys, contextlib\n"
        "from alertctl.cli import collector\n"
        "from alertctl.cli.app import run\n"
        "from alertctl.services import ingest\n"
        "ingest.CHUNK_LINES = 2\n"
        "collector.SETTLE_SECONDS = 0\n"
        "collector.hold()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({['--db', str(sample_db), 'request', 'ingest', str(feed)]!r})\n"
        "print(code, gc.get_stats()[2]['collections'], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    code, full_collections = done.stderr.strip().splitlines()[-1].split()
    assert code == "0"
    assert int(full_collections) >= 3  # six lines, two to a transaction


def test_a_send_collects_after_each_batch(sample_db: Path, tmp_path: Path) -> None:
    from tests.cli.test_ingest import FEED, write_feed
    from tests.helpers import ok

    ok(sample_db, "request", "ingest", str(write_feed(tmp_path / "f.jsonl", FEED)))  # 9 alerts
    config = tmp_path / "alertctl.toml"
    config.write_text(f'[delivery]\nbatch_size = 2\n[maildir]\npath = "{tmp_path / "box"}"\n')
    args = ["--db", str(sample_db), "--config", str(config), "alerts", "send"]
    probe = (
        "import gc, io, sys, contextlib\n"
        "from alertctl.cli import collector\n"
        "from alertctl.cli.app import run\n"
        "collector.SETTLE_SECONDS = 0\n"
        "collector.hold()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({args!r})\n"
        "print(code, gc.get_stats()[2]['collections'], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    code, full_collections = done.stderr.strip().splitlines()[-1].split()
    assert code == "0"
    assert int(full_collections) >= 5  # nine alerts, two to a batch
    assert len(list((tmp_path / "box" / "new").iterdir())) == 9
