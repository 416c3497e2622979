"""The one interface every transport implements: open, send one message, close."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol


class DeliveryError(Exception):
    """A message was not delivered; `reply` is what the server or command said."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class TemporaryFailure(DeliveryError):
    """Try again later: a 4xx reply, a timeout, a refused or dropped connection."""


class PermanentFailure(DeliveryError):
    """Do not try again: a 5xx reply, a misconfigured command."""


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


def message_id_for(key: str, sender: str) -> str:
    """Derived from the alert's key, so every retry carries the same Message-ID and a message
    received twice is recognisably the same; the domain is the sender's."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{_domain(sender)}>"


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

    `prepare` does no I/O, so a sender can build the next message while the current one is on
    the wire; it raises PermanentFailure for a message that cannot be built.
    """

    # At most once: a submit interrupted before its outcome was recorded is never re-sent.
    at_most_once: bool

    def open(self) -> None: ...

    def prepare(self, message: Outgoing) -> Prepared: ...

    def send(self, prepared: Prepared, meanwhile: Callable[[], None] | None = None) -> Accepted:
        """Deliver one message. `meanwhile`, when given, is called once the message is handed
        over and before the outcome is known (a sender builds its next message there)."""
        ...

    def close(self) -> None: ...
