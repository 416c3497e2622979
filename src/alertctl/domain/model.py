"""The fixed vocabularies of the rules (docs/rules.md, "Words")."""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TypeVar

from alertctl.errors import Invalid, Unreadable

E = TypeVar("E", bound=StrEnum)


class Event(StrEnum):
    OPEN = "open"
    RESOLUTION = "resolution"
    CLOSURE_EXTERNAL = "closure_external"
    CLOSURE_INTERNAL = "closure_internal"
    STATUS_CHANGE = "status_change"
    # An SLA clock: a warning before its target is missed, and the breach (docs/rules.md,
    # "SLA clocks"). Raised by the clock check, not by a save.
    GTI_WARNING = "gti_warning"
    GTI_BREACH = "gti_breach"
    GTR_WARNING = "gtr_warning"
    GTR_BREACH = "gtr_breach"

    @property
    def is_sla(self) -> bool:
        return self in _SLA_EVENTS


_SLA_EVENTS = frozenset({Event.GTI_WARNING, Event.GTI_BREACH, Event.GTR_WARNING, Event.GTR_BREACH})


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


class PersonLanguage(StrEnum):
    """The language a contact or collaborator reads alerts in: their own, or `client`: their
    client's (a collaborator, who has none: the request's client's)."""

    FR = "fr"
    EN = "en"
    CLIENT = "client"

    def own(self) -> "Language | None":
        return None if self is PersonLanguage.CLIENT else Language(self.value)


class AlertStatus(StrEnum):
    """Where an alert is on its way out (README, Delivery)."""

    PENDING = "pending"  # queued, never tried
    SENDING = "sending"  # claimed by a sender, under a lease
    RETRY = "retry"  # failed for now, due again after a backoff
    SENT = "sent"  # accepted by the server or written
    DEAD = "dead"  # failed for good, or after the last attempt
    UNKNOWN = "unknown"  # a fax submit interrupted by a crash: the operator decides
    CANCELLED = "cancelled"  # by an operator, or when its person was erased
    HELD = "held"  # kept back to spare its reader, until `held_until` (docs/rules.md)
    MERGED = "merged"  # released into another alert (`merged_into`), which tells of it
    SKIPPED = "skipped"  # coalesced changes that brought the request back where it started


class FixKind(StrEnum):
    """Which setting would change a rule that failed."""

    REQUEST_CONTRACT = "request_contract"  # give the request a contract
    CLIENT_EVENT = "client_event"  # switch the client's event on, with a keyword
    TEMPLATE = "template"  # repair the template
    TEMPLATE_ON_REQUEST = "template_on_request"  # see how it fails for this request
    LINK = "link"  # link the person to a source of the request
    CONTRACT_SOURCES = "contract_sources"  # tick the contract's boxes
    MAIN_SITE = "main_site"  # link the contact to the client's main site
    OPT_IN = "opt_in"  # the person opts in to the event
    RECEPTION = "reception"  # switch a reception mode on
    ADDRESS = "address"  # give a valid address for the channel
    ACTIVE = "active"  # the person is back


@dataclass(frozen=True)
class Fix:
    """What would change a rule that failed, as data: which setting (`kind`), on which object
    (`target`: a request, client, template, contract, or SOURCE:TARGET for a link), to which
    value; for whom, and on which request and event when it matters. The CLI spells it as the
    command to run."""

    kind: FixKind
    target: str
    value: str | None = None
    person: PersonKind | None = None
    code: str | None = None
    request: str | None = None
    event: str | None = None


# The statuses `alertctl init` installs: (code, French label, English label, type).
DEFAULT_STATUSES: tuple[tuple[str, str, str, StatusType], ...] = (
    ("OPEN", "Ouverte", "Open", StatusType.CREATED),
    ("WIP", "En cours", "In progress", StatusType.IN_PROGRESS),
    ("WAIT", "En attente", "Waiting", StatusType.SUSPENDED),
    ("RESOLVED", "Résolue", "Resolved", StatusType.RESOLVED),
    ("CLOSED_EXT", "Clôturée client", "Closed by the client", StatusType.CLOSED_EXTERNAL),
    ("CLOSED", "Clôturée", "Closed", StatusType.CLOSED_INTERNAL),
)


def default_template_name(event: Event, language: Language) -> str:
    """The shipped template a client's setting uses unless it names another."""
    return f"default-{event.value}-{language.value}"


@cache
def values_of(enum: type[StrEnum]) -> tuple[str, ...]:
    """The values of an enum, in order. Iterating an enum costs a descriptor call a member, and
    a configuration file checks its values for every one of its objects."""
    return tuple(m.value for m in enum)


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
            raise Unreadable(f"unknown {what} {part!r}: expected one of {choices}") from None
        if member not in members:
            members.append(member)
    if not members:
        raise Invalid(f"no {what} given")
    return members
