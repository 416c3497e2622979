"""The settings of noise control (docs/rules.md, "Holding alerts"): the defaults, a client's
coalescing and urgent events, and a person's quiet hours, zone, digest and cap.

Every value comes as people write it (`2m`, `off`, `mon-fri 19:00-08:00`, `daily 08:00`,
`none`), is checked with the others it goes with (quiet hours against the zone they are read
in), and is refused whole: nothing is written when one value is wrong.
"""

from dataclasses import dataclass

from sqlmodel import Session

from alertctl.db.engine import Database
from alertctl.db.tables import Client, NoiseSettings, Person
from alertctl.domain.business_time import parse_duration, spell_minutes
from alertctl.domain.holds import (
    Coalescing,
    check_zone,
    parse_digest,
    parse_quiet,
    parse_urgent,
    spell_digest,
    spell_quiet,
    spell_urgent,
)
from alertctl.domain.model import PersonKind
from alertctl.errors import Invalid, Unreadable
from alertctl.services.common import get_client, get_person
from alertctl.services.holds.rules import applied, client_noise, defaults

DEFAULT = "default"  # a person's or a client's own setting removed: the defaults apply
NONE = ("none", "")
OFF = ("off", "0")


@dataclass(frozen=True)
class NoiseChange:
    """Values as written; None leaves a setting as it is."""

    coalesce_idle: str | None = None
    coalesce_max: str | None = None
    contact_quiet_hours: str | None = None
    collaborator_quiet_hours: str | None = None
    zone: str | None = None
    cap: str | None = None
    urgent: str | None = None


@dataclass(frozen=True)
class NoiseDefaults:
    coalesce_idle: str  # "2 min", or "off"
    coalesce_max: str
    contact_quiet_hours: str  # "" for none
    collaborator_quiet_hours: str
    zone: str
    cap: int | None
    urgent: str


def minutes(text: str, what: str) -> int:
    """A wait as written (`2m`, `1h30m`), or `off` (0)."""
    if text.strip().lower() in OFF:
        return 0
    try:
        return parse_duration(text)
    except Invalid:
        raise Unreadable(
            f"cannot read the {what} {text!r}: write minutes or hours, such as 2m or 1h, or off"
        ) from None


def cap(text: str) -> int | None:
    """A number of mails an hour, or `none`."""
    if text.strip().lower() in NONE:
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise Unreadable(f"a cap is a number of mails an hour above 0, or none: not {text!r}")
    return int(text)


def spell_wait(value: int | None) -> str:
    """Minutes as `minutes` reads them back; 0 is `off`."""
    return (spell_minutes(value) or "off") if value else "off"


def spelt_defaults(row: NoiseSettings) -> NoiseDefaults:
    return NoiseDefaults(
        coalesce_idle=spell_wait(row.coalesce_idle_minutes),
        coalesce_max=spell_wait(row.coalesce_max_minutes),
        contact_quiet_hours=row.contact_quiet_hours or "",
        collaborator_quiet_hours=row.collaborator_quiet_hours or "",
        zone=row.zone,
        cap=row.cap_per_hour,
        urgent=spell_urgent(parse_urgent(row.urgent)),
    )


def show_defaults(db: Database) -> NoiseDefaults:
    with db.session(write=False) as session:
        return spelt_defaults(defaults(session))


def set_defaults(db: Database, change: NoiseChange) -> NoiseDefaults:
    with db.session(write=True) as session:
        row = defaults(session)
        apply_defaults(row, change)
        session.add(row)
        session.flush()
        return spelt_defaults(row)


def apply_defaults(row: NoiseSettings, change: NoiseChange) -> None:
    """Change the defaults' row, every value checked before any is kept."""
    if change.coalesce_idle is not None:
        row.coalesce_idle_minutes = minutes(change.coalesce_idle, "coalescing wait")
    if change.coalesce_max is not None:
        row.coalesce_max_minutes = minutes(change.coalesce_max, "longest coalescing wait")
    Coalescing(row.coalesce_idle_minutes, row.coalesce_max_minutes)
    if change.zone is not None:
        row.zone = change.zone.strip()
    for kind in ("contact", "collaborator"):
        text = getattr(change, f"{kind}_quiet_hours")
        if text is not None:
            setattr(row, f"{kind}_quiet_hours", spell_quiet(_none_is_empty(text)) or None)
        parse_quiet(getattr(row, f"{kind}_quiet_hours") or "", row.zone)
    check_zone(row.zone)
    if change.cap is not None:
        row.cap_per_hour = cap(change.cap)
    if change.urgent is not None:
        row.urgent = spell_urgent(parse_urgent(change.urgent))


@dataclass(frozen=True)
class ClientNoiseChange:
    coalesce_idle: str | None = None  # "default": the defaults'
    coalesce_max: str | None = None
    urgent: str | None = None


def apply_client_noise(session: Session, client: Client, change: ClientNoiseChange) -> None:
    base = defaults(session)
    for field, text, what in (
        ("coalesce_idle_minutes", change.coalesce_idle, "coalescing wait"),
        ("coalesce_max_minutes", change.coalesce_max, "longest coalescing wait"),
    ):
        if text is not None:
            own = None if _default(text) else minutes(text, what)
            setattr(client, field, own)
    if change.urgent is not None:
        urgent = None if _default(change.urgent) else spell_urgent(parse_urgent(change.urgent))
        client.urgent = urgent
    idle = client.coalesce_idle_minutes
    most = client.coalesce_max_minutes
    Coalescing(
        base.coalesce_idle_minutes if idle is None else idle,
        base.coalesce_max_minutes if most is None else most,
    )


def _default(text: str) -> bool:
    return text.strip().lower() == DEFAULT


@dataclass(frozen=True)
class PersonNoiseChange:
    """Values as written; `default` gives a setting back to the defaults of their kind."""

    quiet_hours: str | None = None  # "none": no quiet hours, whatever their kind's
    zone: str | None = None
    digest: str | None = None  # "immediate", "daily 08:00", "weekly mon 08:00"
    cap: str | None = None  # "none": no cap, whatever the default


def apply_person_noise(session: Session, person: Person, change: PersonNoiseChange) -> None:
    if change.zone is not None:
        person.zone = None if _default(change.zone) else change.zone.strip()
    if change.quiet_hours is not None:
        text = change.quiet_hours
        person.quiet_hours = None if _default(text) else spell_quiet(_none_is_empty(text))
    if change.digest is not None:
        digest = parse_digest(change.digest)
        person.digest = None if digest is None else spell_digest(digest)
    if change.cap is not None:
        person.cap_per_hour = None if _default(change.cap) else (cap(change.cap) or 0)
    zone = person.zone or defaults(session).zone
    check_zone(zone)
    parse_quiet(person.quiet_hours or "", zone)


def _none_is_empty(text: str) -> str:
    return "" if text.strip().lower() in NONE else text


@dataclass(frozen=True)
class ClientNoise:
    """A client's settings ("default": the defaults'), and what applies."""

    client: str
    coalesce_idle: str
    coalesce_max: str
    urgent: str
    applied_coalesce_idle: str
    applied_coalesce_max: str
    applied_urgent: str


@dataclass(frozen=True)
class PersonNoise:
    """A person's settings ("default": their kind's, or the defaults'), and what applies."""

    kind: str
    code: str
    quiet_hours: str
    zone: str
    digest: str
    cap: str
    applied_quiet_hours: str  # "none" for none
    applied_zone: str
    applied_cap: str  # "none" for none


def client_noise_of(session: Session, client: Client) -> ClientNoise:
    base = defaults(session)
    own = client_noise(client, base)
    idle, most = client.coalesce_idle_minutes, client.coalesce_max_minutes
    return ClientNoise(
        client=client.code,
        coalesce_idle=DEFAULT if idle is None else spell_wait(idle),
        coalesce_max=DEFAULT if most is None else spell_wait(most),
        urgent=DEFAULT if client.urgent is None else client.urgent,
        applied_coalesce_idle=spell_wait(own.coalescing.idle_minutes),
        applied_coalesce_max=spell_wait(own.coalescing.max_minutes),
        applied_urgent=spell_urgent(parse_urgent(own.urgent)),
    )


def person_noise_of(session: Session, person: Person) -> PersonNoise:
    found = applied(person, defaults(session))
    own_cap = person.cap_per_hour
    return PersonNoise(
        kind=person.kind,
        code=person.code,
        quiet_hours=DEFAULT if person.quiet_hours is None else (person.quiet_hours or "none"),
        zone=person.zone or DEFAULT,
        digest=person.digest or "immediate",
        cap=DEFAULT if own_cap is None else (str(own_cap) if own_cap else "none"),
        applied_quiet_hours=found.quiet_hours or "none",
        applied_zone=found.zone,
        applied_cap=str(found.cap_per_hour) if found.cap_per_hour else "none",
    )


def client_noise_settings(db: Database, code: str, change: ClientNoiseChange | None) -> ClientNoise:
    """A client's settings, changed first when `change` says so."""
    with db.session(write=change is not None) as session:
        client = get_client(session, code)
        if change is not None:
            apply_client_noise(session, client, change)
            session.add(client)
            session.flush()
        return client_noise_of(session, client)


def person_noise_settings(
    db: Database, kind: PersonKind, code: str, change: PersonNoiseChange | None
) -> PersonNoise:
    """A person's settings, changed first when `change` says so."""
    with db.session(write=change is not None) as session:
        person = get_person(session, kind, code)
        if change is not None:
            apply_person_noise(session, person, change)
            session.add(person)
            session.flush()
        return person_noise_of(session, person)
