"""What an operator sees of the outbox: what one person was sent, lists that say what they left
out, and an alert shown as its recipient reads it."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest

from tests.helpers import invoke, ok, open_args, refused

SENT_ROWS = 3_000


@pytest.fixture
def busy(sample_db: Path) -> Path:
    """The sample with a request whose saves queued alerts for alice, jdu and others, sent
    into a Maildir."""
    ok(sample_db, *open_args())
    ok(sample_db, "request", "update", "R1", "--status", "RESOLVED")
    ok(sample_db, "alerts", "send")
    return sample_db


def listed(db: Path, *args: str) -> list[dict[str, object]]:
    return list(json.loads(ok(db, "alerts", "list", "--json", *args).stdout))


def test_what_one_person_was_sent(busy: Path) -> None:
    alice = listed(busy, "--contact", "alice")
    assert alice and {(a["kind"], a["code"]) for a in alice} == {("contact", "alice")}
    jdu = listed(busy, "--collaborator", "jdu")
    assert jdu and {a["code"] for a in jdu} == {"jdu"}
    assert {a["event"] for a in listed(busy, "--contact", "alice", "--event", "open")} == {"open"}
    everything = listed(busy)
    assert sorted(str(a["id"]) for a in everything) == sorted(str(a["id"]) for a in alice + jdu)


def test_since_a_time_or_a_while_ago(busy: Path) -> None:
    with sqlite3.connect(busy) as connection:
        connection.execute(
            "UPDATE alert SET created_at = ? WHERE id = 1",
            ((datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )
    total = len(listed(busy))
    assert len(listed(busy, "--since", "7d")) == total - 1
    assert len(listed(busy, "--since", "2w")) == total
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert listed(busy, "--since", tomorrow) == []
    assert ok(busy, "alerts", "list", "--since", tomorrow).stderr == "no alerts\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--since", "yesterday"], 2, "cannot read the time 'yesterday'"),
        (["--contact", "nobody"], 1, "unknown contact 'nobody'"),
        (["--contact", "alice", "--collaborator", "jdu"], 2, "Invalid value: give exactly one"),
        (["--limit", "5", "--all"], 2, "Invalid value: give --limit or --all, not both"),
        (["--limit", "0"], 2, "Invalid value for '--limit'"),
        (["--event", "reopen"], 2, "Invalid value for '--event'"),
    ],
)
def test_bad_filters_are_refused(busy: Path, args: list[str], code: int, message: str) -> None:
    refused(busy, ["alerts", "list", *args], code, message)


def test_a_long_list_says_how_many_rows_it_left_out(busy: Path) -> None:
    with sqlite3.connect(busy) as connection:
        _copy_rows(connection, SENT_ROWS)
        total = connection.execute("SELECT count(*) FROM alert").fetchone()[0]
    shown = ok(busy, "alerts", "list", "--json")
    assert len(json.loads(shown.stdout)) == 1000
    assert shown.stderr == (
        f"1,000 of {total:,} alerts shown, {total - 1000:,} left out: --limit N or --all for more\n"
    )
    assert len(listed(busy, "--limit", "10")) == 10
    every = ok(busy, "alerts", "list", "--all", "--json")
    assert len(json.loads(every.stdout)) == total and every.stderr == ""
    table = ok(busy, "alerts", "list", "--limit", "2")
    assert table.stdout.count("│ cancelled") + table.stdout.count("│ sent") == 2
    assert "2 of" in table.stderr


def test_every_list_takes_a_limit(busy: Path) -> None:
    result = ok(busy, "contact", "list", "--limit", "1", "--json")
    assert len(json.loads(result.stdout)) == 1
    assert result.stderr == "1 of 4 contacts shown, 3 left out: --limit N or --all for more\n"
    statuses = ok(busy, "status", "list", "--limit", "2")
    assert "2 of 6 statuses shown, 4 left out" in statuses.stderr
    ok(busy, *open_args("R2"))
    requests = ok(busy, "request", "list", "--limit", "1", "--json")
    assert [r["reference"] for r in json.loads(requests.stdout)] == ["R1"]
    assert "1 of 2 requests shown" in requests.stderr
    assert ok(busy, "request", "list", "--all").stderr == ""


def test_show_reads_as_the_recipient_reads_it_and_raw_is_the_message_as_sent(
    busy: Path,
) -> None:
    alert = next(a for a in listed(busy, "--contact", "alice", "--event", "open"))
    shown = ok(busy, "alerts", "show", str(alert["id"]))
    assert "Subject: [ACME support] Demande enregistrée\u00a0: R1 – Printer" in shown.stdout
    assert "From: alertctl <alertctl@localhost>" in shown.stdout
    assert "Bonjour Alice Martin,\n\nVotre demande R1 a bien été enregistrée." in shown.stdout
    assert "=C3=A9" not in shown.stdout and "=?utf-8?" not in shown.stdout
    raw = ok(busy, "alerts", "show", str(alert["id"]), "--raw").stdout
    assert "=?utf-8?" in raw and "=C3=A9" in raw
    parsed = message_from_string(raw, policy=policy.default)
    assert parsed["Subject"] == "[ACME support] Demande enregistrée\u00a0: R1 – Printer"
    stored = json.loads(ok(busy, "alerts", "show", str(alert["id"]), "--json").stdout)
    assert raw == stored["message"] + ("" if stored["message"].endswith("\n") else "\n")


def test_raw_of_an_alert_not_sent_yet_is_refused(sample_db: Path) -> None:
    ok(sample_db, *open_args())
    pending = json.loads(ok(sample_db, "alerts", "list", "--json").stdout)[0]
    refused(
        sample_db,
        ["alerts", "show", str(pending["id"]), "--raw"],
        1,
        f"alert {pending['id']} has not been sent",
    )
    readable = invoke(sample_db, "alerts", "show", str(pending["id"]))
    assert readable.exit_code == 0 and "Subject: [ACME support]" in readable.stdout


def _copy_rows(connection: sqlite3.Connection, count: int) -> None:
    connection.execute(
        "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < ?)"
        " INSERT INTO alert (key, save_id, request_id, event, person_id, channel, address,"
        " sources, subject, text_body, status, created_at, attempts)"
        " SELECT 'copy-' || n.value || '-' || a.key, a.save_id, a.request_id, a.event,"
        " a.person_id, a.channel, a.address, a.sources, a.subject, a.text_body, 'cancelled',"
        " a.created_at, 0 FROM alert a, n WHERE a.id = 1",
        (count,),
    )


def test_request_show_draws_no_empty_table(sample_db: Path) -> None:
    ok(sample_db, *open_args())
    ok(sample_db, "request", "update", "R1", "--state", "waiting")  # no event, no alert
    shown = ok(sample_db, "request", "show", "R1").stdout
    second = shown.split("Save 2 at ")[1]
    assert second.splitlines()[1].strip() == "no alert"
    assert "state: - → waiting" in second.splitlines()[0]
    assert shown.count("┃ Event") == 1  # the first save's alerts only
