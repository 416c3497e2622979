"""Maintained products and configurable statuses: plain code lists."""

from dataclasses import dataclass

from sqlmodel import col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Product, Status
from alertctl.domain.model import StatusType
from alertctl.domain.validation import check_code, check_text
from alertctl.errors import Conflict, Invalid
from alertctl.services.common import ensure_new, get_by_code, refuse_if_referenced
from alertctl.services.configuration.links import Interlocutor


@dataclass(frozen=True)
class ProductRow:
    code: str
    name: str


@dataclass(frozen=True)
class ProductDetail(ProductRow):
    interlocutors: list[Interlocutor]


@dataclass(frozen=True)
class StatusRow:
    code: str
    label: str
    type: StatusType
    label_en: str | None = None  # in English alerts (the label when there is none)


@dataclass(frozen=True)
class StatusDetail(StatusRow):
    requests: int = 0


def add_product(db: Database, *, code: str, name: str | None) -> ProductRow:
    check_code(code, "product")
    name = check_text(name or code, "name")
    with db.session(write=True) as session:
        ensure_new(session, Product, code, "product")
        product = Product(code=code, name=name)
        session.add(product)
        return ProductRow(code, name)


def update_product(db: Database, *, code: str, name: str) -> ProductRow:
    name = check_text(name, "name")
    with db.session(write=True) as session:
        product = get_by_code(session, Product, code, "product")
        product.name = name
        session.add(product)
        return ProductRow(code, name)


def list_products(db: Database) -> list[ProductRow]:
    with db.session(write=False) as session:
        rows = session.exec(select(Product).order_by(col(Product.code))).all()
        return [ProductRow(p.code, p.name) for p in rows]


def show_product(db: Database, *, code: str) -> ProductDetail:
    from alertctl.services.configuration.links import interlocutors_of

    with db.session(write=False) as session:
        product = get_by_code(session, Product, code, "product")
        return ProductDetail(
            product.code,
            product.name,
            interlocutors_of(session, "product", [product.id])[product.id],
        )


def remove_product(db: Database, *, code: str) -> None:
    with db.session(write=True) as session:
        product = get_by_code(session, Product, code, "product")
        refuse_if_referenced(session, "product", product.id, f"product {code!r}")
        session.delete(product)


def add_status(
    db: Database,
    *,
    code: str,
    label: str | None,
    status_type: StatusType,
    label_en: str | None = None,
) -> StatusRow:
    check_code(code, "status")
    label = check_text(label or code, "label")
    label_en = check_text(label_en, "label") if label_en is not None else None
    with db.session(write=True) as session:
        ensure_new(session, Status, code, "status")
        session.add(Status(code=code, label=label, label_en=label_en, type=status_type.value))
        return StatusRow(code, label, status_type, label_en)


def update_status(
    db: Database,
    *,
    code: str,
    label: str | None = None,
    status_type: StatusType | None = None,
    label_en: str | None = None,
) -> StatusRow:
    """A new label, or a new type: the next saves of requests in the status raise their events
    by the new type."""
    if label is None and status_type is None and label_en is None:
        raise Invalid("nothing to change: give --label, --label-en or --type")
    with db.session(write=True) as session:
        status = get_by_code(session, Status, code, "status")
        if label is not None:
            status.label = check_text(label, "label")
        if status_type is not None:
            status.type = status_type.value
        if label_en is not None:
            status.label_en = check_text(label_en, "label")
        session.add(status)
        return _status_row(status)


def list_statuses(db: Database) -> list[StatusRow]:
    order = {t.value: i for i, t in enumerate(StatusType)}
    with db.session(write=False) as session:
        rows = session.exec(select(Status)).all()
        rows = sorted(rows, key=lambda s: (order.get(s.type, 99), s.code))
        return [_status_row(s) for s in rows]


def show_status(db: Database, *, code: str) -> StatusDetail:
    from sqlalchemy import func

    from alertctl.db.tables import Request

    with db.session(write=False) as session:
        status = get_by_code(session, Status, code, "status")
        requests = session.exec(
            select(func.count()).select_from(Request).where(Request.status_id == status.id)
        ).one()
        return StatusDetail(**vars(_status_row(status)), requests=requests)


def _status_row(status: Status) -> StatusRow:
    return StatusRow(status.code, status.label, StatusType(status.type), status.label_en)


def remove_status(db: Database, *, code: str) -> None:
    with db.session(write=True) as session:
        status = get_by_code(session, Status, code, "status")
        refuse_if_referenced(session, "status", status.id, f"status {code!r}")
        others = session.exec(
            select(Status.id).where(Status.type == status.type, Status.id != status.id)
        ).first()
        if status.type == StatusType.CREATED.value and others is None:
            # New requests take the first status of type created: without one, none can open.
            raise Conflict(
                f"status {code!r} is the only one of type created, which new requests take",
                hint="alertctl status add CODE --type created, first",
            )
        session.delete(status)
