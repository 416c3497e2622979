"""The default transport: each message written into a Maildir folder that any mail client opens."""

import mailbox
from collections.abc import Callable
from pathlib import Path

from alertctl.transports.base import Accepted, Outgoing, Prepared, Unreachable
from alertctl.transports.message import email_bytes, fax_digits


class MaildirTransport:
    at_most_once = False

    def __init__(self, path: str | Path, *, sender: str, fax_pattern: str | None = None) -> None:
        self.path = Path(path)
        self.sender = sender
        self.fax_pattern = fax_pattern or "{number}@fax.invalid"
        self._box: mailbox.Maildir | None = None

    def open(self) -> None:
        try:
            self._box = mailbox.Maildir(self.path, create=True)
        except OSError as exc:
            raise Unreachable(f"cannot open maildir {self.path}: {exc.strerror}") from None

    def prepare(self, message: Outgoing) -> Prepared:
        to = message.address
        if message.channel == "fax":
            to = self.fax_pattern.format(number=fax_digits(message.address))
            message = _text_only(message)
        return Prepared(message, to, email_bytes(message, sender=self.sender, to=to))

    def send(self, prepared: Prepared, handed_over: Callable[[], None] | None = None) -> Accepted:
        assert self._box is not None, "open() first"
        # Maildir writes into tmp/ and renames into new/: a reader never sees half a message.
        try:
            key = self._box.add(prepared.data)
        except OSError as exc:
            raise Unreachable(f"cannot write into {self.path}: {exc.strerror}") from None
        # The rename into new/ is the delivery itself: nothing is left in doubt.
        if handed_over is not None:
            handed_over()
        return Accepted(f"stored in {self.path / 'new' / key}", prepared.data.decode())

    def close(self) -> None:
        self._box = None


def _text_only(message: Outgoing) -> Outgoing:
    from dataclasses import replace

    return replace(message, html=None)
