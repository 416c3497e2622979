"""`alerts test`: one message through a configured transport, outside the outbox, to see that
the transport works and what the server says."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from alertctl.config import DeliverySettings
from alertctl.domain.validation import normalize_email, normalize_fax
from alertctl.errors import NotDelivered
from alertctl.transports import transports_for
from alertctl.transports.base import DeliveryError, Outgoing, Transport, message_id_for


@dataclass(frozen=True)
class TestResult:
    address: str
    transport: str
    reply: str
    message_id: str


def send_test(
    settings: DeliverySettings,
    *,
    channel: str,
    address: str,
    default_region: str = "FR",
    transports: dict[str, Transport] | None = None,
) -> TestResult:
    """One test message through the transport of `channel`, outside the outbox."""
    address = (
        normalize_email(address) if channel == "email" else normalize_fax(address, default_region)
    )
    transport = (transports or transports_for(settings))[channel]
    key = f"test/{uuid.uuid4().hex}"
    message = Outgoing(
        key=key,
        channel=channel,
        address=address,
        subject="[alertctl] test message",
        text="This is a test message from alertctl: the transport works.\n",
        html=None,
        date=datetime.now(UTC),
        message_id=message_id_for(key, settings.sender),
    )
    try:
        transport.open()
        try:
            accepted = transport.send(transport.prepare(message))
        finally:
            transport.close()
    except DeliveryError as failure:
        raise NotDelivered(
            f"the test message to {address} was not sent: {failure.reply}", hint=failure.hint
        ) from None
    # Named as the settings name it ([transport] email = "smtp"), not by its class.
    named = settings.email_transport if channel == "email" else settings.fax_transport
    return TestResult(address, named, accepted.reply, message.message_id)
