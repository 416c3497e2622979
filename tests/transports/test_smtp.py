"""SMTP against a real aiosmtpd: each fault the server can inject, and recovery after it."""

import select
import threading

import pytest

from alertctl.config import SmtpSettings
from alertctl.transports import smtp as smtp_module
from alertctl.transports.base import OutcomeUnknown, PermanentFailure, TemporaryFailure
from alertctl.transports.smtp import SmtpTransport
from tests.smtp_server import (
    Handler,
    endless_greeting_server,
    free_port,
    silent_server,
    smtp_server,
)
from tests.transports.test_contract import SENDER, deliver, outgoing


def transport(port: int, timeout: float = 1.0) -> SmtpTransport:
    return SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=timeout), sender=SENDER
    )


@pytest.mark.parametrize(
    ("local", "failure", "reply"),
    [
        ("t421", TemporaryFailure, "421 4.3.2 Service not available"),
        ("t451", TemporaryFailure, "451 4.3.0 Local error"),
        ("t452", TemporaryFailure, "452 4.2.2 Mailbox full"),
        ("p550", PermanentFailure, "550 5.1.1 No such user"),
        ("p553", PermanentFailure, "553 5.1.8 Mailbox name not allowed"),
        ("p554", PermanentFailure, "554 5.7.1 Transaction failed"),
        ("drop", OutcomeUnknown, "connection lost after the whole message was sent"),
    ],
)
def test_server_faults_then_the_next_message_goes_through(
    smtp: tuple[Handler, int], local: str, failure: type[Exception], reply: str
) -> None:
    handler, port = smtp
    sender = transport(port)
    sender.open()
    with pytest.raises(failure) as caught:
        deliver(sender, outgoing(address=f"{local}@acme.example"))
    assert str(caught.value).startswith(reply)
    accepted = deliver(sender, outgoing(address="alice@acme.example"))
    sender.close()
    assert accepted.reply.startswith("250")
    assert [r.rcpt_tos for r in handler.received] == [["alice@acme.example"]]


def test_a_server_that_never_answers_times_out() -> None:
    # Without a timeout this would never return.
    with silent_server() as port, pytest.raises(TemporaryFailure, match="cannot connect"):
        deliver(transport(port, timeout=0.5), outgoing())


def test_a_reply_that_never_comes_times_out(smtp: tuple[Handler, int]) -> None:
    """The whole message went and no reply came: whether it was delivered is not known."""
    _handler, port = smtp
    with pytest.raises(OutcomeUnknown, match="connection lost after the whole message was sent"):
        deliver(transport(port, timeout=0.5), outgoing(address="slow@acme.example"))


def test_a_refused_connection_is_temporary() -> None:
    with pytest.raises(TemporaryFailure, match="cannot connect"):
        deliver(transport(free_port()), outgoing())


def test_one_connection_serves_a_batch(smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    sender = transport(port)
    for i in range(3):
        deliver(sender, outgoing(key=f"k{i}"))
    connection = sender._connection
    deliver(sender, outgoing(key="k3"))
    assert sender._connection is connection
    sender.close()
    assert len(handler.received) == 4


def test_a_connection_the_server_closed_while_idle_is_reopened_before_the_next_message() -> None:
    """Servers close idle connections: the next message goes through on a new one, without a
    failure (so without an attempt spent or a retry recorded)."""
    with smtp_server(idle_timeout=0.2) as (handler, port):
        sender = transport(port)
        deliver(sender, outgoing(key="k0"))
        kept = sender._connection
        assert kept is not None and kept.sock is not None
        # The server's close reaches us: the socket has an end of file to read.
        assert select.select([kept.sock], [], [], 60)[0], "the server never closed it"
        accepted = deliver(sender, outgoing(key="k1"))
        sender.close()
    assert accepted.reply.startswith("250")
    assert len(handler.received) == 2
    assert handler.greetings == 2


def test_a_close_that_arrives_with_mail_from_costs_no_attempt(
    smtp: tuple[Handler, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close may land between the check and MAIL FROM: nothing of the message was sent
    yet, so it goes through on a new connection."""
    handler, port = smtp
    sender = transport(port)
    deliver(sender, outgoing(key="k0"))
    kept = sender._connection
    assert kept is not None and kept.sock is not None
    kept.sock.close()  # as if the server had closed it unseen
    monkeypatch.setattr(SmtpTransport, "_still_open", lambda self, connection: True)
    accepted = deliver(sender, outgoing(key="k1"))
    sender.close()
    assert accepted.reply.startswith("250")
    assert len(handler.received) == 2


def test_a_long_idle_connection_is_probed_and_kept_when_alive(
    smtp: tuple[Handler, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp
    monkeypatch.setattr(smtp_module, "IDLE_PROBE_SECONDS", 0.0)
    sender = transport(port)
    deliver(sender, outgoing(key="k0"))
    kept = sender._connection
    deliver(sender, outgoing(key="k1"))
    assert sender._connection is kept
    sender.close()
    assert handler.greetings == 1 and len(handler.received) == 2


def test_a_greeting_that_never_ends_meets_the_total_deadline() -> None:
    """Each line comes at once, so no read times out: only a deadline on the whole exchange
    ends it."""
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            deliver(transport(port, timeout=0.5), outgoing())
        except BaseException as exc:
            outcome.append(exc)

    with endless_greeting_server() as port:
        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(120)
        assert not worker.is_alive(), "the sender is still greeting"
    assert len(outcome) == 1 and isinstance(outcome[0], TemporaryFailure)
    assert "no complete answer within 0.5 s" in str(outcome[0])
