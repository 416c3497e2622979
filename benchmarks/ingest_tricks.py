"""What each speed trick of a feed's save path buys (docs/architecture.md, "Speed tricks"):
ingest_dense's feed applied in process, once with every trick and once with each switched off
alone, each run in a fresh process on a fresh copy of the database, the variants taking turns
for `--rounds` rounds. The figure of each is its best CPU time of the feed (the machine is
shared, and CPU time varies less than wall time), with its wall time beside it.

    python benchmarks/ingest_tricks.py [--saves 2000] [--rounds 5]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from desk import fresh_desk
from ingest_dense import setup_batch, write_feed


def _no_staging() -> None:
    from alertctl.services.saves import ingest

    apply = ingest._apply_chunk

    def one_at_a_time(db: Any, chunk: Any, progress: Any, *, staged: bool) -> Any:
        return apply(db, chunk, progress, staged=False)

    ingest._apply_chunk = one_at_a_time


def _no_row_memory() -> None:
    from alertctl.services.holds import rules, tell
    from alertctl.services.saves import alert_slice, fields, requests

    def every_time(session: Any, memory: Any, model: Any, row_id: Any) -> Any:
        return session.get(model, row_id)

    for module in (fields, alert_slice, requests, tell, rules):
        module.__dict__["row"] = every_time


def _no_shared_render() -> None:
    from alertctl.templates import render

    render._render_shared = lambda source, context, html, shared: render.render_one(
        source, context, html=html
    )


def _tick_each_chunk() -> None:
    from alertctl.templates import render

    render.CHUNKS_PER_TICK = 1


def _key_each_time() -> None:
    from alertctl.domain.person import Person, PersonKey

    Person.key = property(lambda self: PersonKey(self.kind, self.code))  # type: ignore[assignment]


VARIANTS = {
    "every trick": lambda: None,
    "no staged writes": _no_staging,
    "no row memory": _no_row_memory,
    "no shared render": _no_shared_render,
    "deadline at each chunk": _tick_each_chunk,
    "key made each time": _key_each_time,
}


def once(variant: str, base: Path, feed: Path, root: Path) -> tuple[float, float]:
    """CPU and wall seconds of the feed, in a fresh process."""
    db = root / "run.db"
    for left in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
        left.unlink(missing_ok=True)
    shutil.copy(base, db)
    done = subprocess.run(
        [sys.executable, __file__, "--run", variant, str(db), str(feed)],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, wall = done.stdout.split()
    return float(cpu), float(wall)


def run_one(variant: str, db: str, feed: str) -> None:
    VARIANTS[variant]()
    from alertctl.db.engine import Database
    from alertctl.services.saves.ingest import ingest

    database = Database(f"sqlite:///{db}")
    with database.session(write=False):
        pass  # the first connection and its pragmas, before the clock starts
    lines = Path(feed).read_bytes().splitlines()
    cpu, wall = time.process_time(), time.perf_counter()
    report = ingest(database, lines)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert not report.failures and report.saves == len(lines), report
    print(f"{cpu:.3f} {wall:.3f}")


def main() -> None:
    if sys.argv[1:2] == ["--run"]:
        run_one(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        base, batch, feed = root / "base.db", root / "setup.batch", root / "feed.jsonl"
        batch.write_text(setup_batch(), encoding="utf-8")
        fresh_desk(base, batch)
        write_feed(feed, options.saves)
        runs: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
        for _ in range(options.rounds):
            for variant in VARIANTS:
                runs[variant].append(once(variant, base, feed, root))
        cpu_base = min(runs["every trick"])[0]
        for variant, times in runs.items():
            cpu, wall = min(times)
            print(
                f"{variant:24} CPU {cpu:.2f} s ({cpu / cpu_base - 1:+.0%}), wall {wall:.2f} s, "
                f"best of {options.rounds}"
            )


if __name__ == "__main__":
    main()
