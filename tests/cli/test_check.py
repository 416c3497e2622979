"""`alertctl check`: each fault that makes alerts go nowhere is found, named, and fails the
check; the sample configuration passes."""

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_faults import OPEN_R1, broken_template
from tests.helpers import invoke, ok
from tests.services.test_delivery import queue, settings_file
from tests.smtp_server import Handler, free_port, smtp_server


def problems(db: Path, *args: str) -> list[dict[str, str]]:
    result = invoke(db, "check", "--json", *args)
    document = json.loads(result.stdout)
    assert result.exit_code == (0 if document["ok"] else 1), str(result)
    assert document["ok"] == (not document["problems"])
    return list(document["problems"])


def sql(db: Path, statement: str) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(statement)


def test_the_sample_configuration_has_no_problem(sample_db: Path) -> None:
    result = ok(sample_db, "check")
    assert result.stdout == ""
    assert result.stderr == (
        "queue: 0 due, 0 sending, 0 retry, 0 dead, 0 unknown; 0 left out by faults in 24 h\n"
        "senders: none seen\n"
        "no problem found\n"
    )


def _template_that_fails(db: Path, tmp_path: Path) -> None:
    """Assigning a failing template is refused: this one was broken in the database itself."""
    broken_template(db, tmp_path)
    sql(db, "UPDATE template SET text = '{{ site.name }}' WHERE name = 'odd'")


def _no_keyword(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE client_alert_setting SET keyword = NULL WHERE event = 'resolution'")


def _missing_template(db: Path, tmp_path: Path) -> None:
    sql(db, "DELETE FROM template WHERE name = 'default-open-fr'")


def _no_box_ticked(db: Path, tmp_path: Path) -> None:
    ok(db, "contract", "disable", "K1")


def _no_reception_mode(db: Path, tmp_path: Path) -> None:
    ok(db, "contact", "reception", "alice", "--email", "off", "--fax", "off")


def _invalid_address(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE person SET fax = '+33 1' WHERE code = 'alice'")


def _no_main_site(db: Path, tmp_path: Path) -> None:
    sql(db, "UPDATE site SET is_main = 0 WHERE code = 'PARIS'")


def _bad_sender(db: Path, tmp_path: Path) -> None:
    Path("alertctl.toml").write_text('[mail]\nfrom = "not an address"\n')


def _gateway_without_pattern(db: Path, tmp_path: Path) -> None:
    Path("alertctl.toml").write_text('[transport]\nfax = "gateway"\n[smtp]\nhost = "localhost"\n')


def _fax_command_missing(db: Path, tmp_path: Path) -> None:
    Path("alertctl.toml").write_text(
        '[transport]\nfax = "command"\n[fax]\ncommand = ["no-such-sendfax", "{number}"]\n'
    )


def _dead_alert(db: Path, tmp_path: Path) -> None:
    ok(db, *OPEN_R1)
    sql(db, "UPDATE alert SET status = 'dead' WHERE id = 1")


def _recent_fault(db: Path, tmp_path: Path) -> None:
    broken_template(db, tmp_path)
    ok(db, *OPEN_R1)


@pytest.mark.parametrize(
    ("make_fault", "area", "subject", "message", "fix"),
    [
        (
            _template_that_fails,
            "template",
            "client ACME open",
            "template odd does not render on a request with no site, service or "
            "product: 'None' has no attribute 'name'",
            "alertctl template check odd",
        ),
        (
            _no_keyword,
            "template",
            "client ACME resolution",
            "switched on without a keyword: nothing is sent",
            "alertctl client alerts ACME --event resolution --enable --keyword TEXT",
        ),
        (
            _missing_template,
            "template",
            "client ACME open",
            "template 'default-open-fr' does not exist: nothing is sent",
            "alertctl client alerts ACME --event open --template NAME",
        ),
        (
            _no_box_ticked,
            "contract",
            "contract K1",
            "4 interlocutor links to its requests, and no box is ticked: nobody is ever alerted",
            "alertctl contract enable K1",
        ),
        (
            _no_reception_mode,
            "person",
            "contact alice",
            "opted in to alerts with no active reception mode: receives nothing",
            "alertctl contact reception alice --email on",
        ),
        (
            _invalid_address,
            "person",
            "contact alice",
            "fax is on with an invalid address '+33 1'",
            "alertctl contact update alice --fax ADDRESS",
        ),
        (
            _no_main_site,
            "client",
            "client ACME",
            "1 contact linked at the client level and no main site",
            "alertctl site main ACME SITE",
        ),
        (
            _bad_sender,
            "settings",
            "alertctl.toml",
            "alertctl.toml: [mail] from 'not an address' is not one e-mail address",
            'write it as from = "Support <support@example.com>"',
        ),
        (
            _gateway_without_pattern,
            "settings",
            "alertctl.toml",
            "fax transport 'gateway' needs [fax] gateway",
            'write it as gateway = "{number}@fax.example.net"',
        ),
        (
            _fax_command_missing,
            "settings",
            "alertctl.toml",
            "the fax command 'no-such-sendfax' is not found or not executable",
            "install it, or set [fax] command to its full path",
        ),
        (
            _dead_alert,
            "queue",
            "outbox",
            "1 dead alert: not sent unless retried",
            "alertctl alerts list --status dead, then alertctl alerts retry --dead",
        ),
        (
            _recent_fault,
            "queue",
            "saves",
            "3 alerts left out by faults in the last 24 hours",
            "fix the cause (alertctl alerts stats), then alertctl alerts recover",
        ),
    ],
)
def test_each_fault_is_found_with_its_fix(
    sample_db: Path,
    tmp_path: Path,
    make_fault: Callable[[Path, Path], None],
    area: str,
    subject: str,
    message: str,
    fix: str | None,
) -> None:
    assert problems(sample_db) == []
    make_fault(sample_db, tmp_path)
    found = [p for p in problems(sample_db) if p["area"] == area]
    assert len(found) == 1, found
    assert found[0]["subject"] == subject
    assert message in found[0]["message"]
    assert found[0]["fix"] == fix
    assert invoke(sample_db, "check").exit_code == 1


def test_max_age_fails_when_the_oldest_due_alert_waited_too_long(sample_db: Path) -> None:
    ok(sample_db, *OPEN_R1)
    sql(sample_db, "UPDATE alert SET created_at = '2026-01-01 00:00:00.000000'")
    # (No sender has run: that is its own problem, left out here by a long --max-silence.)
    quiet = ("--max-silence", "1e9")
    assert problems(sample_db, *quiet) == []
    (late,) = problems(sample_db, "--max-age", "300", *quiet)
    assert late["area"] == "queue"
    assert late["message"].startswith("the oldest due alert has waited ")
    assert late["fix"] == "alertctl alerts send --watch"
    document = json.loads(invoke(sample_db, "check", "--json").stdout)
    assert document["queue"]["due"] == 3
    assert document["queue"]["oldest_due_seconds"] > 300


def test_connect_logs_in_to_the_smtp_server(sample_db: Path, smtp: tuple[Handler, int]) -> None:
    _, port = smtp
    settings_file(port)
    assert problems(sample_db, "--connect") == []
    settings_file(free_port())
    (down,) = problems(sample_db, "--connect")
    assert down["area"] == "connection"
    assert down["subject"] == "email transport"
    assert down["message"].startswith("cannot connect to 127.0.0.1:")


def test_connect_names_a_refused_login(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERTCTL_SMTP_PASSWORD", "wrong")
    with smtp_server(refuse_login=True) as (_, port):
        settings_file(port)
        settings = Path("alertctl.toml")
        settings.write_text(
            settings.read_text().replace(
                "timeout = 1\n",
                'timeout = 1\nusername = "alerts"\nsend_password_without_tls = true\n',
            )
        )
        (refused,) = problems(sample_db, "--connect")
    assert "refused the login: 535" in refused["message"]


def test_send_refuses_to_start_with_settings_that_cannot_work(sample_db: Path) -> None:
    queue(sample_db, "a@acme.example")
    Path("alertctl.toml").write_text('[mail]\nfrom = "Support\\nBcc: x@evil.example"\n')
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 1, str(result)
    assert result.stderr.startswith(
        "error: alertctl.toml: [mail] from 'Support\\nBcc: x@evil.example' holds a line break"
    )
    with sqlite3.connect(sample_db) as connection:
        assert connection.execute("SELECT status, attempts FROM alert").fetchall() == [
            ("pending", 0)
        ]


def test_a_password_never_crosses_a_connection_without_tls_unless_asked(
    sample_db: Path, smtp: tuple[Handler, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = smtp
    monkeypatch.setenv("ALERTCTL_SMTP_PASSWORD", "secret")
    queue(sample_db, "a@acme.example")
    settings_file(port)
    settings = Path("alertctl.toml")
    settings.write_text(
        settings.read_text().replace("timeout = 1\n", 'timeout = 1\nusername = "alerts"\n')
    )
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 1, str(result)
    assert result.stderr.startswith(
        "error: alertctl.toml: [smtp] username is set on a connection without TLS: the "
        "password would cross the network in clear"
    )
    with sqlite3.connect(sample_db) as connection:
        assert connection.execute("SELECT status, attempts FROM alert").fetchall() == [
            ("pending", 0)
        ]
    (problem,) = problems(sample_db)
    assert problem["area"] == "settings"
    assert "send_password_without_tls = true" in problem["fix"]


def test_faults_of_a_feed_of_old_saves_are_seen_today(sample_db: Path, tmp_path: Path) -> None:
    """The saves are a month old, the faults they met are found now: `check` fails on them."""
    import json as json_module
    from datetime import UTC, datetime, timedelta

    broken_template(sample_db, tmp_path)
    feed = tmp_path / "old.jsonl"
    line = {
        "reference": "R1",
        "contract": "K1",
        "title": "Printer",
        "external_description": "It jams",
        "time": (datetime.now(UTC) - timedelta(days=30)).isoformat(),
    }
    feed.write_text(json_module.dumps(line) + "\n")
    ok(sample_db, "request", "ingest", str(feed))
    (saves,) = [p for p in problems(sample_db) if p["subject"] == "saves"]
    assert saves["message"].endswith("left out by faults in the last 24 hours")
