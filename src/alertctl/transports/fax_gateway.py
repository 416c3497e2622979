"""Fax through an e-mail-to-fax gateway: the address is built from a pattern and the E.164
number, and the text version goes through the e-mail transport."""

from dataclasses import replace

from alertctl.transports.base import Accepted, Outgoing, Transport
from alertctl.transports.message import fax_digits


class FaxGatewayTransport:
    def __init__(self, email: Transport, pattern: str) -> None:
        self.email = email
        self.pattern = pattern
        self.at_most_once = email.at_most_once

    def open(self) -> None:
        self.email.open()

    def send(self, message: Outgoing) -> Accepted:
        address = self.pattern.format(number=fax_digits(message.address))
        return self.email.send(replace(message, channel="email", address=address, html=None))

    def close(self) -> None:
        self.email.close()
