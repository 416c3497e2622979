"""How fast `alertctl request ingest` applies a feed, and whether its memory stays flat.

On the sample setup (`sample-data/setup.batch`), a generated feed: requests of both contracts,
each opened, taken in hand, annotated, resolved and closed (five saves, each with its save id
and time; the saves raise their events and queue their alerts as a help desk's would). Each
run is a fresh process on a fresh copy of the database; the time includes the process's start.
Peak memory (max RSS) is read for the feed and for a feed ten times longer.

    python benchmarks/ingest_speed.py [--lines 20000] [--no-memory] [--no-coalescing]

Status changes coalesce by default (docs/rules.md, "Holding alerts"): a change taken in hand
waits, and the resolution that follows carries it. `--no-coalescing` switches that off, to
weigh what holding costs a save apart from the work of coalescing.
"""

import argparse
import json
import resource
import shutil
import tempfile
from pathlib import Path

from desk import fresh_desk, run

CONTRACTS = [
    ("K1", "ERP", "LYON", "PREMIUM", "bruno"),
    ("K2", "CRM", "SPRINGFIELD", "STANDARD", "dan"),
]


def write_feed(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines // 5):
            contract, product, site, service, requester = CONTRACTS[i % 2]
            reference = f"FEED-{i}"
            saves = [
                {
                    "contract": contract,
                    "product": product,
                    "site": site,
                    "service": service,
                    "requester": requester,
                    "title": f"Request {i}",
                    "external_description": "The nightly export stopped.",
                },
                {"status": "WIP"},
                {"state": "answer to send"},
                {"status": "RESOLVED", "state": ""},
                {"status": "CLOSED_EXT"},
            ]
            day = 1 + (i // 1000) % 28
            for n, save in enumerate(saves):
                save |= {
                    "reference": reference,
                    "save_id": f"{reference}-{n}",
                    "time": f"2026-10-{day:02d}T{8 + n:02d}:{i % 60:02d}:00Z",
                }
                out.write(json.dumps(save) + "\n")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds, and the child's peak RSS in KiB."""
    seconds, _ = run(args, env)
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the ten-times-longer feed")
    parser.add_argument("--no-coalescing", action="store_true", help="status changes go at once")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        base = root / "base.db"
        setup = Path(__file__).resolve().parent.parent / "sample-data" / "setup.batch"
        env = fresh_desk(base, setup)
        if options.no_coalescing:
            run(["noise", "set", "--coalesce-idle", "off"], env)

        def ingest(lines: int) -> tuple[float, int]:
            feed = root / f"feed-{lines}.jsonl"
            write_feed(feed, lines)
            db = root / f"run-{lines}.db"
            shutil.copy(base, db)
            return timed(["request", "ingest", str(feed)], {**env, "ALERTCTL_DB": str(db)})

        seconds, rss = ingest(options.lines)
        print(
            f"{options.lines:,} saves in {seconds:.1f} s: {options.lines / seconds:,.0f} saves/s "
            f"(process start included), peak memory {rss / 1024:.0f} MiB"
        )
        if not options.no_memory:
            longer = options.lines * 10
            seconds, rss_longer = ingest(longer)
            print(
                f"{longer:,} saves in {seconds:.1f} s: {longer / seconds:,.0f} saves/s, "
                f"peak memory {rss_longer / 1024:.0f} MiB "
                f"(x{rss_longer / rss:.2f} for ten times the lines)"
            )


if __name__ == "__main__":
    main()
