"""Ids for rows written later in their transaction (services/saves/staging.py): a staged row
must be named before it is written, for the rows that name it."""

from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

# The most ids a PostgreSQL sequence hands out at a time: one query for many rows. Those not
# used when the transaction ends are a gap, as a rolled-back insert leaves one; a block is never
# larger than what the transaction has used so far, so that a feed of one line a transaction
# (a live source) leaves no gaps, and a long one gaps of a few hundred ids at most.
BLOCK = 512


class Ids:
    """The next ids of some tables, within one transaction that writes to them alone.

    On SQLite the transaction holds the database's write lock (BEGIN IMMEDIATE), so the ids
    after the largest one there are its own, as SQLite would give them; they are counted from
    there without asking again. On PostgreSQL each table's sequence gives them, a block at a
    time, as it would to the inserts."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._free: dict[str, list[int]] = {}
        self._used: dict[str, int] = {}
        self._next: dict[str, int] = {}

    def take(self, table: Any, count: int) -> list[int]:
        if self._postgres:
            return self._from_sequence(table, count)
        name = table.name
        if name not in self._next:
            largest = self._session.execute(select(func.max(table.c.id))).scalar()
            self._next[name] = int(largest or 0) + 1
        first = self._next[name]
        self._next[name] += count
        return list(range(first, first + count))

    def _from_sequence(self, table: Any, count: int) -> list[int]:
        free = self._free.setdefault(table.name, [])
        if len(free) < count:
            used = self._used.get(table.name, 0)
            free += self._session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table.name, "n": max(count - len(free), min(BLOCK, used))},
            ).scalars()
        taken, free[:] = free[:count], free[count:]
        self._used[table.name] = self._used.get(table.name, 0) + count
        return [int(i) for i in taken]
