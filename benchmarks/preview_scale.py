"""`alerts preview` on a large database and on one a hundred times smaller.

Builds two databases (by default 10,000 contracts, 100,000 contacts and 1,000,000 requests, and
the same divided by 100), then times the preview of random requests on each and counts the SQL
statements it runs. The data is written with plain executemany for speed; the schema is the one
`alertctl init` creates.

    python benchmarks/preview_scale.py [--scale 1.0] [--samples 30] [--dir /tmp/alertctl-bench]
"""

import argparse
import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from alertctl.db.engine import Database
from alertctl.services.operations.setup import init
from alertctl.services.saves.preview import preview

EVENTS = ("open", "resolution", "closure_external", "closure_internal", "status_change")


def build(path: Path, *, contracts: int, contacts: int, requests: int, seed: int = 7) -> None:
    path.unlink(missing_ok=True)
    database = Database(str(path))
    init(database)
    database.close()
    rng = random.Random(seed)
    clients = max(contracts // 10, 1)
    products = max(contracts // 20, 1)
    now = datetime.now(UTC).isoformat(sep=" ")
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        connection.executemany(
            "INSERT INTO client (id, code, name, language) VALUES (?, ?, ?, 'fr')",
            ((i, f"C{i}", f"Client {i}") for i in range(1, clients + 1)),
        )
        for client_id in range(1, clients + 1):
            connection.execute(
                "INSERT INTO client_alert_setting (client_id, event, enabled, keyword, format) "
                "SELECT ?, value, 1, '[SUPPORT]', 'text' FROM json_each(?)",
                (
                    client_id,
                    '["open","resolution","closure_external","closure_internal","status_change"]',
                ),
            )
        connection.executemany(
            "INSERT INTO site (id, client_id, code, name, is_main) VALUES (?, ?, ?, ?, ?)",
            ((i, (i + 1) // 2, f"S{i}", f"Site {i}", i % 2) for i in range(1, 2 * clients + 1)),
        )
        connection.executemany(
            "INSERT INTO product (id, code, name) VALUES (?, ?, ?)",
            ((i, f"P{i}", f"Product {i}") for i in range(1, products + 1)),
        )
        connection.executemany(
            "INSERT INTO contract (id, code, client_id, name, source_product, source_site, "
            "source_contract, source_service, source_client) VALUES (?, ?, ?, ?, 1, 1, 1, 1, 1)",
            ((i, f"K{i}", (i - 1) % clients + 1, f"Contract {i}") for i in range(1, contracts + 1)),
        )
        connection.executemany(
            "INSERT INTO contract_product (contract_id, product_id) VALUES (?, ?)",
            ((i, (i - 1) % products + 1) for i in range(1, contracts + 1)),
        )
        connection.executemany(
            "INSERT INTO service (id, contract_id, code, name) "
            "VALUES (?, ?, 'MAINT', 'Maintenance')",
            ((i, i) for i in range(1, contracts + 1)),
        )
        connection.executemany(
            "INSERT INTO person (id, kind, code, client_id, name, email, email_active, fax_active, "
            "active, opt_open, opt_resolution, opt_closure_external, opt_closure_internal, "
            "opt_status_change) VALUES (?, 'contact', ?, ?, ?, ?, 1, 0, 1, 1, 1, ?, 0, ?)",
            (
                (
                    i,
                    f"c{i}",
                    (i - 1) % clients + 1,
                    f"Contact {i}",
                    f"c{i}@example.com",
                    i % 2,
                    i % 3 == 0,
                )
                for i in range(1, contacts + 1)
            ),
        )
        connection.executemany(
            "INSERT INTO contact_site (person_id, site_id) VALUES (?, ?)",
            ((i, 2 * ((i - 1) % clients) + 1 + i % 2) for i in range(1, contacts + 1)),
        )
        # Each contact is an interlocutor of one source of its client's world.
        tables = ["contract", "service", "site", "client", "product"]
        rows: dict[str, list[tuple[int, int]]] = {t: [] for t in tables}
        for i in range(1, contacts + 1):
            client = (i - 1) % clients + 1
            table = tables[i % 5]
            target = {
                "contract": rng.randrange(client, contracts + 1, clients)
                if client <= contracts
                else 1,
                "service": rng.randrange(client, contracts + 1, clients)
                if client <= contracts
                else 1,
                "site": 2 * (client - 1) + 1 + rng.randrange(2),
                "client": client,
                "product": rng.randrange(1, products + 1),
            }[table]
            rows[table].append((i, target))
        for table, pairs in rows.items():
            connection.executemany(
                f"INSERT OR IGNORE INTO {table}_interlocutor (person_id, target_id) VALUES (?, ?)",
                pairs,
            )
        status_id = connection.execute("SELECT id FROM status WHERE code = 'WIP'").fetchone()[0]

        def request_rows() -> Any:
            for i in range(1, requests + 1):
                contract = (i - 1) % contracts + 1
                client = (contract - 1) % clients + 1
                yield (
                    f"R{i}",
                    contract,
                    client,
                    2 * (client - 1) + 1,
                    (contract - 1) % products + 1,
                    contract,
                    f"Request {i}",
                    "Described",
                    status_id,
                    now,
                    now,
                )

        connection.executemany(
            "INSERT INTO request (reference, contract_id, client_id, site_id, product_id, "
            "service_id, title, external_description, status_id, open_fired, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            request_rows(),
        )
    connection.execute("ANALYZE")
    connection.close()


def measure(path: Path, requests: int, samples: int) -> tuple[float, list[int], float]:
    """The preview's median time, the numbers of queries it ran (a request that alerts someone
    also reads their noise rules and held changes: a few more, whatever the size), and the mean
    number of recipients."""
    database = Database(str(path))
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    rng = random.Random(11)
    references = [f"R{rng.randrange(1, requests + 1)}" for _ in range(samples)]
    preview(database, reference=references[0])  # warm the caches
    timings, counts, recipients = [], [], []
    for reference in references:
        statements.clear()
        start = time.perf_counter()
        doc = preview(database, reference=reference)
        timings.append(time.perf_counter() - start)
        counts.append(len(statements))
        recipients.append(sum(len(e.recipients) for e in doc.events))
    database.close()
    return statistics.median(timings), sorted(set(counts)), statistics.mean(recipients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 requests")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/alertctl-bench"))
    options = parser.parse_args()
    options.dir.mkdir(parents=True, exist_ok=True)
    large = {
        k: int(v * options.scale)
        for k, v in {"contracts": 10_000, "contacts": 100_000, "requests": 1_000_000}.items()
    }
    small = {k: max(v // 100, 1) for k, v in large.items()}
    results = {}
    query_counts = {}
    for name, size in (("small", small), ("large", large)):
        path = options.dir / f"{name}.db"
        start = time.perf_counter()
        build(path, **size)
        built = time.perf_counter() - start
        median, queries, recipients = measure(path, size["requests"], options.samples)
        results[name] = median
        query_counts[name] = queries
        print(
            f"{name}: {size['contracts']:,} contracts, {size['contacts']:,} contacts, "
            f"{size['requests']:,} requests (built in {built:.0f} s, "
            f"{path.stat().st_size / 2**20:.0f} MiB): preview median {median * 1000:.1f} ms, "
            f"{' or '.join(map(str, queries))} queries, {recipients:.1f} recipients on average"
        )
    print(f"ratio large/small: {results['large'] / results['small']:.2f}")
    # The number of queries depends on the request, never on the size of the database.
    assert query_counts["large"] == query_counts["small"], query_counts


if __name__ == "__main__":
    main()
