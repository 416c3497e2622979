"""Building the MIME message of an alert with the standard email package."""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from alertctl.transports.base import Outgoing

# CRLF line ends, and bodies in quoted-printable or base64: 7-bit clean for any mail server.
POLICY = SMTP.clone(cte_type="7bit")


def build_email(message: Outgoing, *, sender: str, to: str | None = None) -> EmailMessage:
    """Text, or multipart/alternative with the text first when there is an HTML version.

    The email package refuses CR and LF in header values, so nothing a template or a user typed
    can add a header.
    """
    email = EmailMessage(policy=POLICY)
    email["From"] = sender
    email["To"] = to or message.address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.date)
    email["Message-ID"] = message.message_id
    email["X-Alertctl-Key"] = message.key
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def envelope_address(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1] or sender


def fax_digits(number: str) -> str:
    """The E.164 number without its plus sign, as fax gateways take it."""
    return number.lstrip("+")
