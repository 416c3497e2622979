"""`alerts forecast`: the sample feed replayed through the configuration that sent it gives
back, person by person and event by event, what was sent; through a file not yet applied, who
would gain or lose mail; and nothing is ever written."""

import json
from importlib.resources import files
from pathlib import Path

from tests.helpers import database_bytes, ok, refused

SETUP = str(files("alertctl") / "sample_data" / "setup.toml")
FEED = str(files("alertctl") / "sample_data" / "saves.jsonl")
PERIOD = ("--from", "2026-11-01", "--to", "2026-12-01")


def sample(db: Path) -> Path:
    ok(db, "config", "apply", SETUP)
    ok(db, "request", "ingest", FEED)
    return db


def test_the_configuration_that_sent_the_mail_forecasts_exactly_what_was_sent(
    db_path: Path,
) -> None:
    db = sample(db_path)
    before = database_bytes(db)
    result = ok(db, "alerts", "forecast", *PERIOD, "--json")
    doc = json.loads(result.stdout)
    assert doc["saves"] == 6  # of eight: one only set a state, one had no description yet
    for person in doc["people"]:
        assert person["forecast"] == person["made"], person
    alice = next(p for p in doc["people"] if p["code"] == "alice")
    assert alice["forecast"] == {"open": 6, "resolution": 2, "closure_external": 2}
    assert doc["people"][0]["code"] == "alice"  # the noisiest first
    assert result.stderr.endswith(
        "through the current configuration: 19 mails, against 19 made (0 sent, 19 queued); "
        "0 people would get more, 0 fewer; nothing was written\n"
    )
    assert database_bytes(db) == before


def test_of_the_mails_made_the_forecast_says_how_many_were_delivered(db_path: Path) -> None:
    """The mails made are compared with the forecast whatever became of them; what became of
    them is said apart: delivered, waiting in the outbox, or given up."""
    db = sample(db_path)
    # Delivered into ./outbox, the default maildir (the tests run in a temporary folder).
    first = json.loads(ok(db, "alerts", "list", "--json").stdout)[0]["id"]
    ok(db, "alerts", "cancel", str(first))
    ok(db, "alerts", "send", "--limit", "10")
    doc = json.loads(ok(db, "alerts", "forecast", *PERIOD, "--json").stdout)
    made = sum(p["total_made"] for p in doc["people"])
    sent = sum(p["sent"] for p in doc["people"])
    queued = sum(p["queued"] for p in doc["people"])
    assert (made, sent, queued) == (19, 10, 8)
    said = ok(db, "alerts", "forecast", *PERIOD).stderr
    assert "against 19 made (10 sent, 8 queued, 1 dead or cancelled)" in said, said


def test_a_file_not_yet_applied_says_who_would_gain_or_lose_mail(
    db_path: Path, tmp_path: Path
) -> None:
    db = sample(db_path)
    # K1's contract box unticked: alice, linked to the contract, hears of K1's requests no more.
    exported = ok(db, "config", "export").stdout
    changed = tmp_path / "changed.toml"
    changed.write_text(
        exported.replace(
            'sources = [\n    "product",\n    "site",\n    "contract",',
            'sources = [\n    "product",\n    "site",',
            1,
        )
    )
    before = database_bytes(db)
    doc = json.loads(ok(db, "alerts", "forecast", *PERIOD, "--file", str(changed), "--json").stdout)
    alice = next(p for p in doc["people"] if p["code"] == "alice")
    assert (alice["total"], alice["total_made"], alice["change"]) == (0, 10, -10)
    assert doc["configuration"] == str(changed)
    assert database_bytes(db) == before
    drawn = ok(db, "alerts", "forecast", *PERIOD, "--file", str(changed)).stdout.splitlines()
    assert drawn[-2].startswith("│ contact alice (Alice Martin)   │ 0     │ 10   │ -10    │ -  ")
    top = ok(db, "alerts", "forecast", *PERIOD, "--file", str(changed), "--limit", "1")
    assert len([line for line in top.stdout.splitlines() if line.startswith("│")]) == 1


def test_bad_input_is_refused_and_changes_nothing(db_path: Path, tmp_path: Path) -> None:
    db = sample(db_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[contracts.K1\n")
    refused(db, ["alerts", "forecast", "--file", str(bad)], 1, "not a valid TOML file")
    refused(db, ["alerts", "forecast", "--file", str(tmp_path / "none.toml")], 1, "cannot read")
    refused(db, ["alerts", "forecast", "--from", "yesterday"], 2, "cannot read the time")
    refused(
        db,
        ["alerts", "forecast", "--from", "2026-12-01", "--to", "2026-11-01"],
        1,
        "the period from 2026-12-01 00:00 to 2026-11-01 00:00 UTC is empty: --from comes before "
        "--to",
    )
