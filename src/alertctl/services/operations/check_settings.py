"""The settings part of `alertctl check`: every problem of the settings file at once, what works
but likely not as meant (warnings), and, with `--connect`, each transport opened as a send
would."""

import shutil
from dataclasses import dataclass
from enum import StrEnum

from alertctl.config import DeliverySettings, Settings, delivery_from, delivery_problems
from alertctl.errors import AlertctlError


class Area(StrEnum):
    SETTINGS = "settings"
    CONNECTION = "connection"
    TEMPLATE = "template"
    CONTRACT = "contract"
    CLIENT = "client"
    PERSON = "person"
    QUEUE = "queue"


@dataclass(frozen=True)
class Problem:
    area: Area
    subject: str
    message: str
    fix: str | None = None


def settings_problems(settings: Settings, problems: list[Problem]) -> DeliverySettings | None:
    """Every problem of the settings file at once; the delivery settings when there is none."""
    where = _where(settings)
    found = list(settings.problems)
    delivery = None
    if not found:
        delivery = delivery_from(settings)
        found = delivery_problems(delivery)
    problems += [
        Problem(Area.SETTINGS, where, f"{settings.config_path}: {p.message}", p.hint) for p in found
    ]
    if found or delivery is None:
        return None
    try:
        if delivery.email_transport == "smtp":
            delivery.smtp.password()
    except AlertctlError as exc:
        problems.append(Problem(Area.SETTINGS, where, exc.message, exc.hint))
        return None
    if delivery.fax_transport == "command":
        program = delivery.fax_command[0]
        if shutil.which(program) is None:
            problems.append(
                Problem(
                    Area.SETTINGS,
                    where,
                    f"the fax command {program!r} is not found or not executable",
                    "install it, or set [fax] command to its full path",
                )
            )
    return delivery


def _where(settings: Settings) -> str:
    return str(settings.config_path) if settings.config_found else "default settings"


def settings_warnings(settings: Settings, delivery: DeliverySettings | None) -> list[Problem]:
    """Settings that work, but likely not as meant."""
    if delivery is None or delivery.email_transport != "smtp":
        return []
    if delivery.fax_transport != "maildir":
        return []
    return [
        Problem(
            Area.SETTINGS,
            _where(settings),
            f"e-mail goes by SMTP while faxes stay in the local maildir {delivery.maildir!r}: "
            "no fax leaves this machine",
            'set [transport] fax = "gateway" or "command", with its [fax] settings',
        )
    ]


def connection_problems(delivery: DeliverySettings) -> list[Problem]:
    """Open each transport as a send would (for SMTP: connect, greet, log in)."""
    from alertctl.transports import transports_for
    from alertctl.transports.base import DeliveryError

    problems = []
    for channel, transport in transports_for(delivery).items():
        try:
            probe = getattr(transport, "probe", None)
            if probe is not None:
                probe()
            else:
                transport.open()
                transport.close()
        except DeliveryError as failure:
            problems.append(
                Problem(
                    Area.CONNECTION,
                    f"{channel} transport",
                    failure.reply,
                    failure.hint,
                )
            )
    return problems
