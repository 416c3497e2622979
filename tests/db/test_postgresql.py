"""The same code on PostgreSQL: migrations, a whole setup, requests, previews, concurrent
senders. Runs when ALERTCTL_TEST_POSTGRES_URL names a server (`.ci/run` starts one when the
machine has PostgreSQL); skipped otherwise."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from tests.helpers import ok
from tests.smtp_server import Handler

SERVER = os.environ.get("ALERTCTL_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not SERVER, reason="ALERTCTL_TEST_POSTGRES_URL is not set")


@pytest.fixture
def pg() -> Iterator[str]:
    """A fresh database on the server, dropped afterwards."""
    import psycopg

    assert SERVER is not None
    name = f"alertctl_{uuid.uuid4().hex[:12]}"
    admin = SERVER.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = SERVER.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_whole_setup_round_trips_and_alerts_on_postgresql(pg: str, tmp_path: Path) -> None:
    db = pg
    ok(db, "init")
    setup = str(files("alertctl") / "sample_data" / "setup.toml")
    ok(db, "config", "apply", setup)
    assert ok(db, "config", "export").stdout == Path(setup).read_text(encoding="utf-8")
    # The statement triggers count writes here as the row triggers do on SQLite.
    unchanged = "the same file as the last apply, and the configuration is unchanged since\n"
    assert ok(db, "config", "apply", setup).stderr == unchanged
    ok(db, "contact", "update", "alice", "--name", "Someone else")
    assert "applied: 0 to add, 1 to change" in ok(db, "config", "apply", setup).stderr
    assert ok(db, "config", "apply", setup).stderr == unchanged
    ok(db, "request", "ingest", str(files("alertctl") / "sample_data" / "saves.jsonl"))
    preview = json.loads(ok(db, "alerts", "preview", "DEM-2", "-e", "open", "--json").stdout)
    assert {r["code"] for r in preview["events"][0]["recipients"]} == {"alice", "dan"}
    explain = json.loads(
        ok(db, "alerts", "explain", "DEM-2", "-c", "erin", "-e", "open", "--json").stdout
    )
    assert explain["events"][0]["excluded"][0]["reason"] == "not_on_main_site"
    ok(db, "alerts", "send")
    rows = json.loads(ok(db, "alerts", "list", "--json").stdout)
    assert len(rows) == 19 and {r["status"] for r in rows} == {"sent"}
    # dan (GLOBEX) hears of GLOBEX's DEM-2, not of ACME's DEM-3 (rule 3), here as on SQLite.
    assert {r["request"] for r in rows if r["code"] == "dan"} == {"DEM-2"}
    # A person is erased the same way; PostgreSQL keeps old row versions until a vacuum.
    erased = ok(db, "contact", "erase", "alice", "--yes")
    assert "old row versions remain until the tables are vacuumed" in erased.stderr
    assert "alice" not in ok(db, "alerts", "list", "--json").stdout
    # The migrations and the bad-input path behave the same.
    assert ok(db, "init").stderr.endswith("is up to date (schema 0014)\n")


def test_two_senders_share_the_work_on_postgresql(pg: str, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    db = pg
    ok(db, "init")
    ok(db, "config", "apply", str(files("alertctl") / "sample_data" / "setup.toml"))
    for i in range(40):
        ok(
            db,
            "request",
            "open",
            f"P{i}",
            "--contract",
            "K1",
            "--product",
            "ERP",
            "--title",
            "T",
            "--external-description",
            "D",
        )
    Path("alertctl.toml").write_text(
        f'[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\ngateway = "{{number}}@fax.x"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        "[delivery]\nbatch_size = 5\n"
    )
    command = [sys.executable, "-m", "alertctl", "--db", pg, "alerts", "send"]
    senders = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = [s.communicate(timeout=300)[1] for s in senders]
    assert [s.returncode for s in senders] == [0, 0], reports
    keys = Counter(str(m.message["X-Alertctl-Key"]) for m in handler.received)
    queued = json.loads(ok(db, "alerts", "list", "--json").stdout)
    assert len(queued) == 120 and {r["status"] for r in queued} == {"sent"}
    assert len(keys) == len(queued) and max(keys.values()) == 1


def test_two_watchers_woken_by_notify_share_the_work(pg: str, smtp: tuple[Handler, int]) -> None:
    """Two `alerts send --watch` on one database: each save's NOTIFY wakes them (their timer is
    set to a minute, longer than the test waits), and they never send anything twice. The server
    holds the first message of each connection until both watchers are in DATA, so both take
    part."""
    from tests.services.test_watch import Watcher

    handler, port = smtp
    handler.meet = 2
    ok(pg, "init")
    ok(pg, "config", "apply", str(files("alertctl") / "sample_data" / "setup.toml"))
    Path("alertctl.toml").write_text(
        f'[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\ngateway = "{{number}}@fax.x"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        "[delivery]\nbatch_size = 5\n"
    )
    watchers = [Watcher(pg, "--poll", "60") for _ in range(2)]
    try:
        for watcher in watchers:
            watcher.expect(lambda line: " start: watching " in line)
        for i in range(20):
            ok(
                pg,
                "request",
                "open",
                f"W{i}",
                "--contract",
                "K1",
                "--product",
                "ERP",
                "--title",
                "T",
                "--external-description",
                "D",
            )
        queued = json.loads(ok(pg, "alerts", "list", "--json").stdout)
        deadline = time.monotonic() + 45  # well short of the watchers' one-minute timer
        while len(handler.received) < len(queued):
            assert time.monotonic() < deadline, "the watchers were not woken by NOTIFY"
            time.sleep(0.05)
        assert [w.stop() for w in watchers] == [0, 0]
    finally:
        for watcher in watchers:
            if watcher.process.poll() is None:
                watcher.process.kill()
    keys = Counter(str(m.message["X-Alertctl-Key"]) for m in handler.received)
    assert len(keys) == len(queued) == 60 and max(keys.values()) == 1
    rows = json.loads(ok(pg, "alerts", "list", "--json").stdout)
    assert {r["status"] for r in rows} == {"sent"}
    for watcher in watchers:
        assert any(" batch: " in line and " 0 sent" not in line for line in watcher.seen)


def _sample_on(db: str) -> None:
    ok(db, "init")
    ok(db, "config", "apply", str(files("alertctl") / "sample_data" / "setup.toml"))


def _alerts_by_event(db: str) -> Counter[str]:
    rows = json.loads(ok(db, "alerts", "list", "--all", "--json").stdout)
    return Counter(r["event"] for r in rows)


def test_concurrent_saves_of_one_request_raise_each_transition_once(pg: str) -> None:
    """Two `request update --status RESOLVED` at once on each request: one of them resolves
    it, the other finds it resolved already; each request's resolution is alerted once."""
    db = pg
    _sample_on(db)
    count = 8
    for i in range(count):
        ok(db, "request", "open", f"RACE-{i}", "--contract", "K1", "--title", "T",
           "--external-description", "D")  # fmt: skip
    command = [sys.executable, "-m", "alertctl", "--db", db, "request", "update"]
    racers = [
        subprocess.Popen([*command, f"RACE-{i}", "--status", "RESOLVED"], stderr=subprocess.PIPE)
        for i in range(count)
        for _ in range(2)
    ]
    for racer in racers:
        _, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err
    resolved = json.loads(ok(db, "request", "show", "RACE-0", "--json").stdout)
    assert [s["events"] for s in resolved["saves"]].count(["resolution", "status_change"]) == 1
    per_request = _alerts_by_event(db)["resolution"] // count
    assert _alerts_by_event(db)["resolution"] == per_request * count and per_request >= 1


def test_two_feeds_creating_the_same_requests_end_with_one_each(pg: str, tmp_path: Path) -> None:
    db = pg
    _sample_on(db)
    feeds = []
    for name in ("a", "b"):
        lines = [
            json.dumps(
                {
                    "reference": f"NEW-{i}",
                    "contract": "K1",
                    "title": f"From {name}",
                    "external_description": "D",
                    "status": "RESOLVED" if name == "b" else "OPEN",
                }
            )
            for i in range(60)
        ]
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        feeds.append(path)
    command = [sys.executable, "-m", "alertctl", "--db", db, "request", "ingest"]
    runs = [subprocess.Popen([*command, str(f)], stderr=subprocess.PIPE, text=True) for f in feeds]
    reports = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], reports
    assert all("unexpected" not in report for report in reports), reports
    listed = json.loads(ok(db, "request", "list", "--all", "--json").stdout)
    assert sorted(r["reference"] for r in listed) == sorted(f"NEW-{i}" for i in range(60))
    # Each request opened once: `open` fired once for each.
    assert _alerts_by_event(db)["open"] == 60 * (_alerts_by_event(db)["open"] // 60)
    for reference in ("NEW-0", "NEW-59"):
        shown = json.loads(ok(db, "request", "show", reference, "--json").stdout)
        assert sum("open" in s["events"] for s in shown["saves"]) == 1


RESTART = os.environ.get("ALERTCTL_TEST_POSTGRES_RESTART")


@pytest.mark.skipif(not RESTART, reason="ALERTCTL_TEST_POSTGRES_RESTART is not set")
def test_the_watcher_outlives_a_server_restart(pg: str, smtp: tuple[Handler, int]) -> None:
    """`pg_ctl restart` under a running watcher: it logs the fault, waits, reconnects, and
    delivers what is saved after the restart."""
    from tests.services.test_delivery import settings_file
    from tests.services.test_watch import watching

    assert RESTART is not None
    handler, port = smtp
    settings_file(port)
    _sample_on(pg)
    opened = ("--contract", "K1", "--title", "T", "--external-description", "D")
    ok(pg, "request", "open", "BEFORE", *opened)
    with watching(pg) as watcher:  # type: ignore[arg-type]
        watcher.expect(lambda line: " batch: " in line and " 0 retry" in line)
        received = len(handler.received)
        subprocess.run(RESTART, shell=True, check=True, capture_output=True, timeout=120)
        watcher.expect(lambda line: " fault: " in line)
        ok(pg, "request", "open", "AFTER", *opened)
        watcher.expect(lambda line: " batch: " in line and " 0 retry" in line)
        assert watcher.stop() == 0
    assert len(handler.received) == 2 * received
    log = "".join(watcher.seen)
    assert "Traceback" not in log and "error: unexpected" not in log, log


def test_an_erase_racing_a_busy_sender_leaves_nothing_and_nothing_leaves_after_it(
    pg: str, smtp: tuple[Handler, int]
) -> None:
    """A watcher delivering alice's alerts slowly, and her erase meanwhile: the erase waits
    for no claim of hers to be in flight, and once it is done no message to her leaves and
    nothing of hers is written back."""
    import psycopg

    from tests.helpers import invoke
    from tests.services.test_delivery import settings_file
    from tests.services.test_watch import wait_for, watching

    handler, port = smtp
    handler.delay_seconds = 0.05
    settings_file(port)
    _sample_on(pg)
    opened = ("--contract", "K1", "--title", "T", "--external-description", "D")
    for i in range(30):
        ok(pg, "request", "open", f"E{i}", *opened)
    with watching(pg) as watcher:  # type: ignore[arg-type]
        wait_for(lambda: len(handler.received) >= 3, "delivery under way")
        wait_for(
            lambda: invoke(pg, "contact", "erase", "alice", "--yes").exit_code == 0,
            "alice erased",
        )
        after = len(handler.received)
        ok(pg, "request", "open", "LATER", *opened)
        wait_for(lambda: "pending" not in json.dumps(_alerts(pg)), "everything delivered")
        assert watcher.stop() == 0
    late = [m for m in handler.received[after:] if "alice" in " ".join(m.rcpt_tos)]
    assert late == [], "a message to alice left after her erase"
    admin = pg.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin) as connection:
        found = connection.execute(
            "SELECT count(*) FROM alert WHERE address LIKE '%alice%' OR raw_message LIKE "
            "'%Alice Martin%' OR subject LIKE '%Alice Martin%'"
        ).fetchone()
    assert found == (0,)


def _alerts(db: str) -> list[dict[str, object]]:
    return list(json.loads(ok(db, "alerts", "list", "--all", "--json").stdout))


def test_sla_clocks_raise_each_threshold_once_on_postgresql(pg: str, tmp_path: Path) -> None:
    db = pg
    ok(db, "init")
    ok(db, "config", "apply", str(files("alertctl") / "sample_data" / "setup.toml"))
    ok(db, "request", "ingest", str(files("alertctl") / "sample_data" / "saves.jsonl"))
    ok(
        db,
        "calendar",
        "add",
        "paris",
        "--zone",
        "Europe/Paris",
        "--hours",
        "mon-fri 09:00-12:00,14:00-18:00",
        "--holidays",
        "FR",
    )
    ok(db, "contract", "update", "K1", "--gti", "4h", "--gtr", "16h", "--calendar", "paris")
    ok(db, "client", "alerts", "GLOBEX", "-e", "gti_breach", "--enable", "--keyword", "[G]")
    ok(db, "contact", "alerts", "dan", "--on", "gti_breach")
    first = ok(db, "sla", "check", "--now", "2026-11-26T12:00:00+01:00")
    assert first.stdout == "DEM-2  gti_breach  crossed 2026-11-26 08:35 UTC  1 alert queued\n"
    assert ok(db, "sla", "check", "--now", "2026-11-26T12:00:00+01:00").stdout == ""
    exported = ok(db, "config", "export").stdout
    assert '[calendars.paris]\nzone = "Europe/Paris"\n' in exported
    # A write to a calendar counts as a change of the configuration, as every other does.
    setup = tmp_path / "setup.toml"
    setup.write_text(exported)
    ok(db, "config", "apply", str(setup))
    ok(db, "calendar", "update", "paris", "--closed", "2026-12-24")
    assert "applied: 0 to add, 1 to change" in ok(db, "config", "apply", str(setup)).stderr


def test_two_senders_release_held_alerts_once_on_postgresql(
    pg: str, smtp: tuple[Handler, int]
) -> None:
    """Held alerts whose digest is due, released by two senders at once: the second waits for
    the first's rows (FOR UPDATE), then finds them released (docs/architecture.md)."""
    import psycopg

    handler, port = smtp
    db = pg
    ok(db, "init")
    ok(db, "config", "apply", str(files("alertctl") / "sample_data" / "setup.toml"))
    ok(db, "noise", "contact", "alice", "--digest", "daily 08:00")
    ok(db, "noise", "collaborator", "jdu", "--digest", "daily 08:00")
    for i in range(20):
        ok(
            db,
            "request",
            "open",
            f"P{i}",
            "--contract",
            "K1",
            "--product",
            "ERP",
            "--title",
            "T",
            "--external-description",
            "D",
        )
    with psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(
            "UPDATE alert SET held_until = now() - interval '1 minute' WHERE status = 'held'"
        )
    Path("alertctl.toml").write_text(
        f'[transport]\nemail = "smtp"\nfax = "gateway"\n[fax]\ngateway = "{{number}}@fax.x"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        "[delivery]\nbatch_size = 2\n"
    )
    command = [sys.executable, "-m", "alertctl", "--db", pg, "alerts", "send"]
    senders = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = [s.communicate(timeout=300)[1] for s in senders]
    assert [s.returncode for s in senders] == [0, 0], reports
    rows = json.loads(ok(db, "alerts", "list", "--all", "--json").stdout)
    merged = [r for r in rows if r["status"] == "merged"]
    summaries = {r["id"] for r in rows if r.get("hold") == "summary"}
    # alice by e-mail and by fax, jdu by e-mail: twenty alerts each, one summary each.
    assert len(merged) == 60 and {r["merged_into"] for r in merged} == summaries
    assert len(summaries) == 3
    assert {r["status"] for r in rows} == {"sent", "merged"}
    keys = Counter(str(m.message["X-Alertctl-Key"]) for m in handler.received)
    assert len(keys) == len(rows) - len(merged) and max(keys.values()) == 1


def test_a_feed_on_postgresql_leaves_what_the_same_saves_leave_one_at_a_time(pg: str) -> None:
    """The ids a staged feed gives its rows come from the tables' sequences, as an insert's
    would (docs/architecture.md, "Staged writes")."""
    import psycopg

    from alertctl.services.saves.ingest import ingest
    from tests.services.test_staged_saves import desk, mixed_feed, one_at_a_time, rows

    admin = pg.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    single = f"{pg}_single"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{single.rsplit("/", 1)[1]}"')
    try:
        lines = mixed_feed()
        staged_db = desk(pg)
        assert not ingest(staged_db, lines).failures
        staged_db.close()
        single_db = desk(single)
        one_at_a_time(single_db, lines)
        single_db.close()
        assert rows(pg) == rows(single)
        # A plain insert after the feed takes the next id, past those the feed took.
        ok(pg, "request", "open", "NEXT", "--contract", "K1", "--title", "T")
        ids = [int(str(r[0])) for r in rows(pg)["request"]]
        assert max(ids) > len(rows(single)["request"])
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{single.rsplit("/", 1)[1]}" WITH (FORCE)')
