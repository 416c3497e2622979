"""`alerts test --to`: one message through the configured transport, the server's reply
printed; nothing is queued."""

import json
from pathlib import Path

import pytest

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
    assert "sent to ops@acme.example by the smtp transport" in result.stderr
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
    port = free_port()
    settings_file(port)
    result = invoke(db_path, "alerts", "test", "--to", "ops@acme.example")
    assert result.exit_code == 3, str(result)
    assert result.stderr.startswith("error: the test message to ops@acme.example was not sent: ")
    assert "cannot connect to 127.0.0.1:" in result.stderr
    assert result.stderr.endswith(
        f"hint: nothing accepts connections on 127.0.0.1:{port}: check [smtp] host and port "
        "(587 with starttls, 465 with tls = true, 25 with neither)\n"
    )


def test_a_bad_test_address_is_refused(db_path: Path) -> None:
    refused(db_path, ["alerts", "test", "--to", "not an address"], 1, "invalid e-mail address")


def test_the_default_transport_writes_into_the_maildir(db_path: Path) -> None:
    result = ok(db_path, "alerts", "test", "--to", "ops@acme.example")
    assert result.stdout.startswith("stored in outbox/new/")
    assert len(list(Path("outbox/new").iterdir())) == 1


STARTTLS_HINT = (
    "offers no STARTTLS: set [smtp] tls = true and port = 465 if the server takes TLS there; "
    "or, on a trusted network only, starttls = false, and mail (and a login) cross the network "
    "unencrypted"
)


@pytest.mark.parametrize(
    ("smtp_settings", "hint"),
    [
        ("starttls = true", STARTTLS_HINT),
        ("tls = true", "does not speak TLS as set: tls = true is for implicit TLS (port 465)"),
        (
            'starttls = false\nusername = "alerts"\nsend_password_without_tls = true',
            "offers no login: remove [smtp] username, or use its submission port",
        ),
    ],
)
def test_each_smtp_failure_names_the_setting_that_fixes_it_and_no_hint_loops(
    db_path: Path, smtp: tuple[Handler, int], smtp_settings: str, hint: str
) -> None:
    """A server that offers no STARTTLS (or no TLS, or no login): `alerts test` and `check
    --connect` both name the setting to change, and neither sends to the other."""
    _handler, port = smtp
    settings_file(port)
    text = Path("alertctl.toml").read_text().replace("starttls = false", smtp_settings)
    Path("alertctl.toml").write_text(text)
    tried = invoke(db_path, "alerts", "test", "--to", "ops@acme.example")
    assert tried.exit_code == 3, str(tried)
    test_hint = tried.stderr.splitlines()[-1]
    assert test_hint.startswith("hint: ") and hint in test_hint, str(tried)
    checked = invoke(db_path, "check", "--connect", "--json")
    (problem,) = [p for p in json.loads(checked.stdout)["problems"] if p["area"] == "connection"]
    assert hint in problem["fix"]
    assert "alertctl" not in problem["fix"] and "alertctl" not in test_hint
