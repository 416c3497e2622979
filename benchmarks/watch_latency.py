"""From a save's commit to the message at the SMTP server, with `alerts send --watch` running.

A watcher runs as its own process; this process saves requests one at a time (each save queues
one alert) and waits for each message at a local aiosmtpd, which notes when it arrived. Saves
are spaced by a random pause, so that they land anywhere in the watcher's poll interval. Then
the watcher is left idle and its CPU time is read from /proc.

    python benchmarks/watch_latency.py [--saves 200] [--idle 20]
    python benchmarks/watch_latency.py --postgres postgresql+psycopg://user@host/postgres
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


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(url: str, saves: int, idle: float, folder: Path) -> dict[str, float]:
    db = Database(url)
    setup(db)
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
    }


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = postgres_database(args.postgres) if args.postgres else str(folder / "bench.db")
        result = run(url, args.saves, args.idle, folder)
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{kind}: {args.saves} saves, commit to SMTP server: median {result['median'] * 1000:.0f}"
        f" ms, p99 {result['p99'] * 1000:.0f} ms, max {result['max'] * 1000:.0f} ms; "
        f"watcher idle: {result['idle_cpu'] * 100:.2f} % of a core"
    )


if __name__ == "__main__":
    main()
