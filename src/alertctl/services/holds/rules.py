"""Each person's noise rules, from their own settings, their kind's defaults and the client of
the request (docs/rules.md, "Holding alerts")."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from alertctl.db.tables import Client, NoiseSettings, Person
from alertctl.domain.holds import (
    Coalescing,
    NoiseRules,
    parse_digest,
    parse_quiet,
    parse_urgent,
)
from alertctl.domain.model import PersonKind
from alertctl.services.saves.feed_memory import FeedMemory, row


def defaults(session: Session, memory: FeedMemory | None = None) -> NoiseSettings:
    """The one row of defaults (migration 0013 writes it)."""
    found = row(session, memory, NoiseSettings, 1)
    return found if found is not None else NoiseSettings(id=1)


@dataclass(frozen=True)
class ClientNoise:
    coalescing: Coalescing
    urgent: str


def client_noise(client: Client | None, base: NoiseSettings) -> ClientNoise:
    idle = base.coalesce_idle_minutes
    most = base.coalesce_max_minutes
    if client is not None and client.coalesce_idle_minutes is not None:
        idle = client.coalesce_idle_minutes
    if client is not None and client.coalesce_max_minutes is not None:
        most = client.coalesce_max_minutes
    urgent = client.urgent if client is not None and client.urgent is not None else base.urgent
    return ClientNoise(Coalescing(idle, max(most, idle)), urgent)


@dataclass(frozen=True)
class Applied:
    """A person's own settings, or where they have none, the defaults (of their kind)."""

    quiet_hours: str  # as written; "" for none
    zone: str
    cap_per_hour: int | None  # None for none


def applied(person: Person, base: NoiseSettings) -> Applied:
    quiet = person.quiet_hours
    if quiet is None:
        contact = PersonKind(person.kind) is PersonKind.CONTACT
        quiet = base.contact_quiet_hours if contact else base.collaborator_quiet_hours
    cap = person.cap_per_hour if person.cap_per_hour is not None else base.cap_per_hour
    return Applied(quiet or "", person.zone or base.zone, cap or None)


def person_rules(person: Person, client: ClientNoise, base: NoiseSettings) -> NoiseRules:
    """One person's rules under a request's client."""
    own = applied(person, base)
    return NoiseRules(
        zone=own.zone,
        coalescing=client.coalescing,
        quiet=parse_quiet(own.quiet_hours, own.zone),
        digest=parse_digest(person.digest or ""),
        cap_per_hour=own.cap_per_hour,
        urgent=parse_urgent(client.urgent),
    )


def rules_for(session: Session, person_ids: Iterable[int], client_id: int) -> dict[int, NoiseRules]:
    """The rules of these persons for a request of this client, by person id."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    base = defaults(session)
    client = client_noise(session.get(Client, client_id), base)
    people = session.exec(select(Person).where(col(Person.id).in_(ids))).all()
    return {p.id: person_rules(p, client, base) for p in people if p.id is not None}
