"""`alerts send` through a real SMTP server: outcomes, retries, dead letters, operators."""

import json
import sqlite3
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.helpers import invoke, ok
from tests.smtp_server import Handler, free_port


def settings_file(port: int, **delivery: object) -> None:
    """Write ./alertctl.toml (the tests run in their own temporary folder)."""
    extra = "".join(f"{k} = {v}\n" for k, v in delivery.items())
    Path("alertctl.toml").write_text(
        '[mail]\nfrom = "Support <support@example.com>"\n'
        '[transport]\nemail = "smtp"\nfax = "gateway"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\ntimeout = 1\n'
        '[fax]\ngateway = "{number}@fax.example.net"\n'
        f"[delivery]\nbackoff_base = 0.001\nbackoff_cap = 0.001\n{extra}"
    )


def statuses(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT status, count(*) FROM alert GROUP BY status"))


def queue(db: Path, *addresses: str) -> None:
    """One resolution alert per address: one contact each, linked to the contract."""
    ok(db, "client", "alerts", "ACME", "-e", "open", "--enable", "--keyword", "[ACME]")
    for i, address in enumerate(addresses):
        ok(db, "contact", "add", f"c{i}", "--client", "ACME", "--email", address)
        ok(db, "contact", "alerts", f"c{i}", "--on", "open")
        ok(db, "link", "contract", "K1", "--contact", f"c{i}")
    ok(db, "contract", "enable", "K1", "--source", "contract")
    ok(db, "contact", "alerts", "alice", "--off", "open")
    ok(
        db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--title",
        "Printer",
        "--external-description",
        "It jams",
    )


def test_send_delivers_every_alert_exactly_as_queued(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--product",
        "ERP",
        "--title",
        "Imprimante",
        "--external-description",
        "Elle bourre",
    )
    result = ok(sample_db, "alerts", "send")
    assert result.stderr == "alerts: 3 sent\n"
    assert statuses(sample_db) == {"sent": 3}
    received = sorted(handler.received, key=lambda r: r.rcpt_tos[0])
    assert [r.rcpt_tos for r in received] == [
        ["33145000001@fax.example.net"],
        ["alice@acme.example"],
        ["jdu@support.example"],
    ]
    with sqlite3.connect(sample_db) as connection:
        queued = dict(connection.execute("SELECT address, subject FROM alert"))
        message_ids = dict(connection.execute("SELECT address, message_id FROM alert"))
    for r in received:
        message = r.message
        address = r.rcpt_tos[0] if "fax" not in r.rcpt_tos[0] else "+33145000001"
        assert (
            message["Subject"]
            == queued[address]
            == "[ACME support] Demande enregistrée\u00a0: R1 – Imprimante"
        )
        assert message["Message-ID"] == message_ids[address]
        assert message["From"] == "Support <support@example.com>"
        assert r.mail_from == "support@example.com"
    assert ok(sample_db, "alerts", "send").stderr == "alerts: nothing due\n"


@pytest.mark.parametrize(
    ("local", "status"),
    [
        ("t421", "retry"),
        ("t451", "retry"),
        ("t452", "retry"),
        ("p550", "dead"),
        ("p553", "dead"),
        ("p554", "dead"),
        ("drop", "unknown"),
        ("slow", "unknown"),
    ],
)
def test_each_server_fault_gives_its_outcome(
    sample_db: Path, smtp: tuple[Handler, int], local: str, status: str
) -> None:
    _handler, port = smtp
    settings_file(port)
    queue(sample_db, f"{local}@acme.example", "fine@acme.example")
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 3, str(result)
    assert statuses(sample_db) == {"sent": 1, status: 1}
    failed = json.loads(ok(sample_db, "alerts", "list", "--status", status, "--json").stdout)
    assert failed[0]["address"] == f"{local}@acme.example"
    assert failed[0]["last_reply"]
    # Each failure is said on stderr with its reason, before the counts.
    assert result.stderr.splitlines()[0] == (
        f"warning: alert {failed[0]['id']} {status} (email, attempt 1): {failed[0]['last_reply']}"
    )


def test_retries_back_off_then_go_dead_after_the_last_attempt(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    _, port = smtp
    settings_file(port, max_attempts=3)
    queue(sample_db, "t451@acme.example")
    import time

    for _ in range(3):
        time.sleep(0.01)
        invoke(sample_db, "alerts", "send")
    assert statuses(sample_db) == {"dead": 1}
    dead = json.loads(ok(sample_db, "alerts", "list", "--status", "dead", "--json").stdout)[0]
    shown = json.loads(ok(sample_db, "alerts", "show", str(dead["id"]), "--json").stdout)
    assert [a["outcome"] for a in shown["attempts_log"]] == ["retry", "retry", "dead"]
    assert (shown["attempts"], shown["attempts_this_round"]) == (3, 3)
    # Made due again, tried once more: every try is counted, and the round apart (what the
    # retry limit counts), so that the count and the log agree.
    ok(sample_db, "alerts", "retry", str(dead["id"]))
    invoke(sample_db, "alerts", "send")
    shown = json.loads(ok(sample_db, "alerts", "show", str(dead["id"]), "--json").stdout)
    assert len(shown["attempts_log"]) == 4
    assert (shown["attempts"], shown["attempts_this_round"]) == (4, 1)
    text = ok(sample_db, "alerts", "show", str(dead["id"])).stdout
    assert "Attempts         4 (1 since it was made due again)" in text, text


def test_a_refused_connection_and_a_silent_server_are_retried(sample_db: Path) -> None:
    from tests.smtp_server import silent_server

    settings_file(free_port())
    queue(sample_db, "someone@acme.example")
    assert invoke(sample_db, "alerts", "send").exit_code == 3
    assert statuses(sample_db) == {"retry": 1}
    with silent_server() as port:
        settings_file(port)
        ok(sample_db, "alerts", "retry", "1")
        assert invoke(sample_db, "alerts", "send").exit_code == 3
    assert statuses(sample_db) == {"retry": 1}


def test_operator_retry_cancel_show_and_stats(sample_db: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    settings_file(port)
    queue(sample_db, "p550@acme.example", "later@acme.example")
    invoke(sample_db, "alerts", "send")
    dead = json.loads(ok(sample_db, "alerts", "list", "--status", "dead", "--json").stdout)
    assert [d["address"] for d in dead] == ["p550@acme.example"]
    assert ok(sample_db, "alerts", "retry", "--dead").stderr == (
        "1 alert due again: alertctl alerts send\n"
    )
    ok(sample_db, "alerts", "cancel", str(dead[0]["id"]))
    sent_id = str(
        json.loads(ok(sample_db, "alerts", "list", "--status", "sent", "--json").stdout)[0]["id"]
    )
    refused = invoke(sample_db, "alerts", "cancel", sent_id)
    assert refused.stderr == f"error: alert {sent_id} is sent: it cannot be cancelled\n"
    assert invoke(sample_db, "alerts", "retry", sent_id).exit_code == 1
    assert invoke(sample_db, "alerts", "show", "999").stderr.startswith("error: unknown alert 999")
    sent = json.loads(ok(sample_db, "alerts", "show", sent_id, "--json").stdout)
    parsed = message_from_bytes(sent["message"].encode(), policy=policy.default)
    assert parsed["Message-ID"] == sent["message_id"]
    assert sent["attempts_log"][0]["reply"].startswith("250")
    stats = json.loads(ok(sample_db, "alerts", "stats", "--json").stdout)
    assert stats["by_status"]["sent"] == 1
    assert stats["by_status"]["cancelled"] == 1
    assert sum(stats["by_day"][0][s] for s in ("sent", "cancelled")) == 2
    assert "By day" in ok(sample_db, "alerts", "stats").stdout
    assert len(handler.received) == 1


def test_dry_run_lists_what_is_due_and_sends_nothing(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    queue(sample_db, "a@acme.example", "b@acme.example")
    for args in (["alerts", "send", "--dry-run"], ["--dry-run", "alerts", "send"]):
        result = ok(sample_db, *args)
        assert result.stderr == (
            "2 alerts due; nothing sent (dry run)\ndry run: nothing was written\n"
        )
        assert "a@acme.example" in result.stdout
        assert handler.received == []
        assert statuses(sample_db) == {"pending": 2}
    ok(sample_db, "alerts", "send", "--limit", "1")
    assert statuses(sample_db) == {"pending": 1, "sent": 1}


def test_an_expired_lease_is_claimed_again_and_an_interrupted_fax_submit_becomes_unknown(
    sample_db: Path, smtp: tuple[Handler, int], tmp_path: Path
) -> None:
    _, port = smtp
    ok(
        sample_db,
        "request",
        "open",
        "R1",
        "--contract",
        "K1",
        "--product",
        "ERP",
        "--title",
        "T",
        "--external-description",
        "D",
    )
    # A sender that died: its claims are still 'sending', their leases long expired.
    with sqlite3.connect(sample_db) as connection:
        connection.execute(
            "UPDATE alert SET status = 'sending', lease_owner = 'dead-sender', attempts = 1, "
            "lease_expires_at = '2000-01-01 00:00:00.000000'"
        )
        connection.execute(
            "UPDATE alert SET submit_started_at = '2000-01-01 00:00:00.000000' "
            "WHERE channel = 'fax'"
        )
    settings_file(port)
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 3
    assert result.stderr == (
        "alerts: 2 sent, 1 marked unknown (alertctl alerts list --status unknown)\n"
    )
    assert statuses(sample_db) == {"sent": 2, "unknown": 1}
    unknown = json.loads(ok(sample_db, "alerts", "list", "--status", "unknown", "--json").stdout)
    assert unknown[0]["channel"] == "fax"
    # Never re-sent by itself; the operator decides.
    assert invoke(sample_db, "alerts", "send").stderr == "alerts: nothing due\n"


def test_fax_by_command_marks_the_submit_before_running_it(sample_db: Path, tmp_path: Path) -> None:
    script = tmp_path / "sendfax.py"
    marker = tmp_path / "seen.txt"
    # The stand-in records what the database says while the submit runs.
    script.write_text(
        "import sqlite3, sys\n"
        f"row = sqlite3.connect({str(sample_db)!r}).execute("
        "\"SELECT submit_started_at FROM alert WHERE channel = 'fax'\").fetchone()\n"
        f"open({str(marker)!r}, 'w').write(str(row[0] is not None))\n"
        "print('request id is 7')\n"
    )
    import sys

    Path("alertctl.toml").write_text(
        f'[transport]\nfax = "command"\n[fax]\ncommand = ["{sys.executable}", "{script}", '
        '"{number}", "{file}"]\n'
    )
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
        "D",
    )
    assert ok(sample_db, "alerts", "send").stderr == "alerts: 2 sent\n"
    assert marker.read_text() == "True"
    fax = json.loads(ok(sample_db, "alerts", "list", "--json").stdout)
    assert {a["last_reply"] for a in fax if a["channel"] == "fax"} == {"request id is 7"}


def test_bad_settings_are_refused(sample_db: Path) -> None:
    Path("alertctl.toml").write_text('[transport]\nemail = "pigeon"\n')
    result = invoke(sample_db, "alerts", "send")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: alertctl.toml: [transport] email = 'pigeon' is not one of: maildir, smtp\n",
    )
    Path("alertctl.toml").write_text('[smtp]\npassword = "hunter2"\n')
    result = invoke(sample_db, "alerts", "send")
    assert "hunter2" not in result.stderr
    assert result.stderr.startswith("error: alertctl.toml: [smtp] password is not read")


def test_a_fax_command_that_times_out_is_unknown_never_resent_and_settled(
    sample_db: Path, tmp_path: Path
) -> None:
    """Whether a fax that timed out went is not known: it is `unknown`, no send tries it again,
    and an operator settles it one way or the other."""
    import sys

    script = tmp_path / "sendfax.py"
    calls = tmp_path / "calls.txt"
    script.write_text(f"import time\nopen({str(calls)!r}, 'a').write('x')\ntime.sleep(60)\n")
    Path("alertctl.toml").write_text(
        f'[transport]\nfax = "command"\n[fax]\ncommand = ["{sys.executable}", "{script}", '
        '"{number}", "{file}"]\ntimeout = 1\n[delivery]\nlease_seconds = 10\n'
    )
    ok(sample_db, "contact", "alerts", "alice", "--off", "open")
    ok(sample_db, "collaborator", "update", "jdu", "--fax", "+33 1 45 00 00 02")
    ok(sample_db, "collaborator", "reception", "jdu", "--email", "off", "--fax", "on")
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--product", "ERP",
       "--title", "T", "--external-description", "D")  # fmt: skip
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 3, str(result)
    assert "warning: alert 1 unknown (fax, attempt 1): fax command timed out after 1 s" in (
        result.stderr
    )
    assert statuses(sample_db) == {"unknown": 1}
    for _ in range(2):
        ok(sample_db, "alerts", "send")  # nothing due: never retried blindly
    assert calls.read_text() == "x"
    refused_settle = invoke(sample_db, "alerts", "settle", "1")
    assert refused_settle.exit_code == 2  # --delivered or --not-delivered is required
    ok(sample_db, "alerts", "settle", "1", "--delivered")
    assert statuses(sample_db) == {"sent": 1}
    again = invoke(sample_db, "alerts", "settle", "1", "--not-delivered")
    assert again.exit_code == 1
    assert again.stderr.startswith("error: alert 1 is sent: only an alert of unknown outcome")
    shown = json.loads(ok(sample_db, "alerts", "show", "1", "--json").stdout)
    assert [a["outcome"] for a in shown["attempts_log"]] == ["unknown", "sent"]
