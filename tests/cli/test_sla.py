"""The SLA commands as people use them: calendars, terms on contracts and services, `sla check`
with a set time, the clocks in `request show` and `request list --due-within`, `sla explain`,
`sla report`, previews of the SLA events, and the terms in the configuration file. Bad input
is refused with one line and changes nothing."""

import json
from pathlib import Path

import pytest

from tests.helpers import invoke, ok, open_args, refused

PARIS_HOURS = "mon-fri 09:00-12:00,14:00-18:00"


def sla_db(sample_db: Path, tmp_path: Path) -> Path:
    """The sample help desk with a Paris calendar, GTI 4 h and GTR 16 h on K1, ACME's SLA
    events on, jdu opted in, and DEM-1 opened Monday 1 June 2026 at 10:00 in Paris."""
    ok(sample_db, "calendar", "add", "paris", "--zone", "Europe/Paris", "--hours", PARIS_HOURS)
    ok(sample_db, "contract", "update", "K1", "--gti", "4h", "--gtr", "16h", "--calendar", "paris")
    for event in ("gti_warning", "gti_breach", "gtr_warning", "gtr_breach"):
        ok(sample_db, "client", "alerts", "ACME", "-e", event, "--enable", "--keyword", "[SLA]")
    ok(sample_db, "collaborator", "alerts", "jdu", "--on", "gti_warning,gti_breach,gtr_breach")
    feed = tmp_path / "saves.jsonl"
    feed.write_text(
        json.dumps(
            {
                "reference": "DEM-1",
                "contract": "K1",
                "product": "ERP",
                "title": "Printer down",
                "external_description": "It is down",
                "time": "2026-06-01T10:00:00+02:00",
            }
        )
        + "\n"
    )
    ok(sample_db, "request", "ingest", str(feed))
    return sample_db


def test_calendars_are_added_listed_shown_updated_and_removed_once_unused(
    sample_db: Path,
) -> None:
    added = ok(
        sample_db,
        "calendar",
        "add",
        "paris",
        "--zone",
        "Europe/Paris",
        "--hours",
        "mon-fri 9:00-12:00,14:00-18:00",
        "--holidays",
        "FR",
        "--closed",
        "2026-12-24",
    )
    assert added.stderr == f"added calendar paris (Europe/Paris, {PARIS_HOURS})\n"
    shown = json.loads(ok(sample_db, "calendar", "show", "paris", "--json").stdout)
    assert shown == {
        "name": "paris",
        "zone": "Europe/Paris",
        "hours": PARIS_HOURS,
        "country": "FR",
        "region": None,
        "closed": ["2026-12-24"],
        "contracts": [],
    }
    ok(sample_db, "contract", "update", "K1", "--calendar", "paris", "--gti", "4h")
    listed = ok(sample_db, "calendar", "list").stdout
    assert (
        "│ paris │ Europe/Paris │ mon-fri 09:00-12:00,14:00-18:00 │ FR       │ 1      │ 1" in listed
    )
    refused(
        sample_db,
        ["calendar", "remove", "paris", "--yes"],
        1,
        "calendar 'paris' is still used by 1 contract: K1",
    )
    ok(sample_db, "calendar", "update", "paris", "--holidays", "none", "--closed", "none")
    shown = json.loads(ok(sample_db, "calendar", "show", "paris", "--json").stdout)
    assert (shown["country"], shown["closed"]) == (None, [])
    ok(sample_db, "contract", "update", "K1", "--calendar", "none")
    assert (
        ok(sample_db, "calendar", "remove", "paris", "--yes").stderr == "removed calendar paris\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["calendar", "add", "x", "--zone", "Mars/Base", "--hours", "mon 09:00-10:00"],
            "unknown time zone 'Mars/Base'",
        ),
        (["calendar", "add", "x", "--zone", "UTC"], "a calendar needs at least one opening"),
        (
            [
                "calendar",
                "add",
                "x",
                "--zone",
                "UTC",
                "--hours",
                "mon 09:00-10:00",
                "--holidays",
                "XX",
            ],
            "no public holidays known for 'XX'",
        ),
        (
            [
                "calendar",
                "add",
                "x",
                "--zone",
                "UTC",
                "--hours",
                "mon 09:00-10:00",
                "--holidays",
                "FR/NOWHERE",
            ],
            "no public holidays known for 'FR/NOWHERE'",
        ),
        (
            [
                "calendar",
                "add",
                "x",
                "--zone",
                "UTC",
                "--hours",
                "mon 09:00-10:00",
                "--closed",
                "2026-13-01",
            ],
            "cannot read the date '2026-13-01'",
        ),
        (
            ["calendar", "add", "x", "--zone", "UTC", "--hours", "mon 10:00-09:00"],
            "the interval '10:00-09:00' must end after it starts",
        ),
        (
            ["calendar", "add", "bad name", "--zone", "UTC", "--hours", "mon 09:00-10:00"],
            "invalid calendar code 'bad name'",
        ),
        (["contract", "update", "K1", "--gti", "0m"], "GTI: a target of '0m' is zero"),
        (["contract", "update", "K1", "--gtr", "2d"], "GTR: cannot read the business time '2d'"),
        (["contract", "update", "K1", "--calendar", "nowhere"], "unknown calendar 'nowhere'"),
        (["contract", "update", "K1", "--warn-percent", "150"], "the warning share must be"),
        (["service", "update", "K1", "PREMIUM", "--gti", "x"], "GTI: cannot read"),
        (["calendar", "update", "nowhere", "--zone", "UTC"], "unknown calendar 'nowhere'"),
        (["sla", "explain", "DEM-9", "gti"], "unknown request 'DEM-9'"),
    ],
)
def test_bad_calendars_and_terms_are_refused_and_change_nothing(
    sample_db: Path, args: list[str], message: str
) -> None:
    # Exit 2 for what cannot be read in its form or is out of range, 1 for what is read and
    # refused (README, "Conventions").
    unreadable = message.startswith(UNREADABLE)
    refused(sample_db, args, 2 if unreadable else 1, message)


UNREADABLE = (
    "unknown time zone",
    "no public holidays known",
    "cannot read",
    "GTI: cannot read",
    "GTR: cannot read",
    "GTI: a target of",
    "the warning share",
)


def test_sla_check_raises_each_threshold_once_and_says_so(sample_db: Path, tmp_path: Path) -> None:
    db = sla_db(sample_db, tmp_path)
    quiet = ok(db, "sla", "check", "--now", "2026-06-01T11:59:00+02:00")
    assert quiet.stdout == ""
    assert quiet.stderr == ("1 request read, 0 SLA events raised; next due 2026-06-01 10:00 UTC\n")
    warned = ok(db, "sla", "check", "--now", "2026-06-01T12:00:00+02:00")
    assert warned.stdout == "DEM-1  gti_warning  crossed 2026-06-01 10:00 UTC  1 alert queued\n"
    again = ok(db, "sla", "check", "--now", "2026-06-01T12:00:00+02:00")
    assert again.stdout == ""
    breach = json.loads(
        ok(db, "sla", "check", "--now", "2026-06-01T16:30:00+02:00", "--json").stdout
    )
    assert [(f["event"], f["crossed_at"], f["alerts"]) for f in breach["fired"]] == [
        ("gti_breach", "2026-06-01T14:00:00+00:00", 1)
    ]
    shown = ok(db, "request", "show", "DEM-1").stdout
    assert "Save 2 at 2026-06-01T10:00:00+00:00: gti_warning (no change)" in shown
    assert "[SLA] GTI bientôt échue\u00a0: DEM-1 – Printer down" in shown


def test_request_show_gives_each_clock(sample_db: Path, tmp_path: Path) -> None:
    db = sla_db(sample_db, tmp_path)
    doc = json.loads(ok(db, "request", "show", "DEM-1", "--json").stdout)
    gti, gtr = doc["clocks"]
    assert (gti["clock"], gti["target"], gti["state"]) == ("gti", 14400.0, "missed")
    assert gti["due_local"] == "2026-06-01 16:00 Europe/Paris"
    assert (gtr["clock"], gtr["target"], gtr["due_local"]) == (
        "gtr",
        57600.0,
        "2026-06-03 12:00 Europe/Paris",
    )
    drawn = ok(db, "request", "show", "DEM-1").stdout
    assert "SLA clocks" in drawn and "│ GTI   │ 4 h    │" in drawn


def test_request_list_shows_the_clocks_due_within_a_time(sample_db: Path) -> None:
    ok(sample_db, "contract", "update", "K1", "--gti", "4h")  # no calendar: every hour counts
    ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--title",
        "T",
        "--external-description",
        "It fails",
    )
    ok(sample_db, "request", "open", "R2", "--contract", "K1", "--title", "T")  # not opened
    soon = json.loads(ok(sample_db, "request", "list", "--due-within", "5h", "--json").stdout)
    assert [r["reference"] for r in soon] == ["R1"]
    assert soon[0]["due"] is not None
    later = invoke(sample_db, "request", "list", "--due-within", "3h")
    assert later.stderr == "no requests\n"
    refused(sample_db, ["request", "list", "--due-within", "soon"], 2, "cannot read the business")


def test_sla_explain_lists_what_the_clock_counted_and_its_pauses(
    sample_db: Path, tmp_path: Path
) -> None:
    db = sla_db(sample_db, tmp_path)
    feed = tmp_path / "more.jsonl"
    feed.write_text(
        '{"reference": "DEM-1", "status": "WAIT", "time": "2026-06-01T11:00:00+02:00"}\n'
        '{"reference": "DEM-1", "status": "WIP", "time": "2026-06-02T15:00:00+02:00"}\n'
    )
    ok(db, "request", "ingest", str(feed))
    doc = json.loads(
        ok(
            db, "sla", "explain", "DEM-1", "gti", "--now", "2026-06-03T12:00:00+02:00", "--json"
        ).stdout
    )
    assert [(s["status"], s["role"], s["business_seconds"]) for s in doc["segments"]] == [
        ("OPEN", "counted", 3600.0),
        ("WAIT", "paused", 0.0),
        ("WIP", "stopped", 0.0),
    ]
    assert doc["reading"]["state"] == "met"
    assert doc["calendar"] == "paris" and doc["warning_at"] == 7200.0
    refused(db, ["sla", "explain", "DEM-1", "gtx"], 2, "")


def test_sla_report_counts_met_and_missed_per_contract(sample_db: Path, tmp_path: Path) -> None:
    db = sla_db(sample_db, tmp_path)
    feed = tmp_path / "more.jsonl"
    feed.write_text(
        # DEM-2 taken in hand after 1 h, resolved after 6 h: GTI met, GTR met.
        '{"reference": "DEM-2", "contract": "K1", "title": "T", "external_description": "x",'
        ' "time": "2026-06-02T09:00:00+02:00"}\n'
        '{"reference": "DEM-2", "status": "WIP", "time": "2026-06-02T10:00:00+02:00"}\n'
        '{"reference": "DEM-2", "status": "RESOLVED", "time": "2026-06-02T17:00:00+02:00"}\n'
    )
    ok(db, "request", "ingest", str(feed))
    args = ["sla", "report", "--from", "2026-06-01", "--to", "2026-07-01"]
    doc = json.loads(ok(db, *args, "--now", "2026-06-30T12:00:00+02:00", "--json").stdout)
    (k1,) = doc["contracts"]
    assert k1["contract"] == "K1" and k1["requests"] == 2
    gti, gtr = k1["clocks"]
    assert (gti["clock"], gti["met"], gti["missed"], gti["running"]) == ("gti", 1, 1, 0)
    assert (gtr["clock"], gtr["met"], gtr["missed"], gtr["running"]) == ("gtr", 1, 1, 0)
    assert gti["median"] is not None and gti["p90"] >= gti["median"]
    drawn = ok(db, *args, "--now", "2026-06-30T12:00:00+02:00").stdout
    assert "│ K1       │ GTI   │ 2        │ 1   │ 1      │ 0       │" in drawn


def test_previews_show_the_sla_events_of_requests_that_have_clocks(
    sample_db: Path, tmp_path: Path
) -> None:
    db = sla_db(sample_db, tmp_path)
    doc = json.loads(ok(db, "alerts", "preview", "DEM-1", "--json").stdout)
    events = [e["event"] for e in doc["events"]]
    assert events[-4:] == ["gti_warning", "gti_breach", "gtr_warning", "gtr_breach"]
    gti = next(e for e in doc["events"] if e["event"] == "gti_breach")
    assert [r["code"] for r in gti["recipients"]] == ["jdu"]
    gtr = next(e for e in doc["events"] if e["event"] == "gtr_warning")
    assert [x["reason"] for x in gtr["excluded"] if x["code"] == "jdu"] == ["not_opted_in"]
    ok(db, "contract", "update", "K1", "--gti", "none")
    told = ok(db, "alerts", "preview", "DEM-1", "--event", "gti_breach").stdout
    assert told.splitlines()[0] == (
        "gti_breach cannot fire now: the request has no GTI: neither its contract nor its "
        "service sets a GTI target"
    )


def test_a_service_s_targets_win_over_the_contract_s(sample_db: Path, tmp_path: Path) -> None:
    db = sla_db(sample_db, tmp_path)
    ok(db, "service", "update", "K1", "PREMIUM", "--gti", "1h")
    assert json.loads(ok(db, "service", "show", "K1", "PREMIUM", "--json").stdout)["sla"] == {
        "gti": "1 h",
        "gtr": None,
        "calendar": None,
        "warning": None,
    }
    feed = tmp_path / "premium.jsonl"
    feed.write_text(
        '{"reference": "DEM-3", "contract": "K1", "service": "PREMIUM", "title": "T",'
        ' "external_description": "x", "time": "2026-06-01T10:00:00+02:00"}\n'
    )
    ok(db, "request", "ingest", str(feed))
    doc = json.loads(ok(db, "request", "show", "DEM-3", "--json").stdout)
    assert [(c["clock"], c["target"]) for c in doc["clocks"]] == [("gti", 3600.0), ("gtr", 57600.0)]


def test_calendars_and_terms_round_trip_through_the_configuration_file(
    sample_db: Path, tmp_path: Path
) -> None:
    db = sla_db(sample_db, tmp_path)
    ok(db, "calendar", "update", "paris", "--holidays", "FR", "--closed", "2026-12-24")
    ok(db, "contract", "update", "K1", "--warn-percent", "50", "--warn-left", "1h")
    ok(db, "service", "update", "K1", "PREMIUM", "--gtr", "8h")
    exported = ok(db, "config", "export").stdout
    assert (
        '[calendars.paris]\nzone = "Europe/Paris"\n'
        f'hours = "{PARIS_HOURS}"\nholidays = "FR"\nclosed = [\n    "2026-12-24",\n]\n'
    ) in exported
    assert (
        'calendar = "paris"\ngti = "4 h"\ngtr = "16 h"\nwarn_percent = 50\nwarn_left = "1 h"\n'
        in (exported)
    )
    file = tmp_path / "setup.toml"
    file.write_text(exported)
    fresh = tmp_path / "fresh.db"
    ok(fresh, "init")
    ok(fresh, "config", "apply", str(file), "--yes")
    assert ok(fresh, "config", "export").stdout == exported
    assert ok(fresh, "config", "apply", str(file)).stdout == "Nothing to change.\n"


def test_a_configuration_file_with_terms_that_cannot_work_is_refused(
    sample_db: Path, tmp_path: Path
) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(
        '[calendars.empty]\nzone = "Europe/Paris"\nhours = ""\n'
        '[calendars.far]\nzone = "Europe/Paris"\nhours = "mon 09:00-10:00"\nholidays = "XX"\n'
        '[contracts.K1]\nclient = "ACME"\ngti = "0m"\ncalendar = "nowhere"\n'
    )
    result = invoke(sample_db, "config", "apply", str(file), "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: 4 problems in the configuration, nothing changed:",
        "  calendars.empty: a calendar needs at least one opening interval",
        "  calendars.far: no public holidays known for 'XX'",
        "  contracts.K1.gti: a target of '0m' is zero: give a business time above 0",
        "  contracts.K1.calendar: unknown calendar 'nowhere'",
    ]


def test_an_sla_alert_a_fault_stopped_is_never_silent_and_comes_back_once_fixed(
    sample_db: Path, tmp_path: Path
) -> None:
    db = sla_db(sample_db, tmp_path)
    odd = tmp_path / "odd.txt"
    odd.write_text("{{ 100 // (request.title | length - 12) }} left: {{ clock.left }}\n")
    ok(db, "template", "add", "odd", "--subject", "GTI", "--text", str(odd))
    ok(db, "client", "alerts", "ACME", "-e", "gti_breach", "--enable", "--template", "odd")
    checked = ok(db, "sla", "check", "--now", "2026-06-01T16:30:00+02:00")  # "Printer down": 12
    assert "DEM-1  gti_breach  crossed 2026-06-01 14:00 UTC  0 alerts queued" in checked.stdout
    assert "DEM-1 gti_breach: template odd does not render" in checked.stderr
    assert invoke(db, "check").exit_code == 1  # the fault is seen
    odd.write_text("{{ clock.name }} over by {{ clock.overdue }}\n")
    ok(db, "template", "update", "odd", "--text", str(odd))
    recovered = json.loads(ok(db, "alerts", "recover", "--json").stdout)
    assert [(r["event"], r["outcome"]) for r in recovered] == [("gti_breach", "queued")]
    assert json.loads(ok(db, "alerts", "recover", "--json").stdout) == []


def test_check_says_when_no_one_checks_the_clocks(sample_db: Path, tmp_path: Path) -> None:
    db = sla_db(sample_db, tmp_path)  # DEM-1's clocks due since June, never checked

    def clock_problems() -> list[str]:
        doc = json.loads(invoke(db, "check", "--json").stdout)
        return [p["message"] for p in doc["problems"] if p["subject"] == "SLA clocks"]

    assert clock_problems() == [
        "1 request with SLA clocks due for more than 300 s and not checked: no watcher or cron "
        "job checks them"
    ]
    assert "alertctl_sla_clocks_due 1.0" in ok(db, "metrics").stdout.splitlines()
    ok(db, "sla", "check")
    assert clock_problems() == []
    assert "alertctl_sla_clocks_due 0.0" in ok(db, "metrics").stdout.splitlines()


def test_template_render_tells_of_the_request_s_own_clock(sample_db: Path, tmp_path: Path) -> None:
    db = sla_db(sample_db, tmp_path)
    args = ["template", "render", "default-gti_breach-fr", "--request", "DEM-1"]
    rendered = ok(db, *args, "--event", "gti_breach").stdout
    assert "[SLA] GTI dépassée\u00a0: DEM-1 – Printer down" in rendered
    assert "échu le 1 juin 2026 à 16 h 00 (Europe/Paris)" in rendered
    # Its clock belongs to the SLA events: rendered for another, the template cannot say it.
    refused(db, [*args, "--event", "open"], 1, "template 'default-gti_breach-fr' does not render")


def test_no_clock_no_alarm_after_a_change_of_configuration(sample_db: Path) -> None:
    """A desk with no SLA terms: a configuration change on a contract makes no clock due, so
    neither `sla check` nor `check` tells of any."""
    ok(sample_db, *open_args("R1"))
    exported = ok(sample_db, "config", "export").stdout
    changed = exported.replace(
        'sources = [\n    "product",\n    "contract",\n]', 'sources = ["product"]'
    )
    assert changed != exported
    Path("changed.toml").write_text(changed)
    ok(sample_db, "config", "apply", "changed.toml")
    dry = ok(sample_db, "sla", "check", "--dry-run")
    assert dry.stderr.splitlines()[0] == "0 requests read, 0 SLA events raised", dry.stderr
    ok(sample_db, "alerts", "send")
    assert "SLA" not in ok(sample_db, "check", "--max-silence", "0").stdout
    # Once a target is set, the request has clocks, due at once: said so, not as 1970.
    ok(sample_db, "contract", "update", "K1", "--gti", "4h")
    dry = ok(sample_db, "sla", "check", "--dry-run")
    assert dry.stderr.splitlines()[0] == "1 request read, 0 SLA events raised; next due now"
