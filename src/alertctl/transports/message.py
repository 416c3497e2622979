"""Building the MIME message of an alert.

The headers and the MIME structure are written here, and the encodings (quoted-printable
bodies, RFC 2047 subjects and display names) come from the standard email package. An alert
is always the same simple shape (text, or text and HTML as multipart/alternative, in UTF-8),
and building it through `email.mime` and its generator cost more than a Maildir delivery
itself: every header goes through `email.header.Header` folding. What those classes would
check is checked here instead: no header value may hold a line break.
"""

import random
from email import base64mime
from email.charset import QP, Charset
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from alertctl.transports.base import Outgoing, PermanentFailure
from alertctl.transports.layout import flowed

# Bodies in quoted-printable: 7-bit clean for any mail server, readable in the raw.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _part(body: str, subtype: str) -> str:
    # The text part is laid out for mail readers (transports/layout.py); HTML reflows itself.
    is_text = subtype == "plain"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"'
        + ("; format=flowed\n" if is_text else "\n")
        + "Content-Transfer-Encoding: quoted-printable\n\n"
        + _UTF8.body_encode(flowed(body) if is_text else body)
    )


def _boundary() -> str:
    # Quoted-printable writes "=" as "=3D" and breaks lines with a lone "=": "===" never
    # occurs in an encoded part, so this boundary cannot either (the email package's own form).
    return f"==============={random.randrange(2**63)}=="


def _body(message: Outgoing) -> str:
    """The MIME body with its own headers: text, or text first then HTML."""
    if message.html is None:
        return f"MIME-Version: 1.0\n{_part(message.text, 'plain')}"
    b = _boundary()
    return (
        f'Content-Type: multipart/alternative;\n boundary="{b}"\nMIME-Version: 1.0\n\n'
        f"--{b}\n{_part(message.text, 'plain')}\n--{b}\n{_part(message.html, 'html')}\n"
        f"--{b}--\n"
    )


def _header_value(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise PermanentFailure(f"cannot build the message: a line break in the {name} header")
    return value


_ROOM = 78 - len("Subject: ")


def _subject(subject: str) -> str:
    """Folded to 78 columns; RFC 2047-encoded when it is not ASCII. A subject that fits on its
    line as one encoded word is written as one: `Header` weighs every character against two
    encodings first, which cost more than the rest of the message."""
    if subject.isascii():
        if len(subject) <= _ROOM:
            return subject
        return Header(subject, "us-ascii", header_name="Subject").encode()
    word = base64mime.header_encode(subject.encode("utf-8"), "utf-8")
    if len(word) <= _ROOM:
        return word
    return Header(subject, "utf-8", header_name="Subject").encode()


def email_bytes(message: Outgoing, *, sender: str, to: str | None = None) -> bytes:
    """The whole message, as it is handed to a server or written into a Maildir."""
    subject = _header_value("Subject", message.subject)
    headers = (
        ("From", _sender_header(_header_value("From", sender))),
        ("To", _header_value("To", to or message.address)),
        ("Subject", _subject(subject)),
        ("Date", format_datetime(message.date)),
        ("Message-ID", _header_value("Message-ID", message.message_id)),
        *_thread(message),
        # Written by a program, not a person: auto-responders stay quiet (RFC 3834), and
        # Exchange's, which read their own header, too.
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        *((("List-Id", _header_value("List-Id", message.list_id)),) if message.list_id else ()),
        ("X-Alertctl-Key", _header_value("X-Alertctl-Key", message.key)),
    )
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return (head + _body(message)).encode("utf-8")


def _thread(message: Outgoing) -> tuple[tuple[str, str], ...]:
    """A later alert of a request answers the first: In-Reply-To and References name it."""
    if message.in_reply_to is None:
        return ()
    first = _header_value("In-Reply-To", message.in_reply_to)
    return (("In-Reply-To", first), ("References", first))


@lru_cache(maxsize=16)
def _sender_header(sender: str) -> str:
    """A display name that is not ASCII is encoded, as RFC 2047 asks."""
    return formataddr(parseaddr(sender), charset="utf-8")


@lru_cache(maxsize=16)
def envelope_address(sender: str) -> str:
    return parseaddr(sender)[1] or sender


def fax_digits(number: str) -> str:
    """The E.164 number without its plus sign, as fax gateways take it."""
    return number.lstrip("+")


@lru_cache(maxsize=1024)
def wire_address(address: str) -> str:
    """The address as it goes on the wire: a domain that is not ASCII in its IDNA form, so that
    only a local part that is not ASCII still needs SMTPUTF8."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address
