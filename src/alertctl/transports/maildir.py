"""The default transport: each message written into a Maildir folder that any mail client opens."""

import mailbox
from pathlib import Path

from alertctl.transports.base import Accepted, Outgoing, PermanentFailure
from alertctl.transports.message import build_email, fax_digits


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
            raise PermanentFailure(f"cannot open maildir {self.path}: {exc.strerror}") from None

    def send(self, message: Outgoing) -> Accepted:
        assert self._box is not None, "open() first"
        to = None
        if message.channel == "fax":
            to = self.fax_pattern.format(number=fax_digits(message.address))
            message = _text_only(message)
        email = build_email(message, sender=self.sender, to=to)
        # Maildir writes into tmp/ and renames into new/: a reader never sees half a message.
        key = self._box.add(email)
        return Accepted(f"stored in {self.path / 'new' / key}", email.as_string())

    def close(self) -> None:
        self._box = None


def _text_only(message: Outgoing) -> Outgoing:
    from dataclasses import replace

    return replace(message, html=None)
