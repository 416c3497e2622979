"""`alerts test --to`: one message through the configured transport, the server's reply
printed; nothing is queued."""

from pathlib import Path

from tests.helpers import invoke, ok, refused
from tests.services.test_delivery import settings_file, statuses
from tests.smtp_server import Handler, free_port


def test_a_test_message_goes_through_smtp_and_prints_the_reply(
    db_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    result = ok(db_path, "alerts", "test", "--to", "ops@acme.example")
    assert result.stdout == "250 2.0.0 Ok: queued\n"
    assert "sent to ops@acme.example by SmtpTransport" in result.stderr
    (message,) = handler.received
    assert message.rcpt_tos == ["ops@acme.example"]
    assert message.message["Subject"] == "[alertctl] test message"
    assert message.message["From"] == "Support <support@example.com>"
    assert statuses(db_path) == {}


def test_a_test_fax_goes_through_the_gateway(db_path: Path, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    settings_file(port)
    ok(db_path, "alerts", "test", "--channel", "fax", "--to", "01 45 00 00 01")
    assert [m.rcpt_tos for m in handler.received] == [["33145000001@fax.example.net"]]


def test_a_test_message_the_server_cannot_take_exits_3(db_path: Path) -> None:
    settings_file(free_port())
    result = invoke(db_path, "alerts", "test", "--to", "ops@acme.example")
    assert result.exit_code == 3, str(result)
    assert result.stderr.startswith("error: the test message to ops@acme.example was not sent: ")
    assert "cannot connect to 127.0.0.1:" in result.stderr
    assert result.stderr.endswith("hint: alertctl check --connect\n")


def test_a_bad_test_address_is_refused(db_path: Path) -> None:
    refused(db_path, ["alerts", "test", "--to", "not an address"], 1, "invalid e-mail address")


def test_the_default_transport_writes_into_the_maildir(db_path: Path) -> None:
    result = ok(db_path, "alerts", "test", "--to", "ops@acme.example")
    assert result.stdout.startswith("stored in outbox/new/")
    assert len(list(Path("outbox/new").iterdir())) == 1
