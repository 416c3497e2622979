"""SMTP: one connection reused for a batch, one recipient per message (so a partial acceptance
cannot happen), 4xx and network trouble retried, 5xx final.

Internationalised addresses: a domain that is not ASCII goes on the wire in its IDNA (ASCII)
form, which every server takes; a local part that is not ASCII needs SMTPUTF8 (RFC 6531), used
when the server offers it; otherwise that message alone fails for good, with a reply that says
why."""

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable

from alertctl.config import SmtpSettings
from alertctl.transports.base import (
    Accepted,
    Outgoing,
    PermanentFailure,
    Prepared,
    TemporaryFailure,
    Unreachable,
)
from alertctl.transports.message import email_bytes, envelope_address, wire_address


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(message.split())}"


class SmtpTransport:
    at_most_once = False

    def __init__(self, settings: SmtpSettings, *, sender: str, password: str | None = None) -> None:
        self.settings = settings
        self.sender = sender
        self.password = password
        self._connection: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connections are opened lazily by the first send, and again after one drops."""

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.tls:
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.starttls:
                    connection.starttls(context=ssl.create_default_context())
            connection.ehlo_or_helo_if_needed()
            if s.username and not (s.tls or s.starttls or s.send_password_without_tls):
                raise Unreachable("refusing to send the password over a connection without TLS")
            if s.username:
                connection.login(s.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise Unreachable(
                f"{s.host}:{s.port} refused the login: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise Unreachable(
                f"{s.host}:{s.port} refused us: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise Unreachable(f"cannot connect to {s.host}:{s.port}: {exc}") from None
        return connection

    def probe(self) -> str:
        """Connect, greet and log in as a send would, then say goodbye: what the server said."""
        connection = self._connect()
        try:
            code, text = connection.noop()
            return _reply(code, text)
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.quit()

    def prepare(self, message: Outgoing) -> Prepared:
        recipient = wire_address(message.address)
        return Prepared(message, recipient, email_bytes(message, sender=self.sender, to=recipient))

    def send(self, prepared: Prepared, handed_over: Callable[[], None] | None = None) -> Accepted:
        if self._connection is None:
            self._connection = self._connect()
        connection = self._connection
        raw = prepared.data
        options: list[str] = []
        if not prepared.recipient.isascii():
            if not connection.has_extn("smtputf8"):
                raise PermanentFailure(
                    f"{prepared.recipient} has a local part that is not ASCII, and the server "
                    "does not offer SMTPUTF8: it cannot take this address"
                )
            options = ["SMTPUTF8"]
        try:
            code, text = connection.mail(envelope_address(self.sender), options)
            if code != 250:
                raise _failure(code, text)
            code, text = connection.rcpt(prepared.recipient)
            if code not in (250, 251):
                raise _failure(code, text)
            code, text = _data(connection, raw, handed_over)
            if code != 250:
                raise _failure(code, text)
        except (TemporaryFailure, PermanentFailure):
            self._reset()
            raise
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _failure(exc.smtp_code, exc.smtp_error) from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TemporaryFailure(f"connection lost: {exc or type(exc).__name__}") from None
        return Accepted(_reply(code, text), raw.decode("utf-8", errors="replace"))

    def _reset(self) -> None:
        """After a refusal the session is still usable once reset; if not, reconnect later."""
        if self._connection is None:
            return
        try:
            code, _ = self._connection.rset()
            if code != 250:
                self._drop()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._connection.quit()
            self._drop()


# smtplib's own helpers for DATA are private; these are the two transformations RFC 5321 asks
# for: CRLF line ends, and a dot doubled at the start of a line.
_EOL = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data(
    connection: smtplib.SMTP, raw: bytes, handed_over: Callable[[], None] | None
) -> tuple[int, bytes]:
    """DATA, split so that other work can run while the server takes in the message."""
    connection.putcmd("data")
    code, text = connection.getreply()
    if code != 354:
        raise _failure(code, text)
    body = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", raw))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    connection.send(body + b".\r\n")
    if handed_over is not None:
        handed_over()
    return connection.getreply()


def _failure(code: int, text: bytes | str) -> TemporaryFailure | PermanentFailure:
    reply = _reply(code, text)
    return PermanentFailure(reply) if 500 <= code < 600 else TemporaryFailure(reply)
