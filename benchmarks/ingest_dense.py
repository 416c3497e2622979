"""How fast a dense feed is applied with the default noise settings, and whether it stays linear.

A desk where every save alerts six people (three contacts, three collaborators, all opted in to
every event, all linked through the contract): each request is opened (6 alerts), taken in
hand and put on hold (6 status changes each, held as they coalesce, the second moving the
hold of the first), then resolved (6 resolutions, each carrying the two changes held for its
reader). So 6 alerts a save, and every status change goes through holding. The feed is applied
at N and 10 x N saves, each run on a fresh copy of the database in a fresh process; the rate is
the feed's own (the time `request ingest` takes, less that of `alertctl client list`, the
process's start and a first query, measured beside it). The machine is shared and its speed
varies from one run to the next by a third: each size is run `--repeat` times, the runs of
both sizes taking turns, and each figure is the best of its runs.

    python benchmarks/ingest_dense.py [--saves 2000] [--factor 10] [--repeat 3]

The goal (docs/architecture.md): at least 1,000 saves a second at N = 2,000, and the rate at
10 x N within 20 % of the rate at N.
"""

import argparse
import json
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desk import fresh_desk, run

PEOPLE = [("contact", f"c{n}") for n in range(3)] + [("collaborator", f"p{n}") for n in range(3)]
EVENTS = "open,resolution,closure_external,closure_internal,status_change"
STATUSES = ["WIP", "WAIT", "RESOLVED"]
START = datetime(2026, 10, 1, tzinfo=UTC)


def setup_batch() -> str:
    lines = ["client add DESK --name Desk"]
    lines += [
        f"client alerts DESK --event {e} --enable --keyword [Desk]" for e in EVENTS.split(",")
    ]
    lines += ["site add DESK HQ --name HQ --main", "product add ERP --name ERP"]
    lines += ["contract add K1 --client DESK --name K1 --product ERP"]
    for kind, code in PEOPLE:
        client = " --client DESK --site HQ" if kind == "contact" else ""
        lines += [
            f"{kind} add {code} --name {code}{client} --email {code}@desk.example",
            f"{kind} alerts {code} --on {EVENTS}",
            f"link contract K1 --{kind} {code}",
        ]
    lines += ["contract enable K1"]
    return "\n".join(lines) + "\n"


def write_feed(path: Path, saves: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(saves // (1 + len(STATUSES))):
            reference = f"D-{i}"
            first = {"contract": "K1", "product": "ERP", "site": "HQ", "title": f"Request {i}"}
            first["external_description"] = "The nightly export stopped."
            lines = [first] + [{"status": s} for s in STATUSES]
            for n, line in enumerate(lines):
                # A minute between a request's saves: each change coalesces with the next.
                minute = i * 4 + n
                line |= {
                    "reference": reference,
                    "save_id": f"{reference}-{n}",
                    "time": (START + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z"),
                }
                out.write(json.dumps(line) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        base = root / "base.db"
        batch = root / "setup.batch"
        batch.write_text(setup_batch(), encoding="utf-8")
        env = fresh_desk(base, batch)

        feeds = {}
        for saves in (options.saves, options.saves * options.factor):
            feeds[saves] = root / f"feed-{saves}.jsonl"
            write_feed(feeds[saves], saves)

        def once(saves: int) -> tuple[float, float]:
            """The seconds of one run of the feed, and of the process start beside it."""
            db = root / f"run-{saves}.db"
            for left in (db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
                left.unlink(missing_ok=True)  # a previous run's
            shutil.copy(base, db)
            here = {**env, "ALERTCTL_DB": str(db)}
            start = min(run(["client", "list"], here)[0] for _ in range(3))
            return run(["request", "ingest", str(feeds[saves])], here)[0] - start, start

        best: dict[int, tuple[float, float]] = {}
        for _ in range(options.repeat):
            for saves in feeds:
                seconds, start = once(saves)
                if saves not in best or seconds < best[saves][0]:
                    best[saves] = (seconds, start)
        for saves, (seconds, start) in best.items():
            print(
                f"{saves:,} saves ({saves // 4:,} requests, 6 alerts a save): feed {seconds:.2f} s "
                f"(process start {start:.2f} s apart), {saves / seconds:,.0f} saves/s, "
                f"best of {options.repeat}"
            )
        short, long = (saves / best[saves][0] for saves in feeds)
        print(f"rate at {options.factor} x the saves: {long / short:.2f} of the rate at N")


if __name__ == "__main__":
    main()
