"""The one interface every transport implements: open, send one message, close."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
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
    from email.utils import parseaddr

    domain = parseaddr(sender)[1].rpartition("@")[2] or "alertctl.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


@dataclass(frozen=True)
class Accepted:
    reply: str
    raw: str  # the message as sent


class Transport(Protocol):
    # At most once: a submit interrupted before its outcome was recorded is never re-sent.
    at_most_once: bool

    def open(self) -> None: ...

    def send(self, message: Outgoing) -> Accepted: ...

    def close(self) -> None: ...
