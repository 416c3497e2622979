"""Fax through an e-mail-to-fax gateway: the address is built from a pattern and the E.164
number, and the text version goes through the e-mail transport."""

from collections.abc import Callable
from dataclasses import replace

from alertctl.transports.base import Accepted, Outgoing, Prepared, Transport
from alertctl.transports.message import fax_digits


class FaxGatewayTransport:
    def __init__(self, email: Transport, pattern: str) -> None:
        self.email = email
        self.pattern = pattern
        self.at_most_once = email.at_most_once

    def open(self) -> None:
        self.email.open()

    def prepare(self, message: Outgoing) -> Prepared:
        address = self.pattern.format(number=fax_digits(message.address))
        return self.email.prepare(replace(message, channel="email", address=address, html=None))

    def send(self, prepared: Prepared, handed_over: Callable[[], None] | None = None) -> Accepted:
        return self.email.send(prepared, handed_over)

    def close(self) -> None:
        self.email.close()
