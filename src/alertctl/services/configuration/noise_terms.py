"""Noise control in the configuration file (docs/rules.md, "Holding alerts"): the `[noise]`
defaults, and the keys of clients (`coalesce_idle`, `coalesce_max`, `urgent`) and of people
(`quiet_hours`, `zone`, `digest`, `cap`). Values are kept as `noise show` spells them, so that
"2m" in a file and 2 minutes in the database compare equal; a key left out is the default.
"""

from collections.abc import Mapping
from typing import Any, Protocol, TypedDict

from alertctl.db.tables import Client, NoiseSettings
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
from alertctl.errors import Invalid
from alertctl.services.holds.settings import cap, minutes, spell_wait
from alertctl.services.results import Table

CLIENT_KEYS = {"coalesce_idle", "coalesce_max", "urgent"}
PERSON_KEYS = {"quiet_hours", "zone", "digest", "cap"}
NOISE_KEYS = {
    "coalesce_idle",
    "coalesce_max",
    "contact_quiet_hours",
    "collaborator_quiet_hours",
    "zone",
    "cap",
    "urgent",
}
FACTORY = NoiseSettings(id=1)  # the defaults as migration 0013 writes them


class NoiseEntry(TypedDict):
    coalesce_idle: str
    coalesce_max: str
    contact_quiet_hours: str | None
    collaborator_quiet_hours: str | None
    zone: str
    cap: int | None
    urgent: str


class _Checker(Protocol):
    def problem(self, path: str, message: str) -> None: ...
    def keys(self, value: Table, path: str, allowed: set[str]) -> None: ...


def _string(check: _Checker, row: Table, key: str, path: str) -> str | None:
    value = row.get(key)
    if value is not None and not isinstance(value, str):
        check.problem(f"{path}.{key}", "must be a string")
        return None
    return value


def _checked(check: _Checker, path: str, spell: Any, *values: Any) -> Any:
    """A value spelt as it is kept, or None after a problem at `path`."""
    try:
        return spell(*values)
    except Invalid as exc:
        check.problem(path, exc.message)
        return None


def _zone(zone: str) -> str:
    check_zone(zone)
    return zone


def _cap(value: Any) -> int | str | None:
    """A cap as a file writes it: a number of mails an hour, or "none"."""
    if value is None:
        return None
    found = cap(str(value)) if isinstance(value, int | str) and not isinstance(value, bool) else -1
    if found == -1:
        raise Invalid('a cap is a number of mails an hour above 0, or "none"')
    return "none" if found is None else found


def parse_noise(check: _Checker, row: Table, path: str) -> NoiseEntry | None:
    """`[noise]`, checked; None when the file has none (the stored defaults stay)."""
    if not row:
        return None
    check.keys(row, path, NOISE_KEYS)
    values = {k: _string(check, row, k, path) for k in NOISE_KEYS - {"cap"}}
    zone = values["zone"] or FACTORY.zone
    if _checked(check, f"{path}.zone", _zone, zone) is None:
        zone = FACTORY.zone  # said once, at its own path
    factory = read_noise(FACTORY)
    idle = _checked(
        check,
        f"{path}.coalesce_idle",
        minutes,
        values["coalesce_idle"] or factory["coalesce_idle"],
        "coalescing wait",
    )
    most = _checked(
        check,
        f"{path}.coalesce_max",
        minutes,
        values["coalesce_max"] or factory["coalesce_max"],
        "longest coalescing wait",
    )
    if idle is not None and most is not None:
        _checked(check, path, Coalescing, idle, most)
    quiet = {}
    for kind in ("contact", "collaborator"):
        text = spell_quiet(values[f"{kind}_quiet_hours"] or "")
        _checked(check, f"{path}.{kind}_quiet_hours", parse_quiet, text, zone)
        quiet[kind] = text or None
    limit = _checked(check, f"{path}.cap", _cap, row.get("cap"))
    urgent = _checked(check, f"{path}.urgent", parse_urgent, values["urgent"] or FACTORY.urgent)
    return {
        "coalesce_idle": spell_wait(idle or 0),
        "coalesce_max": spell_wait(most or 0),
        "contact_quiet_hours": quiet["contact"],
        "collaborator_quiet_hours": quiet["collaborator"],
        "zone": zone,
        "cap": limit if isinstance(limit, int) else None,
        "urgent": spell_urgent(urgent or frozenset()),
    }


def read_noise(row: NoiseSettings) -> NoiseEntry:
    return {
        "coalesce_idle": spell_wait(row.coalesce_idle_minutes),
        "coalesce_max": spell_wait(row.coalesce_max_minutes),
        "contact_quiet_hours": row.contact_quiet_hours,
        "collaborator_quiet_hours": row.collaborator_quiet_hours,
        "zone": row.zone,
        "cap": row.cap_per_hour,
        "urgent": spell_urgent(parse_urgent(row.urgent)),
    }


def compact_noise(entry: NoiseEntry) -> Table:
    """Only what differs from the factory's defaults."""
    factory = read_noise(FACTORY)
    return {k: v for k, v in entry.items() if v is not None and v != factory[k]}  # type: ignore[literal-required]


def write_noise(row: NoiseSettings, entry: Mapping[str, Any] | None) -> None:
    """Store the defaults; None: the factory's (a file without them, applied with --prune)."""
    entry = read_noise(FACTORY) if entry is None else entry
    row.coalesce_idle_minutes = minutes(entry["coalesce_idle"], "coalescing wait")
    row.coalesce_max_minutes = minutes(entry["coalesce_max"], "longest coalescing wait")
    row.contact_quiet_hours = entry["contact_quiet_hours"]
    row.collaborator_quiet_hours = entry["collaborator_quiet_hours"]
    row.zone = entry["zone"]
    row.cap_per_hour = entry["cap"]
    row.urgent = entry["urgent"]


# Clients -----------------------------------------------------------------------------------


def parse_client_noise(check: _Checker, row: Table, path: str) -> Table:
    idle, most, urgent = (
        _string(check, row, k, path) for k in ("coalesce_idle", "coalesce_max", "urgent")
    )
    found: Table = {
        "coalesce_idle": None
        if idle is None
        else _checked(check, f"{path}.coalesce_idle", _wait, idle),
        "coalesce_max": None
        if most is None
        else _checked(check, f"{path}.coalesce_max", _wait, most),
        "urgent": None
        if urgent is None
        else _checked(check, f"{path}.urgent", lambda t: spell_urgent(parse_urgent(t)), urgent),
    }
    return found


def _wait(text: str) -> str:
    return spell_wait(minutes(text, "coalescing wait"))


class _ClientNoise(Protocol):
    """A client as an object or as a plain row (the configuration is read as rows)."""

    coalesce_idle_minutes: int | None
    coalesce_max_minutes: int | None
    urgent: str | None


class _PersonNoise(Protocol):
    quiet_hours: str | None
    zone: str | None
    digest: str | None
    cap_per_hour: int | None


def read_client_noise(client: _ClientNoise) -> Table:
    idle, most = client.coalesce_idle_minutes, client.coalesce_max_minutes
    return {
        "coalesce_idle": None if idle is None else spell_wait(idle),
        "coalesce_max": None if most is None else spell_wait(most),
        "urgent": client.urgent,
    }


def write_client_noise(client: Client, values: Mapping[str, Any]) -> None:
    idle, most = values.get("coalesce_idle"), values.get("coalesce_max")
    client.coalesce_idle_minutes = None if idle is None else minutes(idle, "coalescing wait")
    client.coalesce_max_minutes = None if most is None else minutes(most, "coalescing wait")
    client.urgent = values.get("urgent")


# People ------------------------------------------------------------------------------------


def parse_person_noise(check: _Checker, row: Table, path: str, zone: str | None) -> Table:
    quiet, own_zone, digest = (
        _string(check, row, k, path) for k in ("quiet_hours", "zone", "digest")
    )
    if own_zone is not None and _checked(check, f"{path}.zone", _zone, own_zone) is None:
        own_zone = None  # said once, at its own path
    if quiet is not None and quiet.strip().lower() != "none":
        quiet = spell_quiet(quiet)
        _checked(check, f"{path}.quiet_hours", parse_quiet, quiet, own_zone or zone or "UTC")
    elif quiet is not None:
        quiet = "none"
    spelt = None
    if digest is not None:
        parsed = _checked(check, f"{path}.digest", parse_digest, digest)
        spelt = None if parsed is None else spell_digest(parsed)
    return {
        "quiet_hours": quiet,
        "zone": own_zone,
        "digest": spelt,
        "cap": _checked(check, f"{path}.cap", _cap, row.get("cap")),
    }


def read_person_noise(person: _PersonNoise) -> Table:
    own_cap = person.cap_per_hour
    return {
        "quiet_hours": None if person.quiet_hours is None else (person.quiet_hours or "none"),
        "zone": person.zone,
        "digest": person.digest,
        "cap": None if own_cap is None else (own_cap or "none"),
    }


def person_noise_columns(values: Mapping[str, Any]) -> Table:
    quiet, own_cap = values.get("quiet_hours"), values.get("cap")
    return {
        "quiet_hours": None if quiet is None else ("" if quiet == "none" else quiet),
        "zone": values.get("zone"),
        "digest": values.get("digest"),
        "cap_per_hour": None if own_cap is None else (0 if own_cap == "none" else own_cap),
    }
