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
    CALENDAR = "calendar"
    # As `link` and `unlink` name them: CLIENT/SITE, CONTRACT/SERVICE.
    SITE_PATH = "site path"
    SERVICE_PATH = "service path"


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
    CodeKind.CALENDAR: ("calendar", "name", "zone", "1 = 1"),
    CodeKind.SITE_PATH: (
        "site JOIN client ON client.id = site.client_id",
        "client.code || '/' || site.code",
        "site.name",
        "1 = 1",
    ),
    CodeKind.SERVICE_PATH: (
        "service JOIN contract ON contract.id = service.contract_id",
        "contract.code || '/' || service.code",
        "service.name",
        "1 = 1",
    ),
}
# A site is one of its client's, a service one of its contract's: with the parent typed first
# (`site show ACME <TAB>`), only its own are proposed.
_WITHIN: dict[CodeKind, str] = {
    CodeKind.SITE: "client_id IN (SELECT id FROM client WHERE code = :within)",
    CodeKind.SERVICE: "contract_id IN (SELECT id FROM contract WHERE code = :within)",
}


def _sql(kind: CodeKind, within: str | None = None) -> str:
    table, code, label, where = _QUERIES[kind]
    if within is not None and kind in _WITHIN:
        where = _WITHIN[kind]
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


def codes(
    db: str, kind: CodeKind, prefix: str, limit: int = 200, *, within: str | None = None
) -> list[tuple[str, str]]:
    """(code, description) pairs of this kind whose code starts with the prefix (a site of the
    client `within`, a service of the contract `within`, when it is given)."""
    params: dict[str, object] = {"n": len(prefix), "prefix": prefix, "limit": limit}
    if within is not None:
        params["within"] = within
    url = to_url(db)
    path = _sqlite_file(url)
    if path is not None:
        if not path.is_file():
            return []
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            return [(str(c), str(d)) for c, d in connection.execute(_sql(kind, within), params)]
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(_sql(kind, within)), params)
            return [(str(c), str(d)) for c, d in rows]
    finally:
        engine.dispose()
