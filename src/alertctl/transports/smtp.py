"""SMTP: one connection reused for a batch, one recipient per message (so a partial acceptance
cannot happen), 4xx and network trouble retried, 5xx final.

Internationalised addresses: a domain that is not ASCII goes on the wire in its IDNA (ASCII)
form, which every server takes; a local part that is not ASCII needs SMTPUTF8 (RFC 6531), used
when the server offers it; otherwise that message alone fails for good, with a reply that says
why."""

import contextlib
import re
import select
import smtplib
import socket
import ssl
import time
from collections.abc import Callable

from alertctl.config import SmtpSettings
from alertctl.transports.base import (
    Accepted,
    OutcomeUnknown,
    Outgoing,
    PermanentFailure,
    Prepared,
    TemporaryFailure,
    Unreachable,
)
from alertctl.transports.deadline import Watchdog
from alertctl.transports.message import email_bytes, envelope_address, wire_address

# A connection kept longer than this since its last message is asked a NOOP before the next:
# a server or a firewall may have dropped it without a word. Shorter gaps cost nothing.
IDLE_PROBE_SECONDS = 15.0


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
        self._last_used = 0.0
        self._watchdog = Watchdog()

    def open(self) -> None:
        """Connections are opened lazily by the first send, and again after one drops."""

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        # The object is made first and connected by its own __init__ under the deadline, so
        # that the deadline can reach the socket of a greeting that never ends (`sock` is None
        # until then). A later `connect()` would leave the name that TLS checks unset.
        secure = smtplib.SMTP_SSL.__new__(smtplib.SMTP_SSL) if s.tls else None
        connection = secure or smtplib.SMTP.__new__(smtplib.SMTP)
        try:
            with self._watchdog.limit(s.timeout, lambda: connection.sock) as deadline:
                if secure is not None:
                    context = ssl.create_default_context()
                    secure.__init__(s.host, s.port, timeout=s.timeout, context=context)  # type: ignore[misc]
                else:
                    connection.__init__(s.host, s.port, timeout=s.timeout)  # type: ignore[misc]
                if s.starttls and not s.tls:
                    connection.starttls(context=ssl.create_default_context())
                connection.ehlo_or_helo_if_needed()
                if s.username and not (s.tls or s.starttls or s.send_password_without_tls):
                    raise Unreachable(
                        "refusing to send the password over a connection without TLS",
                        hint="set [smtp] starttls = true (or tls = true)",
                    )
                if s.username:
                    connection.login(s.username, self.password or "")
        except Unreachable:
            _close_quietly(connection)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(connection)
            raise Unreachable(
                f"{s.host}:{s.port} refused the login: {_reply(exc.smtp_code, exc.smtp_error)}",
                hint=connect_hint(exc, s),
            ) from None
        except smtplib.SMTPResponseException as exc:
            _close_quietly(connection)
            raise Unreachable(
                f"{s.host}:{s.port} refused us: {_reply(exc.smtp_code, exc.smtp_error)}",
                hint=connect_hint(exc, s),
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _close_quietly(connection)
            failure: Exception = (
                TimeoutError(f"no complete answer within {s.timeout:g} s")
                if deadline.expired
                else exc
            )
            raise Unreachable(
                f"cannot connect to {s.host}:{s.port}: {failure or type(failure).__name__}",
                hint=connect_hint(failure, s),
            ) from None
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
        kept = self._connection is not None and self._still_open(self._connection)
        if not kept:
            self._drop()
        try:
            return self._transaction(prepared, handed_over)
        except _ClosedBeforeMail as closed:
            if not kept:
                raise TemporaryFailure(closed.reply) from None
            # The kept connection was closed by the server just before MAIL: nothing of the
            # message was sent, so a fresh connection takes it, and no attempt is spent.
            self._drop()
            try:
                return self._transaction(prepared, handed_over)
            except _ClosedBeforeMail as again:
                raise TemporaryFailure(again.reply) from None

    def _transaction(self, prepared: Prepared, handed_over: Callable[[], None] | None) -> Accepted:
        """MAIL, RCPT, DATA for one message, on the kept connection or a new one."""
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
            with self._watchdog.limit(self.settings.timeout, lambda: connection.sock) as deadline:
                code, text = self._exchange(connection, prepared, options, handed_over)
        except _ClosedBeforeMail:
            self._drop()
            raise
        except (TemporaryFailure, PermanentFailure):
            self._reset()
            raise
        except OutcomeUnknown:
            self._drop()
            raise
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _failure(exc.smtp_code, exc.smtp_error) from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            self._drop()
            why = (
                f"no complete answer within {self.settings.timeout:g} s"
                if deadline.expired
                else exc
            )
            raise TemporaryFailure(f"connection lost: {why or type(exc).__name__}") from None
        self._last_used = time.monotonic()
        return Accepted(_reply(code, text), raw.decode("utf-8", errors="replace"))

    def _exchange(
        self,
        connection: smtplib.SMTP,
        prepared: Prepared,
        options: list[str],
        handed_over: Callable[[], None] | None,
    ) -> tuple[int, bytes]:
        """MAIL FROM, RCPT TO, DATA: the server's final reply, or the failure it gave."""
        code, text = _mail(connection, envelope_address(self.sender), options)
        if code != 250:
            raise _failure(code, text)
        code, text = connection.rcpt(prepared.recipient)
        if code not in (250, 251):
            raise _failure(code, text)
        code, text = _data(connection, prepared.data, handed_over)
        if code != 250:
            raise _failure(code, text)
        return code, text

    def _still_open(self, connection: smtplib.SMTP) -> bool:
        """Whether a connection kept from an earlier message can take the next one. Servers
        close idle connections (often after a few minutes, with a `421` first): a socket with
        something to read before we asked anything was closed or is being closed, and a
        connection idle for longer than IDLE_PROBE_SECONDS is asked a NOOP. Either way a dead
        one is found before the message, so that it is reopened without costing an attempt."""
        sock = connection.sock
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        if readable:
            return False
        if time.monotonic() - self._last_used < IDLE_PROBE_SECONDS:
            return True
        try:
            code, _ = connection.noop()
        except (OSError, smtplib.SMTPException):
            return False
        return code == 250

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
        self._watchdog.close()


def connect_hint(exc: Exception, s: SmtpSettings) -> str:
    """The setting that fixes a failure to connect, greet or log in: each names what to write
    in alertctl.toml, and none sends the user to another command that would send them back."""
    where = f"{s.host}:{s.port}"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc):
        return (
            f"{where} offers no STARTTLS: set [smtp] tls = true and port = 465 if the server "
            "takes TLS there; or, on a trusted network only, starttls = false, and mail (and a "
            "login) cross the network unencrypted"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where} offers no login: remove [smtp] username, or use its submission port"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            "check [smtp] username, and the password in ALERTCTL_SMTP_PASSWORD or the file "
            "[smtp] password_file names"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"the certificate of {s.host} is not trusted here, or is for another name: set "
            "[smtp] host to the name on the certificate, or install its authority"
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"{where} does not speak TLS as set: tls = true is for implicit TLS (port 465); on "
            "587 or 25 set tls = false and starttls = true"
        )
    if isinstance(exc, socket.gaierror):
        return f"the name {s.host!r} does not resolve: check [smtp] host"
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"nothing accepts connections on {where}: check [smtp] host and port (587 with "
            "starttls, 465 with tls = true, 25 with neither)"
        )
    if isinstance(exc, TimeoutError):
        return (
            f"no answer from {where} within {s.timeout:g} s: check [smtp] host and port (a "
            "firewall may drop the connection), or raise [smtp] timeout"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} refused the connection: its reply says why; check [smtp] host and port"
    return (
        f"{where} closed the connection: check [smtp] port and TLS (465 takes tls = true; 587 "
        "and 25 take starttls = true)"
    )


def _close_quietly(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.close()


class _ClosedBeforeMail(Exception):
    """The server closed the connection (or said 421, closing) before it took MAIL FROM."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def _mail(connection: smtplib.SMTP, sender: str, options: list[str]) -> tuple[int, bytes]:
    try:
        code, text = connection.mail(sender, options)
    except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
        raise _ClosedBeforeMail(f"connection lost: {exc or type(exc).__name__}") from None
    if code == 421:
        raise _ClosedBeforeMail(_reply(code, text))
    return code, text


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
    try:
        return connection.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        # The whole message went; whether the server kept it is not known.
        raise OutcomeUnknown(
            f"connection lost after the whole message was sent, before the server's reply: "
            f"it may have been delivered ({exc or type(exc).__name__})"
        ) from None


def _failure(code: int, text: bytes | str) -> TemporaryFailure | PermanentFailure:
    reply = _reply(code, text)
    return PermanentFailure(reply) if 500 <= code < 600 else TemporaryFailure(reply)
