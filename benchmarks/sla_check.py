"""The clock check on 100,000 open requests: what a check costs when little is due.

Builds a database of `--requests` open requests (100,000 by default) under 100 contracts with a
GTI of 4 h and a GTR of 300 h on a Paris office calendar (09:00-18:00, French holidays), each
request opened in the last seven weeks and taken in hand an hour later (its GTI stopped, its GTR
running), the SLA events switched on for every client and one collaborator opted in to them on
every contract: every threshold crossed writes a save and an alert. The data is written with
plain executemany for speed; the schema is the one `alertctl init` creates.

It then runs, at a fixed Wednesday 10:00 in Paris:

1. a first check, which reads every clock (what a change of calendar costs), and
2. `--minutes` checks a minute apart, as the watcher runs them: each reads only the clocks due
   through the index, and raises the thresholds crossed in that minute.

Beside them, what reading every clock costs without the index (every history read and every
clock computed), which is what a check would cost each minute without it.

    python benchmarks/sla_check.py [--requests 100000] [--minutes 10] [--dir /tmp/alertctl-bench]
"""

import argparse
import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from alertctl.db.engine import Database
from alertctl.db.tables import Request
from alertctl.domain.sla import read
from alertctl.services.common import ident
from alertctl.services.operations.setup import init
from alertctl.services.sla.check import check_clocks
from alertctl.services.sla.clocks import histories_of, sla_of

NOW = datetime(2026, 6, 17, 10, 0, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
SLA_EVENTS = ("gti_warning", "gti_breach", "gtr_warning", "gtr_breach")


def build(path: Path, requests: int, seed: int = 11) -> None:
    path.unlink(missing_ok=True)
    database = Database(str(path))
    init(database)
    database.close()
    rng = random.Random(seed)
    contracts = 100
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    status = dict(connection.execute("SELECT code, id FROM status"))
    with connection:
        connection.execute(
            "INSERT INTO calendar (name, zone, hours, country, closed) "
            "VALUES ('paris', 'Europe/Paris', 'mon-fri 09:00-18:00', 'FR', '')"
        )
        connection.executemany(
            "INSERT INTO client (id, code, name, language) VALUES (?, ?, ?, 'fr')",
            ((i, f"C{i}", f"Client {i}") for i in range(1, contracts + 1)),
        )
        connection.executemany(
            "INSERT INTO client_alert_setting (client_id, event, enabled, keyword, format) "
            "VALUES (?, ?, 1, '[SLA]', 'text')",
            ((i, e) for i in range(1, contracts + 1) for e in SLA_EVENTS),
        )
        connection.executemany(
            "INSERT INTO contract (id, code, client_id, name, source_contract, source_product, "
            "source_site, source_service, source_client, calendar, gti_minutes, gtr_minutes) "
            "VALUES (?, ?, ?, ?, 1, 0, 0, 0, 0, 'paris', 240, 18000)",
            ((i, f"K{i}", i, f"Contract {i}") for i in range(1, contracts + 1)),
        )
        connection.execute(
            "INSERT INTO person (id, kind, code, name, email, email_active, fax_active, active, "
            "opt_open, opt_resolution, opt_closure_external, opt_closure_internal, "
            "opt_status_change, opt_gti_warning, opt_gti_breach, opt_gtr_warning, "
            "opt_gtr_breach) VALUES (1, 'collaborator', 'duty', 'On duty', "
            "'duty@support.example', 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1)"
        )
        connection.executemany(
            "INSERT INTO contract_interlocutor (person_id, target_id) VALUES (1, ?)",
            ((i,) for i in range(1, contracts + 1)),
        )
        rows, saves = [], []
        for i in range(1, requests + 1):
            opened = NOW - timedelta(seconds=rng.uniform(0, 7 * 7 * 86400))
            taken = opened + timedelta(hours=1)
            contract = rng.randint(1, contracts)
            rows.append(
                (i, f"R{i}", contract, contract, f"Request {i}", status["WIP"], opened, taken)
            )
            saves.append((i, f"o{i}", opened, status["OPEN"], None, "open"))
            saves.append((i, f"w{i}", taken, status["WIP"], status["OPEN"], "status_change"))
        connection.executemany(
            "INSERT INTO request (id, reference, contract_id, client_id, title, "
            "external_description, status_id, open_fired, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'It fails', ?, 1, ?, ?)",
            ((*r[:6], _sql(r[6]), _sql(r[7])) for r in rows),
        )
        connection.executemany(
            "INSERT INTO request_save (request_id, save_key, saved_at, status_id, "
            "previous_status_id, changes, events, superseded) "
            "VALUES (?, ?, ?, ?, ?, '{}', ?, '[]')",
            ((s[0], s[1], _sql(s[2]), s[3], s[4], s[5]) for s in saves),
        )
        connection.execute(
            "INSERT INTO sla_clock (request_id, next_check_at) SELECT id, ? FROM request",
            (_sql(NOW - timedelta(days=60)),),
        )
    connection.close()


def _sql(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def full_read(database: Database) -> tuple[float, int]:
    """Every open request's clocks read and computed: a check's cost without the index."""
    started = time.perf_counter()
    with database.session(write=False) as session:
        requests = list(session.exec(select(Request)).all())
        histories = histories_of(session, [ident(r.id) for r in requests])
        counted = 0
        for request in requests:
            sla = sla_of(session, request)
            history = [(h.at, h.type) for h in histories.get(ident(request.id), [])]
            if sla is None or not history:
                continue
            for clock, target in sla.targets.items():
                read(clock, target, sla.calendar, history, NOW)
                counted += 1
    return time.perf_counter() - started, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/alertctl-bench"))
    options = parser.parse_args()
    options.dir.mkdir(parents=True, exist_ok=True)
    path = options.dir / "sla.db"
    started = time.perf_counter()
    build(path, options.requests)
    print(f"built {options.requests:,} open requests in {time.perf_counter() - started:.1f} s")
    database = Database(str(path))
    started = time.perf_counter()
    first = check_clocks(database, NOW)
    print(
        f"first check (every clock read): {time.perf_counter() - started:.1f} s, "
        f"{first.checked:,} requests, {len(first.fired):,} SLA events raised"
    )
    costs, raised, read_rows = [], 0, 0
    for minute in range(1, options.minutes + 1):
        started = time.perf_counter()
        report = check_clocks(database, NOW + timedelta(minutes=minute))
        costs.append(time.perf_counter() - started)
        raised += len(report.fired)
        read_rows += report.checked
    print(
        f"a check a minute, {options.minutes} of them: median {statistics.median(costs):.3f} s, "
        f"max {max(costs):.3f} s; {read_rows} clocks due read, {raised} SLA events raised"
    )
    seconds, counted = full_read(database)
    print(f"every clock read without the index: {seconds:.1f} s ({counted:,} clocks)")
    database.close()


if __name__ == "__main__":
    main()
