"""Building the MIME message of an alert with the standard email package.

The legacy `email.mime` API is used because it builds a message about five times faster than
`EmailMessage` (whose header registry parses every value), and building is a large part of the
cost of sending one alert. What the newer API would check for us is checked here instead: no
header value may contain a line break.
"""

from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from alertctl.transports.base import Outgoing, PermanentFailure

# Bodies in quoted-printable: 7-bit clean for any mail server, readable in the raw.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _text(body: str, subtype: str) -> MIMEText:
    return MIMEText(body, subtype, _UTF8)  # type: ignore[arg-type]  # a Charset works at run time


def _header_value(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise PermanentFailure(f"cannot build the message: a line break in the {name} header")
    return value


def email_bytes(message: Outgoing, *, sender: str, to: str | None = None) -> bytes:
    """Text, or multipart/alternative with the text first when there is an HTML version.

    The MIME body (and its own headers) comes from the email package; the envelope headers
    are written here, each checked to hold no line break, because folding nine short ASCII
    headers through `email.header.Header` costs more than the rest of the message.
    """
    body: MIMEText | MIMEMultipart
    if message.html is None:
        body = _text(message.text, "plain")
    else:
        body = MIMEMultipart("alternative")
        body.attach(_text(message.text, "plain"))
        body.attach(_text(message.html, "html"))
    subject = _header_value("Subject", message.subject)
    headers = (
        ("From", _sender_header(_header_value("From", sender))),
        ("To", _header_value("To", to or message.address)),
        ("Subject", subject if subject.isascii() else Header(subject, "utf-8").encode()),
        ("Date", format_datetime(message.date)),
        ("Message-ID", _header_value("Message-ID", message.message_id)),
        ("X-Alertctl-Key", _header_value("X-Alertctl-Key", message.key)),
    )
    head = "".join(f"{name}: {value}\n" for name, value in headers).encode("utf-8")
    return head + body.as_bytes()


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
