"""The fixed vocabularies of domain.md."""

from enum import StrEnum
from typing import TypeVar

from alertctl.errors import Invalid

E = TypeVar("E", bound=StrEnum)


class Event(StrEnum):
    OPEN = "open"
    RESOLUTION = "resolution"
    CLOSURE_EXTERNAL = "closure_external"
    CLOSURE_INTERNAL = "closure_internal"
    STATUS_CHANGE = "status_change"


class StatusType(StrEnum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"
    RESOLVED = "resolved"
    CLOSED_EXTERNAL = "closed_external"
    CLOSED_INTERNAL = "closed_internal"


class Source(StrEnum):
    PRODUCT = "product"
    SITE = "site"
    CONTRACT = "contract"
    SERVICE = "service"
    CLIENT = "client"


class Channel(StrEnum):
    EMAIL = "email"
    FAX = "fax"


class PersonKind(StrEnum):
    CONTACT = "contact"
    COLLABORATOR = "collaborator"


class MailFormat(StrEnum):
    TEXT = "text"
    HTML = "html"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


# The statuses `alertctl init` installs: (code, label, type).
DEFAULT_STATUSES: tuple[tuple[str, str, StatusType], ...] = (
    ("OPEN", "Ouverte", StatusType.CREATED),
    ("WIP", "En cours", StatusType.IN_PROGRESS),
    ("WAIT", "En attente", StatusType.SUSPENDED),
    ("RESOLVED", "Résolue", StatusType.RESOLVED),
    ("CLOSED_EXT", "Clôturée client", StatusType.CLOSED_EXTERNAL),
    ("CLOSED", "Clôturée", StatusType.CLOSED_INTERNAL),
)


def default_template_name(event: Event, language: Language) -> str:
    """The shipped template a client's setting uses unless it names another."""
    return f"default-{event.value}-{language.value}"


def parse_enum_list(enum: type[E], text: str, what: str) -> list[E]:
    """Parse `a,b,c` into members of `enum`, keeping the order and dropping repeats."""
    members: list[E] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            member = enum(part)
        except ValueError:
            choices = ", ".join(m.value for m in enum)
            raise Invalid(f"unknown {what} {part!r}: expected one of {choices}") from None
        if member not in members:
            members.append(member)
    if not members:
        raise Invalid(f"no {what} given")
    return members
