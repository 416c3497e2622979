"""`alertctl noise ...`, and holds as previews, explanations, `alerts list` and `alerts stats`
show them (docs/rules.md, "Holding alerts")."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from alertctl.db.engine import Database
from alertctl.services.saves.ingest import ingest
from tests.helpers import invoke, ok


def test_the_defaults_are_shown_and_changed(sample_db: Path) -> None:
    assert ok(sample_db, "noise", "show").stdout.split("\n")[:6] == [
        "Coalescing                  2 min idle, 10 min at most",
        "Contacts' quiet hours       none                      ",
        "Collaborators' quiet hours  none                      ",
        "Zone                        UTC                       ",
        "Cap an hour                 none                      ",
        "Urgent                      gti_breach,gtr_breach     ",
    ]
    changed = ok(
        sample_db,
        "noise",
        "set",
        "--coalesce-idle",
        "3m",
        "--collaborator-quiet-hours",
        "Mon-Fri 19:00-08:00;  sat-sun 00:00-24:00",
        "--zone",
        "Europe/Paris",
        "--cap",
        "20",
        "--json",
    )
    assert json.loads(changed.stdout) == {
        "coalesce_idle": "3 min",
        "coalesce_max": "10 min",
        "contact_quiet_hours": "",
        "collaborator_quiet_hours": "mon-fri 19:00-08:00; sat-sun 00:00-24:00",
        "zone": "Europe/Paris",
        "cap": 20,
        "urgent": "gti_breach,gtr_breach",
    }


def test_impossible_settings_are_one_line_errors_and_change_nothing(sample_db: Path) -> None:
    before = ok(sample_db, "noise", "show", "--json").stdout
    # 2: not in the form it takes (README, "Conventions"); 1: read, and refused.
    for args, code, message in [
        (("--zone", "Mars/Olympus"), 2, "error: unknown time zone 'Mars/Olympus'\n"),
        (
            ("--contact-quiet-hours", "mon-sun 00:00-24:00"),
            1,
            "error: quiet hours all week long would hold alerts for ever: leave some hours\n",
        ),
        (
            ("--coalesce-idle", "20m"),
            1,
            "error: coalescing waits 20 min for a change but at most 10 min: give a longest "
            "wait at least as long\n",
        ),
        (
            ("--cap", "-3"),
            2,
            "error: a cap is a number of mails an hour above 0, or none: not '-3'\n",
        ),
        (
            ("--urgent", "breach"),
            2,
            "error: unknown event 'breach': expected some of open, resolution, closure_external, "
            "closure_internal, status_change, gti_warning, gti_breach, gtr_warning, gtr_breach\n",
        ),
    ]:
        refused = invoke(sample_db, "noise", "set", *args)
        assert (refused.exit_code, refused.stderr) == (code, message)
    refused = invoke(sample_db, "noise", "collaborator", "jdu", "--digest", "hourly")
    assert refused.stderr == (
        "error: cannot read the delivery 'hourly': write immediate, daily 08:00 or weekly mon "
        "08:00\n"
    )
    assert invoke(sample_db, "noise", "client", "NOPE").stderr.startswith(
        "error: unknown client 'NOPE'"
    )
    assert ok(sample_db, "noise", "show", "--json").stdout == before


def test_a_person_and_a_client_have_their_own_or_the_defaults(sample_db: Path) -> None:
    ok(sample_db, "noise", "set", "--collaborator-quiet-hours", "mon-sun 20:00-07:00")
    shown = " ".join(ok(sample_db, "noise", "collaborator", "jdu").stdout.split())
    assert "Quiet hours mon-sun 20:00-07:00 (default) Zone UTC (default)" in shown
    own = ok(
        sample_db,
        "noise",
        "collaborator",
        "jdu",
        "--quiet-hours",
        "none",
        "--digest",
        "weekly fri 17:00",
        "--zone",
        "Europe/Paris",
        "--json",
    )
    assert json.loads(own.stdout) == {
        "kind": "collaborator",
        "code": "jdu",
        "quiet_hours": "none",
        "zone": "Europe/Paris",
        "digest": "weekly fri 17:00",
        "cap": "default",
        "applied_quiet_hours": "none",
        "applied_zone": "Europe/Paris",
        "applied_cap": "none",
    }
    ok(sample_db, "noise", "client", "ACME", "--coalesce-idle", "off", "--urgent", "open")
    assert ok(sample_db, "noise", "client", "ACME").stdout.split("\n")[:3] == [
        "Client      ACME",
        "Coalescing  off ",
        "Urgent      open",
    ]
    ok(sample_db, "noise", "client", "ACME", "--coalesce-idle", "default", "--urgent", "default")
    assert (
        "Coalescing  2 min idle, 10 min at most (default)"
        in ok(sample_db, "noise", "client", "ACME").stdout
    )


def test_the_configuration_file_carries_every_setting(sample_db: Path, tmp_path: Path) -> None:
    ok(sample_db, "noise", "set", "--contact-quiet-hours", "mon-sun 21:00-07:00", "--cap", "12")
    ok(sample_db, "noise", "client", "ACME", "--coalesce-max", "15m", "--urgent", "open")
    ok(sample_db, "noise", "contact", "alice", "--digest", "daily 08:00", "--cap", "none")
    exported = ok(sample_db, "config", "export").stdout
    assert '[noise]\ncontact_quiet_hours = "mon-sun 21:00-07:00"\ncap = 12\n' in exported
    assert 'coalesce_max = "15 min"\nurgent = "open"\n' in exported
    assert 'digest = "daily 08:00"\ncap = "none"\n' in exported
    file = tmp_path / "setup.toml"
    file.write_text(exported)
    fresh = tmp_path / "fresh.db"
    ok(fresh, "init")
    ok(fresh, "config", "apply", str(file))
    assert ok(fresh, "config", "export").stdout == exported


def _feed_changes(db: Path, first: datetime) -> None:
    lines = [
        {
            "reference": "R1",
            "contract": "K1",
            "product": "ERP",
            "title": "Printer down",
            "external_description": "It is down",
            "time": (first - timedelta(minutes=5)).isoformat(),
        },
        {"reference": "R1", "status": "WIP", "time": first.isoformat()},
        {"reference": "R1", "status": "WAIT", "time": (first + timedelta(seconds=30)).isoformat()},
    ]
    report = ingest(Database(str(db)), [json.dumps(line) for line in lines])
    assert not report.failures


def _clock(moment: datetime) -> str:
    """A time as holds tell it: the day too when it is not today's."""
    today = moment.date() == datetime.now(UTC).date()
    return f"{moment:%H:%M}" if today else f"{moment:%Y-%m-%d %H:%M}"


def test_holds_are_seen_in_previews_lists_and_stats(sample_db: Path) -> None:
    ok(
        sample_db,
        "client",
        "alerts",
        "ACME",
        "-e",
        "status_change",
        "--enable",
        "--keyword",
        "[ACME]",
    )
    first = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    _feed_changes(sample_db, first)
    due = first + timedelta(seconds=30) + timedelta(minutes=2)  # the group held now
    before = datetime.now(UTC)
    preview = json.loads(
        ok(sample_db, "alerts", "preview", "R1", "-e", "status_change", "--json").stdout
    )
    after = datetime.now(UTC)
    (jdu,) = [r for r in preview["events"][0]["recipients"] if r["code"] == "jdu"]
    # A change now would join the two held, and move their time to two minutes from now.
    assert jdu["held"] in {
        f"coalescing with 2 more changes, due {_clock(t + timedelta(minutes=2))} UTC"
        for t in (before, after)
    }
    assert "Delivery" in ok(sample_db, "alerts", "preview", "R1", "-e", "status_change").stdout
    explained = ok(sample_db, "alerts", "explain", "R1", "-p", "jdu", "-e", "resolution").stdout
    assert "sent now, with the 2 changes held" in " ".join(explained.split())
    held = json.loads(ok(sample_db, "alerts", "list", "--status", "held", "--json").stdout)
    assert [(a["code"], a["hold"], a["held_until"][:16]) for a in held] == [
        ("jdu", "coalescing", f"{due:%Y-%m-%dT%H:%M}")
    ] * 2
    listed = ok(sample_db, "alerts", "list", "--status", "held").stdout
    assert f"held: coalescing until {due:%Y-%m-%d %H:%M} UTC" in " ".join(listed.split())
    # Said in the reader's zone, as previews say it; the JSON keeps UTC and names the zone.
    ok(sample_db, "noise", "collaborator", "jdu", "--zone", "America/New_York")
    local = due.astimezone(ZoneInfo("America/New_York"))
    listed = ok(sample_db, "alerts", "list", "--status", "held").stdout
    assert f"until {local:%Y-%m-%d %H:%M} America/New_York" in " ".join(listed.split())
    held = json.loads(ok(sample_db, "alerts", "list", "--status", "held", "--json").stdout)
    assert {(a["held_until"][:16], a["zone"]) for a in held} == {
        (f"{due:%Y-%m-%dT%H:%M}", "America/New_York")
    }
    with sqlite3.connect(sample_db) as connection:  # their time has come
        connection.execute(
            "UPDATE alert SET held_until = datetime('now', '-1 second') WHERE status = 'held'"
        )
    from alertctl.services.holds.release import release

    release(Database(str(sample_db)), datetime.now(UTC))
    stats = json.loads(ok(sample_db, "alerts", "stats", "--json").stdout)
    assert (stats["by_status"]["merged"], stats["mails_saved"]) == (2, 1)
    assert "mails saved by holds  1" in ok(sample_db, "alerts", "stats").stdout


def test_a_held_alert_can_be_cancelled_and_is_released_no_more(sample_db: Path) -> None:
    ok(
        sample_db,
        "client",
        "alerts",
        "ACME",
        "-e",
        "status_change",
        "--enable",
        "--keyword",
        "[ACME]",
    )
    _feed_changes(sample_db, datetime.now(UTC) - timedelta(minutes=1))
    held = json.loads(ok(sample_db, "alerts", "list", "--status", "held", "--json").stdout)
    for alert in held:
        ok(sample_db, "alerts", "cancel", str(alert["id"]))
    from alertctl.services.holds.release import release

    assert not release(Database(str(sample_db)), datetime.now(UTC) + timedelta(days=1)).any
    assert ok(sample_db, "alerts", "list", "--status", "held", "--json").stdout.strip() == "[]"
