"""Typed results: services return frozen dataclasses (and enums), and this is the one way they
become the JSON documents of `--json`: fields in their order as keys, enums as their values,
times in ISO 8601, tuples as lists. The CLI draws its tables from the same documents."""

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# The few untyped mappings that remain, each named for why it stays a mapping:
# a table of a file or a line of a feed as the parser read it, checked key by key;
Table = dict[str, Any]
# what a save records as it happened (changes, superseded alerts), stored as JSON with it;
Record = dict[str, Any]
# column -> value for one row of a bulk insert;
Columns = dict[str, Any]


def to_json(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in fields(value)
            # A fact that only some rows have is left out of the others, not null.
            if not (f.metadata.get("omit_if_none") and getattr(value, f.name) is None)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Page(Generic[T]):
    """The first rows of a list and how many there are in all: a list never stops short
    without saying so."""

    rows: tuple[T, ...]
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.rows)

    @classmethod
    def of(cls, rows: Sequence[T], limit: int | None) -> "Page[T]":
        """A page of rows already read in full (lists of configuration, never very long)."""
        return cls(tuple(rows if limit is None else rows[:limit]), len(rows))
