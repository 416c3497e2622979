"""A feed stages its saves' rows and writes them when its transaction ends (docs/architecture.md,
"Staged writes"): it leaves in the database what the same saves leave one at a time, a line
that fails leaves nothing behind it, and a row the database refuses fails its line alone."""

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from alertctl.db.engine import Database
from alertctl.domain.model import Event, PersonKind
from alertctl.services.configuration import clients
from alertctl.services.holds.settings import PersonNoiseChange, person_noise_settings
from alertctl.services.operations.setup import init
from alertctl.services.saves.feed_lines import save_input_from
from alertctl.services.saves.ingest import CHUNK_LINES, ingest
from alertctl.services.saves.requests import open_request, update_request
from tests.sample import build_sample
from tests.services.test_sla_check import paris, with_sla

# The tables a save writes, each with the columns that are the same whenever it runs.
TABLES = {
    "request": "*",
    "request_save": "*",
    "alert": "*",
    "alert_fault": "id, save_id, request_id, event, person_id, channel, reason, detail",
    "sla_clock": "*",
}


def desk(path: Path | str) -> Database:
    """The sample desk with every noise rule a save reads: status changes on and coalescing,
    SLA terms on K1, quiet hours for jdu, a cap of two an hour for alice."""
    db = Database(str(path))
    init(db)
    build_sample(db)
    clients.set_client_alert(
        db, code="ACME", event=Event.STATUS_CHANGE, enabled=True, keyword="[ACME]"
    )
    with_sla(path)
    person_noise_settings(db, PersonKind.CONTACT, "alice", PersonNoiseChange(cap="2"))
    person_noise_settings(
        db,
        PersonKind.COLLABORATOR,
        "jdu",
        PersonNoiseChange(quiet_hours="mon-sun 19:00-08:00", zone="Europe/Paris"),
    )
    return db


def walk(reference: str, start: datetime, statuses: list[str], gap: int) -> list[dict[str, object]]:
    """A request opened at `start`, then taken through `statuses`, `gap` minutes apart."""
    first: dict[str, object] = {
        "title": f"Printer {reference} down",
        "external_description": "Down",
    }
    lines = [first] + [{"status": s} for s in statuses]
    return [
        {
            "reference": reference,
            "contract": "K1",
            "product": "ERP",
            "time": (start + timedelta(minutes=gap * n)).isoformat(),
            "save_id": f"{reference}-{n}",
            **line,
        }
        for n, line in enumerate(lines)
    ]


def mixed_feed() -> list[str]:
    """Requests whose changes coalesce, undo one another, wait beyond the coalescing window,
    are carried by a resolution, fall in quiet hours, and go over the cap, interleaved."""
    saves = (
        walk("R1", paris(1, 14), ["WIP", "WAIT", "WIP", "RESOLVED"], 1)
        + walk("R2", paris(1, 14, 0), ["WIP", "OPEN"], 1)
        + walk("R3", paris(1, 14, 0), ["WIP", "WAIT", "RESOLVED"], 7)
        + walk("R4", paris(1, 18, 55), ["WIP", "WAIT", "WIP"], 4)
        + walk("R5", paris(2, 9), ["WIP", "RESOLVED", "CLOSED"], 30)
    )
    saves.sort(key=lambda s: (str(s["time"]), str(s["reference"])))
    return [json.dumps(s) for s in saves]


def rows(db: Path | str) -> dict[str, list[tuple[object, ...]]]:
    """The rows of TABLES in a database: an SQLite file, or a URL."""
    engine = create_engine(f"sqlite:///{db}" if isinstance(db, Path) else db)
    with engine.connect() as connection:
        found = {
            table: [
                tuple(r) for r in connection.execute(text(f"SELECT {cols} FROM {table} ORDER BY 1"))
            ]
            for table, cols in TABLES.items()
        }
    engine.dispose()
    return found


def one_at_a_time(db: Database, lines: list[str]) -> None:
    """Each line its own `request open` or `request update`: one transaction each, each row
    written as the save goes."""
    seen: set[str] = set()
    for line in lines:
        change = save_input_from(json.loads(line))
        if change.reference in seen:
            update_request(db, change)
        else:
            open_request(db, change)
            seen.add(change.reference)


def test_a_feed_leaves_what_the_same_saves_leave_one_at_a_time(tmp_path: Path) -> None:
    lines = mixed_feed()
    staged = desk(tmp_path / "staged.db")
    report = ingest(staged, lines)
    assert not report.failures, report.failures
    single = desk(tmp_path / "single.db")
    one_at_a_time(single, lines)
    written = rows(tmp_path / "staged.db")
    assert written == rows(tmp_path / "single.db")
    # The feed is one that holds, moves, merges and caps: the comparison is worth something.
    with sqlite3.connect(tmp_path / "staged.db") as connection:
        held = set(connection.execute("SELECT status, hold FROM alert WHERE hold IS NOT NULL"))
    assert {("held", "coalescing"), ("merged", "coalescing"), ("held", "cap")} <= held
    assert written["sla_clock"]


def test_a_feed_longer_than_a_transaction_is_the_same_as_one_at_a_time(tmp_path: Path) -> None:
    """Held changes read by one transaction were staged by the one before."""
    lines = [
        json.dumps(s)
        for n in range(CHUNK_LINES // 3 + 5)
        for s in walk(f"L{n}", paris(1, 14, n % 50), ["WIP", "WAIT", "RESOLVED"], 1)
    ]
    lines.sort(key=lambda line: json.loads(line)["time"])
    staged = desk(tmp_path / "staged.db")
    assert not ingest(staged, lines).failures
    single = desk(tmp_path / "single.db")
    one_at_a_time(single, lines)
    assert rows(tmp_path / "staged.db") == rows(tmp_path / "single.db")


def test_a_line_that_fails_leaves_its_request_as_the_line_before_left_it(
    tmp_path: Path,
) -> None:
    """The bad status is read after the title is set: the title is put back."""
    db = desk(tmp_path / "staged.db")
    lines = [
        json.dumps(s)
        for s in [
            *walk("R1", paris(1, 14), ["WIP"], 1),
            {"reference": "R1", "title": "Renamed", "status": "NOPE", "time": "2026-06-01T12:05Z"},
            {"reference": "R1", "status": "WAIT", "time": "2026-06-01T12:06Z"},
        ]
    ]
    report = ingest(db, lines)
    assert [f.line for f in report.failures] == [3]
    assert report.saves == 3
    with sqlite3.connect(tmp_path / "staged.db") as connection:
        assert connection.execute("SELECT title FROM request").fetchall() == [("Printer R1 down",)]
        changes = connection.execute("SELECT changes FROM request_save ORDER BY id").fetchall()
    # The last save changed the status from WIP, not from what the failed line had set.
    assert json.loads(changes[-1][0]) == {"status": ["WIP", "WAIT"]}


def test_a_line_that_fails_opening_a_request_leaves_no_request(tmp_path: Path) -> None:
    db = desk(tmp_path / "staged.db")
    bad = {"reference": "R9", "title": "Down", "contract": "K1", "site": "NOWHERE"}
    good = {"reference": "R9", "title": "Down", "contract": "K1"}
    report = ingest(db, [json.dumps(bad), json.dumps(good), json.dumps({**good, "status": "WIP"})])
    assert [f.line for f in report.failures] == [1]
    with sqlite3.connect(tmp_path / "staged.db") as connection:
        assert connection.execute("SELECT count(*) FROM request").fetchone() == (1,)
        assert connection.execute("SELECT count(*) FROM request_save").fetchone() == (2,)


def test_a_row_the_database_refuses_fails_its_line_alone(tmp_path: Path) -> None:
    """The refusal comes when the staged rows are written: the transaction is rolled back and
    its lines applied again one at a time, and only the line at fault fails."""
    path = tmp_path / "staged.db"
    db = desk(path)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON request_save WHEN NEW.save_key = 'bad' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    lines = [
        json.dumps({**s, "save_id": f"s{n}"})
        for n, s in enumerate(walk("R1", paris(1, 14), ["WIP", "WAIT"], 1))
    ]
    lines.insert(
        2,
        json.dumps(
            {
                "reference": "R1",
                "status": "OPEN",
                "save_id": "bad",
                "time": paris(1, 14, 1).isoformat(),
            }
        ),
    )
    report = ingest(db, lines)
    assert [(f.line, "refused by the test" in f.message) for f in report.failures] == [(3, True)]
    assert report.saves == 3
    with sqlite3.connect(path) as connection:
        keys = connection.execute("SELECT save_key FROM request_save ORDER BY id").fetchall()
    assert keys == [("s0",), ("s1",), ("s2",)]
