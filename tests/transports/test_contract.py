"""What every transport must do, checked against each of them (maildir, SMTP against a real
aiosmtpd, the fax gateway through SMTP, a fax command with a stand-in script)."""

import mailbox
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from alertctl.config import SmtpSettings
from alertctl.transports.base import (
    Accepted,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    Unreachable,
    message_id_for,
)
from alertctl.transports.fax_command import FaxCommandTransport
from alertctl.transports.fax_gateway import FaxGatewayTransport
from alertctl.transports.maildir import MaildirTransport
from alertctl.transports.smtp import SmtpTransport
from tests.smtp_server import smtp_server
from tests.transports.test_layout import unflowed

SENDER = "Support <support@example.com>"
STAND_IN_FAX = """\
import pathlib, sys
number, document = sys.argv[1], pathlib.Path(sys.argv[2])
if number.endswith("13"):
    print("sendfax: unable to connect to server", file=sys.stderr)
    sys.exit(1)
out = pathlib.Path(sys.argv[3])
out.mkdir(exist_ok=True)
target = out / f"{number}-{len(list(out.iterdir()))}.txt"
target.write_text(document.read_text(encoding="utf-8"), encoding="utf-8")
print(f"request id is 42 for host localhost (1 file) to {number}")
"""


def outgoing(
    channel: str = "email",
    address: str = "alice@acme.example",
    *,
    html: str | None = "<p>Résolue</p>",
    key: str = "save-1/contact:alice/email",
) -> Outgoing:
    return Outgoing(
        key=key,
        channel=channel,
        address=address,
        subject="[ACME] R1 - Imprimante en panne",
        text="Bonjour Alice,\nrésolue.\n",
        html=html,
        date=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        message_id=message_id_for(key, SENDER),
    )


def deliver(transport: Transport, message: Outgoing) -> Accepted:
    return transport.send(transport.prepare(message))


@dataclass
class Rig:
    transport: Transport
    channel: str
    address: str
    # Every message delivered so far, as (where it went, what arrived).
    delivered: Callable[[], list[tuple[str, str]]]


def _maildir(folder: Path) -> Iterator[Rig]:
    transport = MaildirTransport(folder / "box", sender=SENDER)

    def delivered() -> list[tuple[str, str]]:
        box = mailbox.Maildir(folder / "box")
        return [(str(m["To"]), m.as_string()) for m in box]

    yield Rig(transport, "email", "alice@acme.example", delivered)


def _smtp(_folder: Path) -> Iterator[Rig]:
    with smtp_server() as (handler, port):
        settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=2)
        yield Rig(
            SmtpTransport(settings, sender=SENDER),
            "email",
            "alice@acme.example",
            lambda: [(r.rcpt_tos[0], r.raw.decode()) for r in handler.received],
        )


def _gateway(_folder: Path) -> Iterator[Rig]:
    with smtp_server() as (handler, port):
        settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=2)
        email = SmtpTransport(settings, sender=SENDER)
        yield Rig(
            FaxGatewayTransport(email, "{number}@fax.example.net"),
            "fax",
            "+33145000001",
            lambda: [(r.rcpt_tos[0], r.raw.decode()) for r in handler.received],
        )


def _command(folder: Path) -> Iterator[Rig]:
    script = folder / "sendfax.py"
    script.write_text(STAND_IN_FAX)
    out = folder / "faxes"
    transport = FaxCommandTransport(
        (sys.executable, str(script), "{number}", "{file}", str(out)), timeout=10
    )

    def delivered() -> list[tuple[str, str]]:
        return (
            [(p.stem.split("-")[0], p.read_text()) for p in sorted(out.glob("*.txt"))]
            if out.exists()
            else []
        )

    yield Rig(transport, "fax", "+33145000001", delivered)


RIGS = {"maildir": _maildir, "smtp": _smtp, "fax-gateway": _gateway, "fax-command": _command}


@pytest.fixture(params=sorted(RIGS))
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    yield from RIGS[request.param](tmp_path)


class TestEveryTransport:
    def test_sends_one_message_to_the_address(self, rig: Rig) -> None:
        rig.transport.open()
        accepted = deliver(rig.transport, outgoing(rig.channel, rig.address))
        rig.transport.close()
        delivered = rig.delivered()
        assert len(delivered) == 1
        where, content = delivered[0]
        assert rig.address.lstrip("+") in where
        assert "Imprimante en panne" in accepted.raw or "Imprimante en panne" in content
        assert accepted.reply

    def test_sends_many_over_one_open(self, rig: Rig) -> None:
        rig.transport.open()
        for i in range(5):
            deliver(rig.transport, outgoing(rig.channel, rig.address, key=f"s{i}/contact:alice/x"))
        rig.transport.close()
        assert len(rig.delivered()) == 5

    def test_carries_the_text_version(self, rig: Rig) -> None:
        rig.transport.open()
        deliver(rig.transport, outgoing(rig.channel, rig.address))
        rig.transport.close()
        content = rig.delivered()[0][1]
        if rig.channel == "email" or "Message-ID" in content:
            parsed = _headers(content)
            body = parsed.get_body(("plain",))
            assert body is not None and "résolue" in body.get_content()
        else:
            assert "Bonjour Alice,\nrésolue." in content


def _headers(raw: str) -> EmailMessage:
    parsed = message_from_bytes(raw.encode(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("name", ["maildir", "smtp", "fax-gateway"])
def test_a_later_alert_of_a_request_answers_the_first_and_names_its_list(
    name: str, tmp_path: Path
) -> None:
    """One thread per request in every mail client: In-Reply-To and References name the first
    alert's Message-ID; List-Id names the client's list (RFC 2919)."""
    from dataclasses import replace

    for rig in RIGS[name](tmp_path):
        first = replace(outgoing(rig.channel, rig.address), list_id="<acme.example.com>")
        later = replace(
            outgoing(rig.channel, rig.address, key="save-2/contact:alice/email"),
            in_reply_to=first.message_id,
            list_id="<acme.example.com>",
        )
        rig.transport.open()
        deliver(rig.transport, first)
        deliver(rig.transport, later)
        rig.transport.close()
        got = {m["Message-ID"]: m for m in (_headers(c) for _, c in rig.delivered())}
        got_first, got_later = got[first.message_id], got[later.message_id]
        assert "In-Reply-To" not in got_first and "References" not in got_first
        assert got_later["In-Reply-To"] == got_later["References"] == first.message_id
        assert got_first["List-Id"] == got_later["List-Id"] == "<acme.example.com>"


@pytest.mark.parametrize("name", ["maildir", "smtp", "fax-gateway"])
def test_mail_transports_put_exactly_the_tool_s_headers(name: str, tmp_path: Path) -> None:
    for rig in RIGS[name](tmp_path):
        message = outgoing(rig.channel, rig.address)
        rig.transport.open()
        deliver(rig.transport, message)
        deliver(rig.transport, message)  # a retry: the same Message-ID
        rig.transport.close()
        first, second = (_headers(content) for _, content in rig.delivered())
        expected = {
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "Auto-Submitted",
            "X-Auto-Response-Suppress",
            "X-Alertctl-Key",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
        }
        assert set(first.keys()) <= expected
        assert first["Message-ID"] == second["Message-ID"] == message.message_id
        assert first["X-Alertctl-Key"] == message.key
        assert first["Auto-Submitted"] == "auto-generated"
        assert first["From"] == SENDER
        assert first["Subject"] == message.subject
        assert first["Date"] == "Sat, 28 Nov 2026 09:30:00 +0000"
        if rig.channel == "email":
            assert first.get_content_type() == "multipart/alternative"
            html = first.get_body(("html",))
            assert html is not None and "<p>Résolue</p>" in html.get_content()
        else:
            # A fax carries the text version only.
            assert first.get_content_type() == "text/plain"


def test_message_ids_are_stable_and_on_the_sender_s_domain() -> None:
    assert message_id_for("k", SENDER) == message_id_for("k", SENDER)
    assert message_id_for("k", SENDER) != message_id_for("other", SENDER)
    assert message_id_for("k", SENDER).endswith("@example.com>")


def test_a_header_cannot_be_injected(tmp_path: Path) -> None:
    transport = MaildirTransport(tmp_path / "box", sender=SENDER)
    transport.open()
    bad = outgoing()
    from dataclasses import replace

    with pytest.raises(PermanentFailure, match="cannot build the message"):
        deliver(transport, replace(bad, subject="x\r\nBcc: victim@example.com"))
    assert len(mailbox.Maildir(tmp_path / "box")) == 0


def test_a_maildir_that_cannot_be_written_is_unreachable(tmp_path: Path) -> None:
    """Not the message's fault: the alert is tried again once the folder is fixed."""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    transport = MaildirTransport(blocked / "box", sender=SENDER)
    with pytest.raises(Unreachable):
        transport.open()


def test_fax_command_failures(tmp_path: Path) -> None:
    rig = next(_command(tmp_path))
    with pytest.raises(TemporaryFailure, match="exited with 1: sendfax: unable to connect"):
        deliver(rig.transport, outgoing("fax", "+33145000013"))
    missing = FaxCommandTransport(("/nonexistent/sendfax", "{number}"))
    with pytest.raises(Unreachable, match="not found"):
        deliver(missing, outgoing("fax", "+33145000001"))
    script = tmp_path / "noexec"
    script.write_text("#!/bin/sh\n")
    script.chmod(stat.S_IRUSR)
    with pytest.raises(Unreachable, match="not executable"):
        deliver(FaxCommandTransport((str(script),)), outgoing("fax", "+33145000001"))


def test_fax_command_never_uses_a_shell(tmp_path: Path) -> None:
    rig = next(_command(tmp_path))
    deliver(rig.transport, outgoing("fax", "+33145000001; touch pwned"))
    assert not (Path.cwd() / "pwned").exists()


AWKWARD_BODIES = [
    "",
    "no line end at the end",
    "From the start of a line\n.a dot first\n..two dots\n",
    "--===============1== a boundary lookalike\n===\n= = =\n",
    "trailing spaces   \ntabs\t\n" + "long " * 60 + "\n",
    "accents é à ç œ, symbols €, emoji 🖨️, CJK 打印机\n",
    "windows\r\nline ends\r\n",
]


@pytest.mark.parametrize("body", AWKWARD_BODIES)
@pytest.mark.parametrize("html", [None, "<p>{}</p>"])
@pytest.mark.parametrize(
    "subject",
    [
        "Résolue : R1 – « Imprimante » " + "très longue " * 8,
        "Résolue : R1 Imprimante",
        "Resolved: R1 " + "rather long " * 8,
        "Resolved: R1",
    ],
)
def test_a_message_reads_back_as_written(body: str, html: str | None, subject: str) -> None:
    """The MIME is written by hand (message.py): what a standard parser reads back of it is
    exactly the alert's subject, text and HTML."""
    from alertctl.transports.message import email_bytes

    message = Outgoing(
        key="k",
        channel="email",
        address="alice@acme.example",
        subject=subject,
        text=body,
        html=None if html is None else html.format(body),
        date=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        message_id="<m@example.com>",
    )
    raw = email_bytes(message, sender=SENDER)
    assert raw.isascii()
    assert all(len(line) <= 78 for line in raw.split(b"\n"))
    parsed = _headers(raw.decode())
    assert parsed["Subject"] == message.subject
    assert not parsed.defects
    expected_text = body.replace("\r\n", "\n")
    text = parsed.get_body(("plain",))
    assert text is not None and text.get_param("format") == "flowed"
    # As a format=flowed reader shows it (RFC 3676): the original, but for the trailing spaces
    # of its lines, which flowed text cannot keep (a trailing space marks a soft break).
    read = unflowed(text.get_content().replace("\r\n", "\n"))
    assert read == "\n".join(line.rstrip(" ") for line in expected_text.split("\n"))
    if html is None:
        assert parsed.get_content_type() == "text/plain"
    else:
        assert parsed.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
        part = parsed.get_body(("html",))
        assert part is not None
        assert part.get_content().replace("\r\n", "\n") == html.format(expected_text)
