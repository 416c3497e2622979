"""The cyclic collector is held while a command imports what it needs, then resumes, at a
slower pace, with what the imports built set aside (cli/collector.py)."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_ingest import FEED, write_feed
from tests.helpers import ok

STATE = (
    "gc.isenabled(), gc.get_freeze_count() > 1000, gc.get_threshold()[0],"
    " gc.get_stats()[2]['collections']"
)


def collector_after(args: list[str], setup: str = "") -> list[str]:
    """Run a command as `main` does, in a fresh process: its exit code, then whether the
    collector is on, whether the imports were frozen, its pace, and its full collections."""
    probe = (
        "import gc, io, sys, contextlib\n"
        "from alertctl.cli import collector\n"
        "from alertctl.cli.app import run\n"
        "from alertctl.services.saves import ingest\n"
        f"{setup}"
        "collector.hold()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({args!r})\n"
        f"print(code, {STATE}, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stderr.strip().splitlines()[-1].split()


@pytest.mark.parametrize("args", [["client", "list"], ["request", "list"], ["check"]])
def test_a_database_command_resumes_the_collector(sample_db: Path, args: list[str]) -> None:
    assert collector_after(["--db", str(sample_db), *args])[1:4] == ["True", "True", "50000"]


def test_a_command_without_database_keeps_it_held() -> None:
    assert collector_after(["--version"])[:4] == ["0", "False", "False", "700"]


def test_in_process_runs_leave_the_collector_alone(sample_db: Path) -> None:
    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    ok(sample_db, "client", "list")
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


# Every call of `settle` collects, in these tests: by default, at most one a second does.
EVERY_TIME = "collector.SETTLE_SECONDS = 0\n"


def test_a_feed_collects_after_its_transactions(sample_db: Path, tmp_path: Path) -> None:
    """What a feed's transaction built is collected once it commits: a long feed stays flat."""
    feed = write_feed(tmp_path / "f.jsonl", FEED)
    args = ["--db", str(sample_db), "request", "ingest", str(feed)]
    code, *_, full_collections = collector_after(args, EVERY_TIME + "ingest.CHUNK_LINES = 2\n")
    assert code == "0"
    assert int(full_collections) >= 3  # six lines, two to a transaction


def test_a_send_collects_after_its_batches(sample_db: Path, tmp_path: Path) -> None:
    ok(sample_db, "request", "ingest", str(write_feed(tmp_path / "f.jsonl", FEED)))  # 9 alerts
    config = tmp_path / "alertctl.toml"
    config.write_text(f'[delivery]\nbatch_size = 2\n[maildir]\npath = "{tmp_path / "box"}"\n')
    args = ["--db", str(sample_db), "--config", str(config), "alerts", "send"]
    code, *_, full_collections = collector_after(args, EVERY_TIME)
    assert code == "0"
    assert int(full_collections) >= 5  # nine alerts, two to a batch
    assert len(list((tmp_path / "box" / "new").iterdir())) == 9
