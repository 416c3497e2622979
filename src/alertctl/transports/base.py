"""The one interface every transport implements: open, send one message, close."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol


class DeliveryError(Exception):
    """A message was not delivered; `reply` is what the server or command said, `hint` the
    setting that would fix it, when the failure points at one."""

    def __init__(self, reply: str, *, hint: str | None = None) -> None:
        super().__init__(reply)
        self.reply = reply
        self.hint = hint


class TemporaryFailure(DeliveryError):
    """Try again later: a 4xx reply, a timeout, a refused or dropped connection."""


class PermanentFailure(DeliveryError):
    """Do not try again: a 5xx reply, a misconfigured command."""


class OutcomeUnknown(DeliveryError):
    """The message was handed over, and what became of it is not known: a fax command that
    timed out, a connection lost after the whole message was sent. Sending it again could
    deliver it twice, so it is never retried by itself: it becomes `unknown`, for an operator
    to settle (`alertctl alerts settle`)."""


class Unreachable(TemporaryFailure):
    """The transport itself cannot work now (the server cannot be reached, refuses the login,
    the folder cannot be written): no fault of the message, and the next one would fail the
    same way, so a sender stops trying and hands its other claims back."""


@dataclass(frozen=True)
class Outgoing:
    """One alert, as a transport sends it."""

    key: str
    channel: str
    address: str
    subject: str
    text: str
    html: str | None
    date: datetime
    message_id: str
    # The Message-ID of the first alert of its request to its person, which this one answers
    # so that mail clients show one thread per request; None for the first.
    in_reply_to: str | None = None
    list_id: str | None = None  # `<label.domain>`: the list of its request's client


def message_id_for(key: str, sender: str) -> str:
    """Derived from the alert's key, so every retry carries the same Message-ID and a message
    received twice is recognisably the same; the domain is the sender's."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{_domain(sender)}>"


def list_id_for(client: str, sender: str) -> str:
    """The mailing list of a client's alerts (RFC 2919), one per client, so that a reader can
    file each client's alerts apart: its code as the label, the sender's domain after it."""
    label = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in client)
    return f"<{label.lower().strip('-') or 'alerts'}.{_domain(sender)}>"


@lru_cache(maxsize=16)
def _domain(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1].rpartition("@")[2] or "alertctl.invalid"


@dataclass(frozen=True)
class Prepared:
    """A message built and ready to go: where to, and the exact bytes."""

    message: Outgoing
    recipient: str
    data: bytes


@dataclass(frozen=True)
class Accepted:
    reply: str
    raw: str  # the message as sent


class Transport(Protocol):
    """Open, prepare and send messages one at a time, close.

    `prepare` does no I/O and raises PermanentFailure for a message that cannot be built.
    """

    # At most once: once handed over, a message whose outcome was not recorded (its sender
    # died) is never sent again by itself. Otherwise at least once, with the same Message-ID.
    at_most_once: bool

    def open(self) -> None: ...

    def prepare(self, message: Outgoing) -> Prepared: ...

    def send(self, prepared: Prepared, handed_over: Callable[[], None] | None = None) -> Accepted:
        """Deliver one message.

        `handed_over`, when given, is called at the point after which the message may have
        reached its destination while the outcome is not known yet: after SMTP's final dot,
        before a fax command runs. A sender builds its next message there, while the server
        works, and an at-most-once transport's sender records that point, so that if it dies
        before the outcome the alert becomes `unknown` instead of being submitted twice.
        """
        ...

    def close(self) -> None: ...
