"""`config export` and `config apply`: the configuration as one file, a plan of what applying it
would change, the effect of that change on who gets alerted, and the change itself in one
transaction (all or nothing)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import tomli_w
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import (
    ConfigState,
    Request,
    Status,
)
from alertctl.domain.events import Snapshot, cannot_fire
from alertctl.domain.model import Event, StatusType
from alertctl.errors import Conflict, Invalid
from alertctl.services.configuration.document import Document
from alertctl.services.configuration.parse import parse
from alertctl.services.configuration.plan import Impact, Plan, Reached, make_plan
from alertctl.services.configuration.read import compact, read
from alertctl.services.configuration.write import Applier


def export(db: Database) -> str:
    with db.session(write=False) as session:
        return tomli_w.dumps(compact(read(session)), multiline_strings=True)


# Plan ------------------------------------------------------------------------------------------


def read_file(
    text: str,
    *,
    region: str,
    known: frozenset[tuple[str, str]] = frozenset(),
    stored: Document | None = None,
) -> Document:
    # rtoml (Rust) rather than the standard library's tomllib: a file of ten thousand contacts
    # is read five times faster, and an unchanged file is read at every apply.
    import rtoml

    try:
        data = rtoml.loads(text)
    except rtoml.TomlParsingError as exc:
        message = " ".join(str(exc).split())
        raise Invalid(f"not a valid TOML file: {message}") from None
    return parse(data, region=region, known=known, stored=stored)


def read_for_database(db: Database, text: str, *, region: str) -> Document:
    """A file checked as `config apply` (without --prune) would check it against the database:
    what a forecast replays through."""
    with db.session(write=False) as session:
        stored = read(session)
    return read_file(text, region=region, known=_known_addresses(stored), stored=stored)


# Apply -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What `config apply` did: the plan it applied (the one shown and confirmed), or None when
    the file is the one last applied and nothing changed since (then it was not read again)."""

    plan: Plan | None


def apply_file(
    db: Database,
    text: str,
    *,
    region: str,
    prune: bool,
    confirm: Callable[[Plan], None],
    impact_only: bool = False,
) -> Applied:
    """Read and check the whole file, make the plan, let `confirm` show it (and refuse it by
    raising), then apply that very plan in one transaction: if the configuration changed
    between the plan and the apply (another command wrote to it), nothing is applied and the
    command says so. With `impact_only` the plan comes with its impact on who is alerted, and
    nothing is written."""
    digest = digest_of(text, region=region, prune=prune)
    if not impact_only and unchanged_since_applied(db, digest):
        return Applied(None)
    with db.session(write=False) as session:
        stored = read(session)
        generation = _generation(session)
    # A file applied without --prune may name what only the database holds; with --prune it
    # is the whole configuration, and must name nothing else.
    visible = None if prune else stored
    desired = read_file(text, region=region, known=_known_addresses(stored), stored=visible)
    if impact_only:
        result = impact(db, desired, prune=prune)
        confirm(result)
        return Applied(result)
    result = make_plan(stored, desired, prune=prune)
    confirm(result)
    if not result.changes:  # nothing is written, not even that: a no-op stays read-only
        return Applied(result)
    with db.session(write=True) as session:
        if _generation(session) != generation:
            raise Conflict(
                "the configuration changed while the plan was shown (another command wrote "
                "to it): nothing was applied",
                hint="run the command again, and check the new plan",
            )
        Applier(session, desired).run(result)
        session.flush()
        _remember(session, digest)
    return Applied(result)


def _generation(session: Session) -> int | None:
    """How many writes the configuration has had (migration 0007's triggers count them)."""
    state = session.get(ConfigState, 1, populate_existing=True)
    return state.generation if state is not None else None


def _known_addresses(stored: Document) -> frozenset[tuple[str, str]]:
    """The (channel, address) pairs stored: valid and normalised when they were."""
    people = [*stored["contacts"].values(), *stored["collaborators"].values()]
    found = {(c, row[c]) for row in people for c in ("email", "fax") if row.get(c)}
    return frozenset(found)


# Unchanged files -------------------------------------------------------------------------------
# Database triggers count every write to a configuration table (migration 0007). A file is
# known to change nothing when it is, byte for byte and with the same options, the file last
# applied, and the count has not moved since the apply.


def digest_of(text: str, *, region: str, prune: bool) -> str:
    """What a file does depends on its bytes, the fax region, --prune, and this version's
    reading of it."""
    from alertctl import __version__

    material = "\0".join((__version__, region, str(prune), text)).encode("utf-8")
    return hashlib.sha256(material).hexdigest()


def unchanged_since_applied(db: Database, digest: str) -> bool:
    with db.session(write=False) as session:
        state = session.get(ConfigState, 1)
        return (
            state is not None
            and state.applied_digest == digest
            and state.applied_generation == state.generation
        )


def _remember(session: Session, digest: str) -> None:
    state = session.get(ConfigState, 1, populate_existing=True)
    if state is not None:
        state.applied_digest, state.applied_generation = digest, state.generation
        session.add(state)


def impact(db: Database, desired: Document, *, prune: bool) -> Plan:
    """The plan, and for every request that is not closed, who would start and who would stop
    receiving each event's alerts: recipient resolution on both configurations, nothing kept."""
    from alertctl.domain.recipients import resolve
    from alertctl.services.saves.alert_slice import load
    from alertctl.services.saves.requests import snapshot

    rehearsal = Database(db.url, dry_run=True)
    try:
        with rehearsal.session(write=True) as session:
            result = make_plan(read(session), desired, prune=prune)
            requests = session.exec(
                select(Request)
                .join(Status, col(Status.id) == col(Request.status_id))
                .where(
                    col(Status.type).not_in(
                        [StatusType.CLOSED_EXTERNAL.value, StatusType.CLOSED_INTERNAL.value]
                    )
                )
                .order_by(col(Request.reference))
            ).all()

            def recipients() -> dict[tuple[str, str], set[tuple[str, str, str]]]:
                found = {}
                for request in requests:
                    alert_slice = load(session, request).slice
                    for event in _can_still_fire(snapshot(session, request)):
                        decision = resolve(alert_slice, event)
                        found[(request.reference, event.value)] = {
                            (r.person.kind.value, r.person.code, r.channel.value)
                            for r in decision.recipients
                        }
                return found

            before = recipients()
            Applier(session, desired).run(result)
            session.flush()
            session.expire_all()
            after = recipients()
    finally:
        rehearsal.close()
    result.impact = [
        Impact(
            request=reference,
            event=event,
            start=[Reached(*p) for p in sorted(after[key] - before[key])],
            stop=[Reached(*p) for p in sorted(before[key] - after[key])],
        )
        for key in sorted(before)
        for reference, event in [key]
        if before[key] != after[key]
    ]
    return result


def _can_still_fire(request: Snapshot) -> list[Event]:
    """The events a later save of the request can raise: an `open` that already fired is left
    out, since no change of configuration makes anyone receive it."""
    return [e for e in Event if not ((n := cannot_fire(request, e)) and n.never_again)]
