"""Codes that start with a prefix, for shell completion.

A TAB must answer as fast as `--help`: on SQLite this reads the file with the standard library's
sqlite3, read-only, without importing SQLAlchemy or creating the table classes (most of a
database command's startup). Other databases go through SQLAlchemy, with the same SQL.
"""

import sqlite3
from contextlib import closing
from enum import StrEnum
from pathlib import Path

from alertctl.db.urls import to_url


class CodeKind(StrEnum):
    CLIENT = "client"
    SITE = "site"
    CONTACT = "contact"
    COLLABORATOR = "collaborator"
    PRODUCT = "product"
    CONTRACT = "contract"
    SERVICE = "service"
    STATUS = "status"
    TEMPLATE = "template"
    REQUEST = "request"


# kind: (table, the code's column, the description's column, a condition)
_QUERIES: dict[CodeKind, tuple[str, str, str, str]] = {
    CodeKind.CLIENT: ("client", "code", "name", "1 = 1"),
    CodeKind.SITE: ("site", "code", "name", "1 = 1"),
    CodeKind.CONTACT: ("person", "code", "name", "kind = 'contact'"),
    CodeKind.COLLABORATOR: ("person", "code", "name", "kind = 'collaborator'"),
    CodeKind.PRODUCT: ("product", "code", "name", "1 = 1"),
    CodeKind.CONTRACT: ("contract", "code", "name", "1 = 1"),
    CodeKind.SERVICE: ("service", "code", "name", "1 = 1"),
    CodeKind.STATUS: ("status", "code", "label", "1 = 1"),
    CodeKind.TEMPLATE: ("template", "name", "language", "1 = 1"),
    CodeKind.REQUEST: ("request", "reference", "title", "1 = 1"),
}


def _sql(kind: CodeKind) -> str:
    table, code, label, where = _QUERIES[kind]
    # substr() rather than LIKE: a prefix with % or _ in it means itself.
    return (
        f"SELECT DISTINCT {code}, {label} FROM {table} "
        f"WHERE {where} AND substr({code}, 1, :n) = :prefix ORDER BY {code} LIMIT :limit"
    )


def _sqlite_file(url: str) -> Path | None:
    """The file of a plain SQLite URL; other URLs are left to SQLAlchemy to read."""
    if url.startswith("sqlite:///") and "?" not in url:
        return Path(url.removeprefix("sqlite:///"))
    return None


def codes(db: str, kind: CodeKind, prefix: str, limit: int = 200) -> list[tuple[str, str]]:
    """(code, description) pairs of this kind whose code starts with the prefix."""
    params = {"n": len(prefix), "prefix": prefix, "limit": limit}
    url = to_url(db)
    path = _sqlite_file(url)
    if path is not None:
        if not path.is_file():
            return []
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            return [(str(c), str(d)) for c, d in connection.execute(_sql(kind), params)]
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(_sql(kind)), params)
            return [(str(c), str(d)) for c, d in rows]
    finally:
        engine.dispose()
