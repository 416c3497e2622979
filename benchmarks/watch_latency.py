"""From a save's commit to the message at the SMTP server, with `alerts send --watch` running.

A watcher runs as its own process; this process saves requests one at a time (each save queues
one alert) and waits for each message at a local aiosmtpd, which notes when it arrived. Saves
are spaced by a random pause, so that they land anywhere in the watcher's poll interval. Then
the watcher is left idle and its CPU time is read from /proc.

    python benchmarks/watch_latency.py [--saves 200] [--idle 20]
    python benchmarks/watch_latency.py --postgres postgresql+psycopg://user@host/postgres
    python benchmarks/watch_latency.py --held 100

With `--held N`, the same run is made twice, on two databases: as above, then with N
collaborators linked to the contract who take a daily digest, so that each save also holds N
alerts; 200 earlier saves have held N x 200 alerts more, and the N digests fall due one after
another all through the measured saves, so that the watcher releases them (N summaries of 200
alerts each) while the unheld alerts are measured.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from alertctl.db.engine import Database
from alertctl.domain.model import Event, Language, PersonKind, Source
from alertctl.services.configuration import clients, contracts, links, people
from alertctl.services.operations.setup import init
from alertctl.services.saves.fields import SaveInput
from alertctl.services.saves.requests import open_request


class Arrivals:
    """The SMTP server's side: when each alert's message arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.monotonic()
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.startswith("X-Alertctl-Key: "):
                with self.changed:
                    self.at[line.split(": ", 1)[1].split("/")[0]] = arrived
                    self.changed.notify_all()
        return "250 2.0.0 Ok: queued"

    def wait_for(self, save_key: str, limit: float = 60.0) -> float:
        with self.changed:
            if not self.changed.wait_for(lambda: save_key in self.at, timeout=limit):
                raise SystemExit(f"no message for save {save_key} within {limit:g} s")
            return self.at[save_key]


def setup(db: Database) -> None:
    init(db)
    clients.add_client(db, code="ACME", name="Acme", language=Language.FR)
    clients.set_client_alert(db, code="ACME", event=Event.OPEN, enabled=True, keyword="[ACME]")
    people.add_person(
        db, kind=PersonKind.CONTACT, code="ann", name="Ann", client="ACME", email="ann@x.example"
    )
    people.set_opt_ins(db, kind=PersonKind.CONTACT, code="ann", on=[Event.OPEN], off=[])
    contracts.add_contract(db, code="K1", client="ACME", name="K1", products=[], beneficiaries=[])
    links.link(
        db, source=Source.CONTRACT, target="K1", kind=PersonKind.CONTACT, code="ann", linked=True
    )
    contracts.set_sources(db, code="K1", sources=[Source.CONTRACT], enabled=True)


def hold_for_digests(db: Database, readers: int, saves: int, spread: float) -> int:
    """`readers` collaborators on a daily digest, `saves` saves whose alerts they hold, and
    their digests falling due over the next `spread` seconds, each reader's at one moment:
    a summary of `saves` alerts each."""
    import json
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update
    from sqlmodel import col

    from alertctl.db.tables import Alert
    from alertctl.domain.model import AlertStatus
    from alertctl.services.holds.settings import PersonNoiseChange, person_noise_settings
    from alertctl.services.saves.ingest import ingest

    for i in range(readers):
        code = f"c{i}"
        people.add_person(
            db, kind=PersonKind.COLLABORATOR, code=code, name=code, email=f"{code}@support.example"
        )
        people.set_opt_ins(db, kind=PersonKind.COLLABORATOR, code=code, on=[Event.OPEN], off=[])
        links.link(
            db,
            source=Source.CONTRACT,
            target="K1",
            kind=PersonKind.COLLABORATOR,
            code=code,
            linked=True,
        )
        person_noise_settings(
            db, PersonKind.COLLABORATOR, code, PersonNoiseChange(digest="daily 08:00")
        )
    lines = [
        json.dumps(
            {
                "reference": f"P{i}",
                "contract": "K1",
                "title": "Backlog",
                "external_description": "Old",
            }
        )
        for i in range(saves)
    ]
    assert not ingest(db, lines).failures
    buckets = max(1, int(spread))
    start = datetime.now(UTC) + timedelta(seconds=2)
    with db.session(write=True) as session:
        for k in range(buckets):
            session.execute(
                update(Alert)
                .where(col(Alert.status) == AlertStatus.HELD, col(Alert.person_id) % buckets == k)
                .values(held_until=start + timedelta(seconds=k))
            )
    return readers * saves


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, saves: int, idle: float, folder: Path, held: int = 0) -> dict[str, float]:
    db = Database(url)
    setup(db)
    if held:
        hold_for_digests(db, held, 200, spread=saves * 0.3)
    arrivals = Arrivals()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    (folder / "alertctl.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        '[transport]\nemail = "smtp"\n'
    )
    watcher = subprocess.Popen(
        [sys.executable, "-m", "alertctl", "--db", url, "alerts", "send", "--watch"],
        cwd=folder,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watcher.stderr is not None
    watcher.stderr.readline()  # "start": listening
    threading.Thread(target=lambda: watcher.stderr.read(), daemon=True).start()  # type: ignore[union-attr]
    rng = random.Random(7)
    latencies = []
    released_before = _released(db) if held else 0
    try:
        for i in range(saves):
            save_key = uuid.uuid4().hex
            open_request(
                db,
                SaveInput(
                    reference=f"R{i}",
                    contract="K1",
                    title="Printer",
                    external_description="It jams",
                    save_id=save_key,
                ),
            )
            committed = time.monotonic()
            latencies.append(arrivals.wait_for(save_key) - committed)
            time.sleep(rng.uniform(0, 0.3))
        released = _released(db) - released_before if held else 0
        before = cpu_seconds(watcher.pid)
        time.sleep(idle)
        idle_cpu = (cpu_seconds(watcher.pid) - before) / idle
    finally:
        watcher.terminate()
        watcher.wait(60)
        controller.stop()
        db.close()
    ordered = sorted(latencies)
    return {
        "median": statistics.median(ordered),
        "p99": ordered[max(0, round(0.99 * len(ordered)) - 1)],
        "max": ordered[-1],
        "idle_cpu": idle_cpu,
        "released": released,
    }


def _released(db: Database) -> int:
    """Held alerts released so far (told of by a summary)."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from alertctl.db.tables import Alert
    from alertctl.domain.model import AlertStatus

    with db.session(write=False) as session:
        query = select(func.count()).where(col(Alert.status) == AlertStatus.MERGED)
        return int(session.execute(query).scalar_one())


def postgres_database(server: str) -> str:
    import psycopg

    name = f"alertctl_bench_{uuid.uuid4().hex[:8]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server.rsplit('/', 1)[0]}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle CPU reading")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database is created)")
    parser.add_argument("--held", type=int, default=0, help="digest readers (see above)")
    args = parser.parse_args()
    kind = "PostgreSQL" if args.postgres else "SQLite"
    for held in [0, args.held] if args.held else [0]:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            url = postgres_database(args.postgres) if args.postgres else str(folder / "bench.db")
            result = run(url, args.saves, args.idle, folder, held)
        with_holds = (
            f" with {held} digest readers ({int(result['released'])} held alerts released "
            "meanwhile)"
            if held
            else ""
        )
        print(
            f"{kind}{with_holds}: {args.saves} saves, commit to SMTP server: median "
            f"{result['median'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms, max "
            f"{result['max'] * 1000:.0f} ms; watcher idle: "
            f"{result['idle_cpu'] * 100:.2f} % of a core"
        )


if __name__ == "__main__":
    main()
