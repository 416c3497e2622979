"""One row made, or updated if another transaction made it first: INSERT … ON CONFLICT DO
UPDATE, which SQLite and PostgreSQL both have, each in its own SQLAlchemy dialect."""

from collections.abc import Mapping

from sqlalchemy import Executable, Table
from sqlmodel import Session


def upsert(
    session: Session,
    table: Table,
    values: Mapping[str, object],
    *,
    key: str,
    latest: Mapping[str, object],
) -> Executable:
    """Insert `values` into `table`; where a row with the same `key` (a unique column) is
    there, set `latest` on it instead."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        made = postgresql.insert(table).values(**values)
        return made.on_conflict_do_update(index_elements=[key], set_=dict(latest))
    from sqlalchemy.dialects import sqlite

    insert = sqlite.insert(table).values(**values)
    return insert.on_conflict_do_update(index_elements=[key], set_=dict(latest))
