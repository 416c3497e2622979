"""What one transaction of a feed remembers between its saves (`FeedMemory`).

A feed saves the same few requests, codes and configurations again and again: `ingest` makes
one memory per transaction and hands it to every save of that transaction, so that each is read
once per transaction rather than once per save. A single save (`request open|update`) has no
memory, and reads everything; both go through the same code, which takes the memory as an
argument (None: read it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sqlmodel import Session

if TYPE_CHECKING:
    from alertctl.db.tables import Request
    from alertctl.domain.model import Event
    from alertctl.domain.recipients import Decision
    from alertctl.services.saves.staging import Staging

T = TypeVar("T")

# Keys looked up in one query: well under any database's limit of bound parameters.
LOOKUP_KEYS = 500


@dataclass
class LookedUp(Generic[T]):
    """What a transaction knows of some keys (request references, save ids): the keys it
    looked up, and what it found for each, or saved since."""

    looked_up: set[str] = field(default_factory=set)
    found: dict[str, T] = field(default_factory=dict)

    def look_up(self, keys: Iterable[str], read: Callable[[list[str]], Iterable[Any]]) -> None:
        """Read the (key, value) pairs of the keys not looked up yet, in queries of at most
        LOOKUP_KEYS keys each."""
        fresh = sorted(set(keys) - self.looked_up)
        for start in range(0, len(fresh), LOOKUP_KEYS):
            some = fresh[start : start + LOOKUP_KEYS]
            self.found.update({key: value for key, value in read(some)})
            self.looked_up.update(some)

    def remember(self, key: str, value: T) -> None:
        self.looked_up.add(key)
        self.found[key] = value


# A configuration is named by the request's (client, contract, site, product, service).
ConfigurationKey = tuple[int | None, ...]


@dataclass
class FeedMemory:
    """What one transaction of a feed has read, and what it must not read again.

    It is valid for its transaction only, and `ingest` makes a new one for each: within it,
    nothing but the transaction's own saves changes these requests (its write lock on SQLite,
    the save lock on PostgreSQL), and each save that succeeds is remembered (`requests`,
    `saves`); a save that failed is not, and its request is looked up again if it left the
    session.
    """

    # Rows the transaction loaded, kept alive: SQLAlchemy holds them weakly otherwise.
    held: list[object] = field(default_factory=list)
    # One fact of the configuration each: a code's id, a contract's beneficiary or product.
    facts: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # The alert configuration of each (client, contract, site, product, service).
    configurations: dict[ConfigurationKey, Any] = field(default_factory=dict)
    # Each event's decision for each configuration: a decision depends on nothing else.
    decisions: dict[tuple[ConfigurationKey, Event], Decision] = field(default_factory=dict)
    requests: LookedUp[Request] = field(default_factory=LookedUp)
    saves: LookedUp[str] = field(default_factory=LookedUp)
    # Where the saves' rows wait for the end of the transaction; None: each save writes its
    # own as it goes (services/saves/staging.py).
    staging: Staging | None = None

    def fact(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        if key not in self.facts:
            self.facts[key] = read()
        return cast(T, self.facts[key])


def fact(memory: FeedMemory | None, key: tuple[Any, ...], read: Callable[[], T]) -> T:
    """One fact of the configuration, read once per transaction of a feed, else every time."""
    return read() if memory is None else memory.fact(key, read)


def row(session: Session, memory: FeedMemory | None, model: type[T], row_id: Any) -> T | None:
    """A row of the configuration (a client, a contract, a status, a person...) by its id:
    through the memory in a feed's transaction. A save looks up some twenty, and SQLAlchemy's
    lookup by id, though it finds them in the session, cost a tenth of a save."""
    return fact(memory, (model, row_id), lambda: session.get(model, row_id))
