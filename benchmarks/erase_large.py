"""What an erase costs on a large outbox, against the rebuild it no longer does.

A desk whose outbox holds a million alerts of realistic size (a subject, a text body and the
raw message, about 2 KB each), a hundred of them to the contact erased. The erase is timed
(its own transaction, the WAL emptied, the file read through for copies left), then
`db vacuum`, the rebuild of the file that an erase used to run each time.

    python benchmarks/erase_large.py [--alerts 1000000]

The goal (docs/architecture.md, "Privacy"): an erase's time is not the file's rebuild, and
grows with the file's size only by one read through it.
"""

import argparse
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from desk import fresh_desk, run

SETUP = """client add DESK --name Desk
client alerts DESK --event open --enable --keyword [Desk]
site add DESK HQ --name HQ --main
product add ERP --name ERP
contract add K1 --client DESK --name K1 --product ERP
contact add alice --name 'Alice Martin' --client DESK --site HQ --email alice@desk.example
contact add bruno --name 'Bruno Petit' --client DESK --site HQ --email bruno@desk.example
contact alerts alice --on open
contact alerts bruno --on open
link contract K1 --contact alice
link contract K1 --contact bruno
contract enable K1
"""


def grow(db: Path, alerts: int) -> None:
    """The two alerts of the one request, copied until the outbox holds `alerts`: alice's a
    hundred of them, bruno's the rest, each with its own key and a body of its own."""
    with closing(sqlite3.connect(db)) as connection:
        columns = [
            r[1]
            for r in connection.execute("PRAGMA table_info(alert)")
            if r[1] not in ("id", "key")
        ]
        shown = ", ".join(columns)
        picked = ", ".join(
            f"{c} || ' ' || n" if c in ("subject", "text_body") else c for c in columns
        )
        for code, count in (("alice", 100), ("bruno", alerts - 100)):
            connection.execute(
                f"WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < ?) "
                f"INSERT INTO alert (key, {shown}) SELECT 'copy' || n || '-' || a.key, {picked} "
                "FROM alert a JOIN person p ON p.id = a.person_id, n WHERE p.code = ?",
                (count, code),
            )
            connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        db = root / "large.db"
        (root / "setup.batch").write_text(SETUP, encoding="utf-8")
        env = fresh_desk(db, root / "setup.batch")
        run(
            [
                "request",
                "open",
                "R1",
                "--title",
                "Export stopped",
                "--contract",
                "K1",
                "--external-description",
                "The nightly export stopped.",
            ],
            env,
        )
        run(["alerts", "send"], env | {"ALERTCTL_MAILDIR": str(root / "mail")})
        grow(db, options.alerts)
        size = db.stat().st_size / 2**20
        start, _ = run(["client", "list"], env)
        erase, said = run(["contact", "erase", "alice", "--yes"], env)
        vacuum, _ = run(["db", "vacuum"], env)
        print(f"{options.alerts:,} alerts, a file of {size:,.0f} MiB:")
        print(f"  contact erase: {erase - start:.2f} s ({said.splitlines()[-1]})")
        print(f"  db vacuum (the rebuild an erase used to run): {vacuum - start:.2f} s")
        print(f"  an erase takes {(erase - start) / (vacuum - start):.2f} of a rebuild")


if __name__ == "__main__":
    main()
