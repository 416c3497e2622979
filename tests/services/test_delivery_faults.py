"""One bad alert fails alone; a transport that cannot work ends the batch at once and hands the
other claims back; nothing is ever left `sending` by a fault."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import invoke, ok
from tests.services.test_delivery import queue, settings_file, statuses
from tests.smtp_server import Handler, free_port, smtp_server

UNICODE_LOCAL = "jürgen@acme.example"


def rows(db: Path) -> list[tuple[str, str, int, str | None]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT address, status, attempts, last_reply FROM alert ORDER BY id"
        ).fetchall()


def test_an_address_the_server_cannot_take_fails_alone(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    queue(sample_db, "a@acme.example", UNICODE_LOCAL, "b@acme.example", "c@acme.example")
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 3, str(result)
    assert result.stderr == (
        "warning: alert 2 dead (email, attempt 1): jürgen@acme.example has a local part that is "
        "not ASCII, and the server does not offer SMTPUTF8: it cannot take this address\n"
        "alerts: 1 dead, 3 sent\n"
    )
    by_address = {address: (status, reply) for address, status, _, reply in rows(sample_db)}
    status, reply = by_address[UNICODE_LOCAL]
    assert status == "dead"
    assert reply is not None and "does not offer SMTPUTF8" in reply
    assert sorted(r.rcpt_tos[0] for r in handler.received) == [
        "a@acme.example",
        "b@acme.example",
        "c@acme.example",
    ]


def test_an_internationalised_address_goes_through_a_server_with_smtputf8(sample_db: Path) -> None:
    with smtp_server(smtputf8=True) as (handler, port):
        settings_file(port)
        queue(sample_db, UNICODE_LOCAL, "a@bücher.example")
        ok(sample_db, "alerts", "send")
    assert statuses(sample_db) == {"sent": 2}
    assert sorted(r.rcpt_tos[0] for r in handler.received) == [
        "a@xn--bcher-kva.example",
        UNICODE_LOCAL,
    ]


def test_an_internationalised_address_is_announced_when_entered(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME", "--name", "Acme")
    result = ok(db_path, "contact", "add", "j", "--client", "ACME", "--email", UNICODE_LOCAL)
    assert "warning: jürgen@acme.example has a local part that is not ASCII" in result.stderr
    assert "SMTPUTF8" in result.stderr
    quiet = ok(db_path, "contact", "add", "k", "--client", "ACME", "--email", "k@bücher.example")
    assert "warning" not in quiet.stderr


def test_a_refused_login_ends_the_batch_and_hands_the_rest_back(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERTCTL_SMTP_PASSWORD", "wrong")
    with smtp_server(refuse_login=True) as (handler, port):
        settings_file(port)
        settings = Path("alertctl.toml")
        settings.write_text(
            settings.read_text().replace(
                "timeout = 1\n",
                'timeout = 1\nusername = "alerts"\nsend_password_without_tls = true\n',
            )
        )
        queue(sample_db, *(f"c{i}@acme.example" for i in range(5)))
        result = invoke(sample_db, "alerts", "send")
        assert len(handler.logins) == 1, "one connection tried to log in, not one per alert"
        assert handler.received == []
    assert result.exit_code == 3, str(result)
    assert "refused the login" in result.stderr
    found = rows(sample_db)
    assert {status for _, status, _, _ in found} == {"retry"}
    assert [attempts for _, _, attempts, _ in found] == [1, 0, 0, 0, 0]


def test_a_server_that_is_down_ends_the_batch_and_nothing_stays_sending(sample_db: Path) -> None:
    settings_file(free_port())
    queue(sample_db, *(f"c{i}@acme.example" for i in range(5)))
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 3, str(result)
    assert "cannot connect" in result.stderr
    assert "alertctl check --connect" in result.stderr
    found = rows(sample_db)
    assert {status for _, status, _, _ in found} == {"retry"}
    assert sum(attempts for _, _, attempts, _ in found) == 1
    # Back up: everything goes, and each alert was tried once more.
    with smtp_server() as (handler, port):
        settings_file(port)
        listed = json.loads(ok(sample_db, "alerts", "list", "--json").stdout)
        assert all(a["status"] == "retry" for a in listed)
        with sqlite3.connect(sample_db) as connection:
            connection.execute("UPDATE alert SET next_attempt_at = NULL")
        ok(sample_db, "alerts", "send")
        assert len(handler.received) == 5
    assert statuses(sample_db) == {"sent": 5}
