"""Lookups by code and the checks every service shares."""

from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from alertctl.db.tables import Client, Contract, Person, Service, Site, metadata
from alertctl.domain.model import PersonKind
from alertctl.errors import Conflict, Invalid, NotFound

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
        raise NotFound(f"unknown {what} {code!r}", hint=f"alertctl {what} list")
    return row


def ensure_new(session: Session, model: type[SQLModel], code: str, what: str) -> None:
    if find_by_code(session, model, code) is not None:
        raise Conflict(f"{what} {code!r} already exists", hint=f"alertctl {what} show {code}")


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
        raise NotFound(f"unknown {kind.value} {code!r}", hint=f"alertctl {kind.value} list")
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
        raise NotFound(
            f"client {client.code!r} has no site {code!r}", hint=f"alertctl site list {client.code}"
        )
    return row


def get_service(session: Session, contract: Contract, code: str) -> Service:
    row = session.exec(
        select(Service).where(Service.contract_id == contract.id, Service.code == code)
    ).first()
    if row is None:
        raise NotFound(
            f"contract {contract.code!r} has no service {code!r}",
            hint=f"alertctl service list {contract.code}",
        )
    return row


def refuse_if_referenced(session: Session, table_name: str, row_id: Any, label: str) -> None:
    """Refuse to remove a row that any other table still points at, naming what does.

    The referring tables are found from the schema's foreign keys, so a table added later that
    refers to a client (say) is covered without touching this code.
    """
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
                users.append(f"{count} {table.name.replace('_', ' ')}")
    if users:
        raise Conflict(
            f"{label} is still used by {', '.join(users)}", hint="remove or unlink those first"
        )
