"""Lookups by code and the checks every service shares."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, func, insert
from sqlmodel import Session, SQLModel, select

from alertctl.db.tables import Client, Contract, Person, Service, Site
from alertctl.domain.model import Event, PersonKind
from alertctl.domain.wording import counted
from alertctl.errors import Conflict, Invalid, NotFound
from alertctl.services.results import Columns

M = TypeVar("M", bound=SQLModel)


def ident(value: int | None) -> int:
    """The id of a stored row (SQLModel types ids as optional until the row is flushed)."""
    assert value is not None, "row not flushed yet"
    return value


def find_by_code(session: Session, model: type[M], code: str) -> M | None:
    return session.exec(select(model).where(getattr(model, "code") == code)).first()  # noqa: B009


def get_by_code(session: Session, model: type[M], code: str, what: str) -> M:
    row = find_by_code(session, model, code)
    if row is None:
        raise NotFound(
            f"unknown {what} {code!r}", hint=unknown_hint(session, model, code, f"{what} list")
        )
    return row


# Codes compared by spelling for a suggestion: at most this many (the configuration's kinds
# hold a few thousand at most; contacts may hold more, and are then only matched by case).
SUGGEST_AMONG = 20_000


def unknown_hint(
    session: Session,
    model: Any,
    code: str,
    listing: str,
    *,
    where: Any = None,
    column: Any = None,
) -> str:
    """`did you mean X?` for the code that differs only by case, or else the nearest in
    spelling; otherwise the command that lists them. `column`: where a model that names its
    rows otherwise than by `code` keeps the name (a calendar's `name`)."""
    import difflib

    column = model.code if column is None else column
    twin = case_twin(session, model, code, where=where, column=column)
    if twin is None:
        query = select(column).limit(SUGGEST_AMONG + 1)
        codes = [str(c) for c in session.exec(query if where is None else query.where(where))]
        if len(codes) <= SUGGEST_AMONG:
            lowered = {c.lower(): c for c in codes}
            close = difflib.get_close_matches(code.lower(), list(lowered), n=1, cutoff=0.75)
            twin = lowered[close[0]] if close else None
    return f"did you mean {twin}?" if twin else f"alertctl {listing}"


def case_twin(
    session: Session, model: Any, code: str, *, where: Any = None, column: Any = None
) -> str | None:
    """The code that differs from this one only by case, if there is one.

    Codes are looked up exactly, but two codes that differ only by case (`acme` beside `ACME`)
    are refused: in a list, a script or a spoken conversation they would be taken for one."""
    column = model.code if column is None else column
    query = select(column).where(func.lower(column) == code.lower(), column != code)
    if where is not None:
        query = query.where(where)
    found = session.exec(query).first()
    return None if found is None else str(found)


def ensure_new(session: Session, model: type[SQLModel], code: str, what: str) -> None:
    if find_by_code(session, model, code) is not None:
        raise Conflict(
            f"{what} {code!r} already exists",
            hint=f"to change it: alertctl {what} update {code} (alertctl {what} show {code})",
        )
    refuse_case_twin(session, model, code, what)


def refuse_case_twin(
    session: Session, model: Any, code: str, what: str, *, where: Any = None
) -> None:
    twin = case_twin(session, model, code, where=where)
    if twin is not None:
        raise Conflict(
            f"{what} {twin!r} already exists: codes may not differ only by case",
            hint=f"alertctl {what} show {twin}",
        )


def opt_in_column(event: Event) -> str:
    """The column of a person's opt-in to an event."""
    return f"opt_{event.value}"


# (column, event) for every event: read for every person of every configuration read.
_OPT_INS = tuple((opt_in_column(e), e.value) for e in Event)


def opted_in_events(person: Person | Row[Any]) -> list[str]:
    """The events a person (a row of the person table, as an object or a plain row) opted into."""
    return [event for column, event in _OPT_INS if getattr(person, column)]


def get_client(session: Session, code: str) -> Client:
    return get_by_code(session, Client, code, "client")


def get_contract(session: Session, code: str) -> Contract:
    return get_by_code(session, Contract, code, "contract")


def find_person(session: Session, kind: PersonKind, code: str) -> Person | None:
    return session.exec(
        select(Person).where(Person.kind == kind.value, Person.code == code)
    ).first()


def get_person(session: Session, kind: PersonKind, code: str) -> Person:
    row = find_person(session, kind, code)
    if row is None:
        hint = unknown_hint(
            session, Person, code, f"{kind.value} list", where=Person.kind == kind.value
        )
        raise NotFound(f"unknown {kind.value} {code!r}", hint=hint)
    return row


def split_path(path: str, child: str, parent: str) -> tuple[str, str]:
    """`PARENT/CODE`, as sites (`CLIENT/SITE`) and services (`CONTRACT/SERVICE`) are named."""
    parts = path.split("/")
    if len(parts) != 2 or not all(parts):
        raise Invalid(f"{child} {path!r} must be written {parent.upper()}/{child.upper()}")
    return parts[0], parts[1]


def get_site(session: Session, client: Client, code: str) -> Site:
    row = session.exec(select(Site).where(Site.client_id == client.id, Site.code == code)).first()
    if row is None:
        hint = unknown_hint(
            session, Site, code, f"site list {client.code}", where=Site.client_id == client.id
        )
        raise NotFound(f"client {client.code!r} has no site {code!r}", hint=hint)
    return row


def get_service(session: Session, contract: Contract, code: str) -> Service:
    row = session.exec(
        select(Service).where(Service.contract_id == contract.id, Service.code == code)
    ).first()
    if row is None:
        hint = unknown_hint(
            session,
            Service,
            code,
            f"service list {contract.code}",
            where=Service.contract_id == contract.id,
        )
        raise NotFound(f"contract {contract.code!r} has no service {code!r}", hint=hint)
    return row


def refuse_if_referenced(session: Session, table_name: str, row_id: Any, label: str) -> None:
    """Refuse to remove a row that any other table still points at, naming what does.

    The referring tables are found from the schema's foreign keys, so a table added later that
    refers to a client (say) is covered without touching this code.
    """
    # The whole schema, request tables included: imported here, not by every command.
    from alertctl.db.tables import metadata

    target = metadata.tables[table_name]
    users: list[str] = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target or table is target:
                continue
            count = session.exec(
                select(func.count()).select_from(table).where(fk.parent == row_id)
            ).one()
            if count:
                noun = table.name.replace("_", " ")
                users.append(counted(count, noun, "people" if noun == "person" else None))
    if users:
        raise Conflict(
            f"{label} is still used by {', '.join(users)}", hint="remove or unlink those first"
        )


def case_twins(session: Session) -> list[str]:
    """Every group of codes that differ only by case, kind by kind (for `config apply`, whose
    bulk writes pass no `ensure_new`)."""
    from alertctl.db.tables import Product, Status

    scoped: list[tuple[str, Any, Any]] = [
        ("client", Client, None),
        ("product", Product, None),
        ("contract", Contract, None),
        ("status", Status, None),
        ("person", Person, Person.kind),
        ("site", Site, Site.client_id),
        ("service", Service, Service.contract_id),
    ]
    found = []
    for what, model, scope in scoped:
        keys = [func.lower(model.code)] + ([scope] if scope is not None else [])
        rows = session.exec(
            select(func.min(model.code), func.max(model.code))
            .group_by(*keys)
            .having(func.count() > 1)
        ).all()
        found += [f"{what} codes that differ only by case: {a}, {b}" for a, b in rows]
    return found


def paged(session: Session, query: Any, limit: int | None) -> tuple[Sequence[Any], int]:
    """The first `limit` rows of a query (all for None), and how many rows it has in all."""
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = session.exec(query if limit is None else query.limit(limit)).all()
    return rows, int(total)


def insert_rows(
    session: Session, table: Any, rows: Sequence[Columns], *, unique: str | None = None
) -> list[int]:
    """Rows written by Core in one INSERT ... RETURNING, their ids in the rows' order: for
    rows that are written many at a time and never read back as objects (a save's record, its
    alerts). `unique`: a column of the table whose values are unique and given in every row,
    by which each id is matched to its row; without it, SQLAlchemy keeps the order by writing
    the rows one statement each on SQLite (its table has no other sentinel)."""
    if not rows:
        return []
    if len(rows) == 1:  # a plain INSERT: the many-rows form costs a save's record a third more
        return [int(session.execute(insert(table).returning(table.c.id), rows[0]).scalar_one())]
    if unique is not None:
        found = session.execute(insert(table).returning(table.c.id, table.c[unique]), rows)
        ids = {value: int(i) for i, value in found}
        return [ids[row[unique]] for row in rows]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.execute(statement, rows).scalars().all()]
