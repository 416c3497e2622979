"""A contact or collaborator, as the alert rules see them."""

from dataclasses import dataclass
from functools import cached_property

from alertctl.domain.model import Channel, Event, Language, PersonKind


@dataclass(frozen=True, order=True)
class PersonKey:
    kind: PersonKind
    code: str


@dataclass(frozen=True)
class Person:
    """The alert facts of one contact or collaborator."""

    kind: PersonKind
    code: str
    name: str
    email: str | None = None
    fax: str | None = None
    email_active: bool = False
    fax_active: bool = False
    active: bool = True
    opt_ins: frozenset[Event] = frozenset()
    on_main_site: bool = False  # linked to the main site of the request's client
    language: Language | None = None  # their own, if they have one
    client_language: Language | None = None  # a contact's client's
    client: str | None = None  # a contact's client's code; collaborators have none

    def message_language(self, request_client: Language) -> Language:
        """The language of their alerts: their own, else their client's; a collaborator has
        no client of their own and reads the language of the request's client."""
        return self.language or self.client_language or request_client

    @cached_property
    def key(self) -> PersonKey:  # looked up for each recipient, several times a save
        return PersonKey(self.kind, self.code)

    def address(self, channel: Channel) -> str | None:
        return self.email if channel is Channel.EMAIL else self.fax

    def mode_active(self, channel: Channel) -> bool:
        return self.email_active if channel is Channel.EMAIL else self.fax_active
