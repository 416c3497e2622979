"""The sample setup (sample-data/setup.batch) as one `alertctl batch` against the same command
lines run one process each, side by side on fresh databases in one run.

    python benchmarks/batch_speed.py
"""

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "sample-data" / "setup.batch"
ALERTCTL = [sys.executable, "-m", "alertctl"]
# As installed, with bytecode cached (see startup.py): without it, every one of the separate
# processes would compile alertctl from source, and the batch only once.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def fresh(folder: Path, name: str) -> str:
    db = str(folder / name)
    subprocess.run([*ALERTCTL, "--db", db, "init"], check=True, capture_output=True, env=ENV)
    return db


def main() -> None:
    commands = [a for a in (shlex.split(line, comments=True) for line in SAMPLE.open()) if a]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        separate_db, batch_db = fresh(folder, "separate.db"), fresh(folder, "batch.db")
        start = time.perf_counter()
        for args in commands:
            argv = [*ALERTCTL, "--db", separate_db, *args]
            subprocess.run(argv, check=True, capture_output=True, env=ENV)
        separate = time.perf_counter() - start
        start = time.perf_counter()
        argv = [*ALERTCTL, "--db", batch_db, "batch", str(SAMPLE)]
        subprocess.run(argv, check=True, capture_output=True, env=ENV)
        batch = time.perf_counter() - start
    print(
        f"{len(commands)} commands: one process each {separate:.1f} s, one batch {batch:.2f} s, "
        f"{separate / batch:.0f} times faster"
    )


if __name__ == "__main__":
    main()
