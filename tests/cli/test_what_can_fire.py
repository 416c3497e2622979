"""Preview, explain and the save itself never contradict what happens: an event the request
cannot raise now is said first, with why; a save that raised nothing says why; `config apply`
leaves out of its impact the events that can never fire again; a feed's late line is refused."""

import json
import sqlite3
import tomllib
from pathlib import Path

import tomli_w

from tests.cli.test_ingest import count, write_feed
from tests.helpers import database_bytes, invoke, ok, open_args

WAITS = (
    "open waits for the request's first external description: it fires at the save that adds one"
)
FIRED = "open already fired for this request, and never fires twice"


def _without_description(db: Path, reference: str = "R2") -> None:
    result = ok(db, "request", "open", reference, "--contract", "K1", "--title", "T")
    assert result.stderr == (
        f"opened request {reference}: no event (open waits for a first external description); "
        "0 alerts queued\n"
    )


def test_open_before_the_first_external_description_is_said_first(sample_db: Path) -> None:
    _without_description(sample_db)
    shown = ok(sample_db, "alerts", "preview", "R2", "--event", "open").stdout.splitlines()
    assert shown[0] == f"open cannot fire now: {WAITS}"
    assert shown[1].strip() == "open: 2 recipients if it fired"
    document = json.loads(ok(sample_db, "alerts", "preview", "R2", "--json").stdout)
    assert {e["event"]: e["cannot_fire"] for e in document["events"]} == {
        "open": WAITS,
        "resolution": None,
        "closure_external": None,
        "closure_internal": None,
        "status_change": None,
    }
    told = ok(sample_db, "alerts", "explain", "R2", "--contact", "alice", "--event", "open")
    lines = told.stdout.splitlines()
    assert lines[0] == f"open cannot fire now: {WAITS}"
    assert lines[1].startswith("open: contact alice would receive it if it fired, by email")
    explained = json.loads(
        ok(sample_db, "alerts", "explain", "R2", "-c", "alice", "-e", "open", "--json").stdout
    )
    assert explained["events"][0]["cannot_fire"] == WAITS


def test_open_that_already_fired_is_said_first(sample_db: Path) -> None:
    _without_description(sample_db)
    added = ok(sample_db, "request", "update", "R2", "--external-description", "Now described")
    assert added.stderr.splitlines()[-1] == "updated request R2: open; 2 alerts queued"
    shown = ok(sample_db, "alerts", "preview", "R2", "--event", "open").stdout.splitlines()
    assert shown[0] == f"open cannot fire now: {FIRED}"
    resolution = ok(sample_db, "alerts", "preview", "R2", "--event", "resolution").stdout
    assert "cannot fire" not in resolution
    state_only = ok(sample_db, "request", "update", "R2", "--state", "answer to send")
    assert state_only.stderr == (
        "updated request R2: no event (only the state changed, which is not a status change; "
        "open fired at an earlier save); 0 alerts queued\n"
    )
    nothing = ok(sample_db, "request", "update", "R2", "--title", "Renamed", "--json")
    assert json.loads(nothing.stdout)["no_event_reason"] == (
        "the status did not change; open fired at an earlier save"
    )


def test_config_apply_leaves_out_events_that_cannot_fire_again(
    sample_db: Path, tmp_path: Path
) -> None:
    ok(sample_db, *open_args("R1"))  # open fired
    _without_description(sample_db)  # open can still fire
    document = tomllib.loads(ok(sample_db, "config", "export").stdout)
    document["contacts"]["alice"]["alerts"] = ["resolution", "closure_external"]
    setup = tmp_path / "setup.toml"
    setup.write_text(tomli_w.dumps(document), encoding="utf-8")
    result = ok(sample_db, "--dry-run", "config", "apply", str(setup), "--json")
    impact = {(i["request"], i["event"]) for i in json.loads(result.stdout)["impact"]}
    assert ("R2", "open") in impact
    assert ("R1", "open") not in impact
    assert ("R1", "closure_external") in impact


def test_a_late_feed_line_is_refused_never_applied_as_new(sample_db: Path, tmp_path: Path) -> None:
    """Re-ingesting a fixed earlier line after a later one must not move the request back."""
    opened = {
        "save_id": "d-1",
        "time": "2026-11-02T14:00:00Z",
        "reference": "R1",
        "contract": "K1",
        "product": "ERP",
        "title": "Printer",
        "external_description": "It jams",
    }
    wip = {"save_id": "d-2", "time": "2026-11-02T14:05:00Z", "reference": "R1", "status": "WIP"}
    resolved = {"save_id": "d-3", "time": "2026-11-02T14:15:00Z", "reference": "R1"}
    resolved["status"] = "RESOLVED"
    ok(
        sample_db,
        "request",
        "ingest",
        str(write_feed(tmp_path / "a.jsonl", [opened, wip, resolved])),
    )
    alerts = count(sample_db, "alert")

    fixed = {**wip, "save_id": "d-2-fixed", "state": "fixed"}
    feed = write_feed(tmp_path / "b.jsonl", [resolved, fixed])
    before = database_bytes(sample_db)
    assert before.get("alertctl.db-wal", b"") == b""  # all of it is in the main file
    result = invoke(sample_db, "request", "ingest", str(feed))
    assert result.exit_code == 1, str(result)
    assert result.stderr.splitlines() == [
        "error: line 2: the time of this save, 2026-11-02T14:05:00+00:00, is before the last "
        "applied save of request R1 (2026-11-02T14:15:00+00:00): saves are applied in time "
        "order, and this one was not",
        "0 saves applied, 1 already applied, 0 alerts queued, 1 line failed",
    ]
    assert database_bytes(sample_db).get("alertctl.db-wal", b"") == b""
    assert database_bytes(sample_db)["alertctl.db"] == before["alertctl.db"]
    assert count(sample_db, "alert") == alerts
    with sqlite3.connect(sample_db) as connection:
        status = connection.execute(
            "SELECT s.code FROM request r JOIN status s ON s.id = r.status_id"
        ).fetchone()[0]
    assert status == "RESOLVED"
    # A save at the same time as the last one is in order.
    same_time = {**resolved, "save_id": "d-4", "state": "answer to send"}
    ok(sample_db, "request", "ingest", str(write_feed(tmp_path / "c.jsonl", [same_time])))
