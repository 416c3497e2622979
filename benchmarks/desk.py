"""What the benchmarks share: alertctl run in a fresh process and timed, and a fresh database
set up by a batch file, with no settings file of the user's in the way."""

import os
import subprocess
import sys
import time
from pathlib import Path

ALERTCTL = [sys.executable, "-m", "alertctl"]


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of `alertctl ARGS`, and what it said on stderr; a failure ends the
    benchmark with its error."""
    start = time.perf_counter()
    done = subprocess.run(ALERTCTL + args, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"alertctl {' '.join(args)} failed:\n{done.stderr}")
    return seconds, done.stderr.strip()


def fresh_desk(db: Path, batch: Path) -> dict[str, str]:
    """A new database at `db`, set up by `batch`; the environment that names it."""
    env = {**os.environ, "ALERTCTL_DB": str(db)}
    env.pop("ALERTCTL_CONFIG", None)
    run(["init"], env)
    run(["batch", str(batch)], env)
    return env
