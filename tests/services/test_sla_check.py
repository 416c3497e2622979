"""The clock check on a real database: each SLA threshold raised once, at the instant it is
crossed in business time; again only when a target or a calendar moves that instant; never a
breach for a clock stopped in time; and exactly once under two checkers at once and under
SIGKILL (docs/rules.md, "SLA clocks")."""

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from alertctl.db.engine import Database
from alertctl.domain.model import Event, PersonKind
from alertctl.services.configuration import clients, contracts, people
from alertctl.services.saves.ingest import ingest
from alertctl.services.sla.calendars import CalendarChange, add_calendar, update_calendar
from alertctl.services.sla.check import check_clocks
from alertctl.services.sla.targets import SlaChange

SLA = [Event.GTI_WARNING, Event.GTI_BREACH, Event.GTR_WARNING, Event.GTR_BREACH]


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2026: day 1 is a Monday."""
    return datetime(2026, 6, day, hour, minute, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def with_sla(db_path: Path | str, *, gti: str = "4h", gtr: str = "16h") -> Database:
    """The sample help desk with SLA terms on K1 (a Paris office calendar), its SLA events
    switched on for ACME, and jdu (interlocutor of the product ERP) opted in to them."""
    db = Database(str(db_path))
    add_calendar(
        db, "paris", CalendarChange(zone="Europe/Paris", hours="mon-fri 09:00-12:00,14:00-18:00")
    )
    contracts.update_contract(db, code="K1", sla=SlaChange(gti=gti, gtr=gtr, calendar="paris"))
    for event in SLA:
        clients.set_client_alert(db, code="ACME", event=event, enabled=True, keyword="[SLA]")
    people.set_opt_ins(db, kind=PersonKind.COLLABORATOR, code="jdu", on=SLA, off=[])
    return db


def feed(db: Database, *saves: dict[str, object]) -> None:
    lines = [json.dumps({"contract": "K1", "product": "ERP", **s}) for s in saves]
    report = ingest(db, lines)
    assert not report.failures, report.failures


def opened(reference: str, at: datetime, **more: object) -> dict[str, object]:
    return {
        "reference": reference,
        "title": "Printer down",
        "external_description": "It is down",
        "time": at.isoformat(),
        **more,
    }


def raised(db_path: Path) -> list[tuple[str, str, str]]:
    """The SLA saves, as (reference, events, instant crossed), in the order written."""
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT r.reference, s.events, s.saved_at FROM request_save s "
            "JOIN request r ON r.id = s.request_id WHERE s.save_key LIKE 'sla/%' ORDER BY s.id"
        ).fetchall()
    return [(r, e, str(at)[:16]) for r, e, at in rows]


def test_each_threshold_is_raised_once_at_the_instant_it_is_crossed(db_path: Path) -> None:
    from tests.sample import build_sample

    build_sample(Database(str(db_path)))
    db = with_sla(db_path)
    feed(db, opened("R1", paris(1, 10)))  # Monday 10:00; GTI warning at 2 h used, breach at 4 h
    assert check_clocks(db, paris(1, 11, 59)).fired == []
    first = check_clocks(db, paris(1, 12, 0))  # 2 business hours: 10:00-12:00
    assert [(f.event, f.crossed_at, f.alerts) for f in first.fired] == [
        (Event.GTI_WARNING, paris(1, 12), 1)
    ]
    assert first.next_check_at == paris(1, 16)  # 14:00-16:00 uses the last 2 hours
    assert check_clocks(db, paris(1, 15)).fired == []  # raised already; not due yet
    breach = check_clocks(db, paris(1, 16, 1))
    assert [(f.event, f.crossed_at) for f in breach.fired] == [(Event.GTI_BREACH, paris(1, 16))]
    for _ in range(3):  # checked again and again: nothing more
        assert check_clocks(db, paris(1, 17)).fired == []
    with sqlite3.connect(db_path) as connection:
        alerts = connection.execute(
            "SELECT event, subject, text_body FROM alert WHERE event LIKE 'gt%' ORDER BY id"
        ).fetchall()
    assert [a[0] for a in alerts] == ["gti_warning", "gti_breach"]
    assert alerts[0][1] == "[SLA] GTI bientôt échue\u00a0: R1 \u2013 Printer down"
    assert "échoit le 1 juin 2026 à 16 h 00 (Europe/Paris)" in alerts[0][2]
    assert "il reste 2 h de temps ouvré sur 4 h" in alerts[0][2]
    assert "dépassée depuis le 1 juin 2026 à 16 h 00 (Europe/Paris)" in alerts[1][2]


def test_a_clock_stopped_in_time_never_raises_its_breach(db_path: Path) -> None:
    from tests.sample import build_sample

    build_sample(Database(str(db_path)))
    db = with_sla(db_path)
    feed(
        db,
        opened("R1", paris(1, 10)),
        {"reference": "R1", "status": "WIP", "time": paris(1, 15).isoformat()},
    )
    check_clocks(db, paris(5, 18))
    # GTI: taken in hand after 3 h, past the warning (2 h) but before the 4 h target. The
    # warning is not raised late: the clock had stopped when the check came.
    assert [e for _, e, _ in raised(db_path) if e.startswith("gti")] == []
    # GTR runs on: 16 h target, warning at 14 h (2 h left wins over 75 % = 12 h).
    assert [e for _, e, _ in raised(db_path)] == ["gtr_breach"]


def test_a_paused_clock_raises_nothing_and_resumes_where_it_was(db_path: Path) -> None:
    from tests.sample import build_sample

    build_sample(Database(str(db_path)))
    db = with_sla(db_path)
    feed(
        db,
        opened("R1", paris(1, 10)),
        {"reference": "R1", "status": "WAIT", "time": paris(1, 11).isoformat()},
    )
    assert check_clocks(db, paris(12, 18)).fired == []  # waiting on the client for weeks
    feed(db, {"reference": "R1", "status": "OPEN", "time": paris(15, 9).isoformat()})
    # 1 h before the pause, then Monday 15 June from 9:00: 2 h used at 10:00, 4 h at 12:00.
    warning = check_clocks(db, paris(15, 10)).fired
    assert [(f.event, f.crossed_at) for f in warning] == [(Event.GTI_WARNING, paris(15, 10))]
    breach = check_clocks(db, paris(15, 12)).fired
    assert [(f.event, f.crossed_at) for f in breach] == [(Event.GTI_BREACH, paris(15, 12))]


def test_a_target_or_calendar_that_moves_the_due_time_raises_again(db_path: Path) -> None:
    from tests.sample import build_sample

    build_sample(Database(str(db_path)))
    db = with_sla(db_path)
    feed(db, opened("R1", paris(1, 10)))
    check_clocks(db, paris(1, 12))
    assert [e for _, e, _ in raised(db_path)] == ["gti_warning"]
    contracts.update_contract(db, code="K1", sla=SlaChange(gtr="40h"))  # GTI unchanged
    assert check_clocks(db, paris(1, 12, 30)).fired == []
    contracts.update_contract(db, code="K1", sla=SlaChange(gti="3h"))  # warning at 1 h: 11:00
    again = check_clocks(db, paris(1, 12, 30)).fired
    assert [(f.event, f.crossed_at) for f in again] == [(Event.GTI_WARNING, paris(1, 11))]
    # A calendar change that leaves the instant where it was raises nothing: 1 h used at 11:00.
    update_calendar(db, "paris", CalendarChange(hours="mon-fri 10:00-11:00,14:00-18:00"))
    assert check_clocks(db, paris(1, 12, 30)).fired == []
    # Opening at 10:30 moves it: 1 h used at 11:30.
    update_calendar(db, "paris", CalendarChange(hours="mon-fri 10:30-12:00,14:00-18:00"))
    moved = check_clocks(db, paris(1, 12, 30)).fired
    assert [(f.event, f.crossed_at) for f in moved] == [(Event.GTI_WARNING, paris(1, 11, 30))]


def _many(db_path: Path, count: int) -> Database:
    from tests.sample import build_sample

    build_sample(Database(str(db_path)))
    db = with_sla(db_path, gti="1h", gtr="2h")
    feed(db, *(opened(f"R{i}", paris(1, 9, i % 10)) for i in range(count)))
    return db


# Opened from 9:00 to 9:09, each threshold falls in its own ten minutes: the GTI warning at
# 45 min (the 2 h left would warn at the open: the 75 % share counts), the GTI breach at 1 h,
# the GTR warning at 1 h 30, its breach at 2 h.
MOMENTS = [paris(1, 9, 55), paris(1, 10, 10), paris(1, 10, 40), paris(1, 11, 10)]


def _check_command(db_path: Path, now: datetime) -> list[str]:
    return [
        *(sys.executable, "-m", "alertctl", "--db", str(db_path)),
        *("sla", "check", "--now", now.isoformat()),
    ]


def _exactly_once(db_path: Path, count: int) -> None:
    """Every request raised its four thresholds once, each save with its one alert."""
    found = raised(db_path)
    assert len(found) == 4 * count
    assert len(set(found)) == len(found)
    with sqlite3.connect(db_path) as connection:
        per_save = connection.execute(
            "SELECT count(a.id) FROM request_save s LEFT JOIN alert a ON a.save_id = s.id "
            "WHERE s.save_key LIKE 'sla/%' GROUP BY s.id"
        ).fetchall()
    assert {n for (n,) in per_save} == {1}


def test_two_checkers_at_once_raise_each_threshold_once(db_path: Path) -> None:
    count = 1200  # three batches each: the two checkers take turns with the write lock
    _many(db_path, count).close()
    for moment in MOMENTS:
        command = _check_command(db_path, moment)
        checkers = [
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [c.communicate(timeout=600)[1] for c in checkers]
        assert [c.returncode for c in checkers] == [0, 0], outputs
    _exactly_once(db_path, count)


def test_checkers_killed_at_any_moment_lose_nothing_and_repeat_nothing(db_path: Path) -> None:
    count = 600
    _many(db_path, count).close()
    rng = random.Random(20261130)
    for moment in MOMENTS:
        command = _check_command(db_path, moment)
        for _ in range(2):
            checker = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.2, 2.0))
            checker.send_signal(signal.SIGKILL)
            checker.wait(timeout=60)
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    _exactly_once(db_path, count)


def test_targets_given_after_the_saves_start_the_clocks_of_requests_already_open(
    db_path: Path,
) -> None:
    from tests.sample import build_sample

    build_sample(Database(str(db_path)))
    db = Database(str(db_path))
    feed(db, opened("R1", paris(1, 10)))  # K1 sets no target yet: the save leaves no row
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT count(*) FROM sla_clock").fetchone() == (0,)
    with_sla(db_path)  # now it does
    fired = check_clocks(db, paris(1, 12)).fired
    assert [(f.reference, f.event, f.crossed_at) for f in fired] == [
        ("R1", Event.GTI_WARNING, paris(1, 12))
    ]
