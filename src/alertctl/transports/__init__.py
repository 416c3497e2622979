"""Transports: how an alert leaves. One interface (base.Transport), one module per transport."""

from alertctl.config import DeliverySettings
from alertctl.transports.base import Transport


def transports_for(settings: DeliverySettings) -> dict[str, Transport]:
    """The transport of each channel, as the settings choose them."""
    from alertctl.transports.maildir import MaildirTransport

    maildir = MaildirTransport(
        settings.maildir, sender=settings.sender, fax_pattern=settings.fax_gateway
    )
    email: Transport = maildir
    if settings.email_transport == "smtp":
        from alertctl.transports.smtp import SmtpTransport

        email = SmtpTransport(
            settings.smtp, sender=settings.sender, password=settings.smtp.password()
        )
    fax: Transport = maildir
    if settings.fax_transport == "gateway":
        from alertctl.transports.fax_gateway import FaxGatewayTransport

        assert settings.fax_gateway is not None
        fax = FaxGatewayTransport(email, settings.fax_gateway)
    elif settings.fax_transport == "command":
        from alertctl.transports.fax_command import FaxCommandTransport, remove_stale_fax_files

        remove_stale_fax_files()  # left by a sender that was killed
        fax = FaxCommandTransport(settings.fax_command, timeout=settings.fax_timeout)
    return {"email": email, "fax": fax}
