"""SQLite as the tool uses it: WAL, foreign keys, a busy timeout, writers locking up front."""

import threading
import time
from pathlib import Path

from sqlalchemy import text

from alertctl.db.engine import Database
from alertctl.db.tables import Client


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(db_path: Path) -> None:
    database = Database(str(db_path))
    with database.session(write=False) as session:
        pragma = {
            name: session.connection().exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    database.close()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000}


def test_a_second_writer_waits_for_the_first_instead_of_failing(db_path: Path) -> None:
    first_has_lock = threading.Event()
    order: list[str] = []

    def first_writer() -> None:
        database = Database(str(db_path))
        with database.session(write=True) as session:
            first_has_lock.set()
            time.sleep(0.3)
            session.add(Client(code="FIRST", name="First"))
            order.append("first")
        database.close()

    thread = threading.Thread(target=first_writer)
    thread.start()
    first_has_lock.wait()
    second = Database(str(db_path))
    with second.session(write=True) as session:
        # BEGIN IMMEDIATE waited here until the first writer committed.
        seen = session.connection().execute(text("SELECT code FROM client")).scalars().all()
        session.add(Client(code="SECOND", name="Second"))
        order.append("second")
    second.close()
    thread.join()
    assert order == ["first", "second"]
    assert seen == ["FIRST"]


def test_a_failed_unit_of_work_leaves_nothing(db_path: Path) -> None:
    database = Database(str(db_path))
    try:
        with database.session(write=True) as session:
            session.add(Client(code="GONE", name="Gone"))
            session.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with database.session(write=False) as session:
        assert session.connection().execute(text("SELECT count(*) FROM client")).scalar() == 0
    database.close()
