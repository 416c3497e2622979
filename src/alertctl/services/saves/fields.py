"""A save's fields: set the ones it names, then check that they hold together, and record what
changed as codes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session, select

from alertctl.db.tables import (
    Client,
    Contract,
    Person,
    Product,
    Request,
    Service,
    Site,
    Status,
    contract_beneficiary,
    contract_product,
)
from alertctl.domain.model import PersonKind
from alertctl.domain.validation import check_length, check_text
from alertctl.errors import Invalid, NotFound
from alertctl.services.common import (
    get_by_code,
    get_client,
    get_contract,
    get_person,
    get_service,
    get_site,
    ident,
)
from alertctl.services.results import Record
from alertctl.services.saves.feed_memory import FeedMemory, fact, row


@dataclass
class SaveInput:
    """One save of a request. None leaves a field as it is; an empty string clears it."""

    reference: str
    contract: str | None = None
    client: str | None = None
    site: str | None = None
    product: str | None = None
    service: str | None = None
    title: str | None = None
    external_description: str | None = None
    status: str | None = None
    state: str | None = None
    requester: str | None = None
    save_id: str | None = None
    time: datetime | None = None
    # Hand the request over to another client (its contract, site or client names another):
    # refused unless asked for, since the new client's people would read what the first
    # client wrote.
    move: bool = False


def apply_fields(
    session: Session,
    request: Request,
    change: SaveInput,
    warnings: list[str],
    memory: FeedMemory | None = None,
) -> None:
    """Set the fields the save names, then check that they hold together."""
    held_by = request.client_id or None  # None: a new request, which any client may take
    if change.contract is not None:
        request.contract_id = (
            _code_id(session, memory, "contract", change.contract, get_contract)
            if change.contract
            else None
        )
    if change.client is not None:
        request.client_id = _code_id(session, memory, "client", change.client, get_client)
    elif change.contract:
        contract = row(session, memory, Contract, request.contract_id)
        assert contract is not None
        if not request.client_id or not _may_use(session, memory, contract, request.client_id):
            request.client_id = contract.client_id
    if change.title is not None:
        request.title = check_text(change.title, "title")
    if change.external_description is not None:
        request.external_description = _multiline(change.external_description) or None
    if change.status is not None:
        request.status_id = _code_id(session, memory, "status", change.status, _get_status)
    if change.state is not None:
        request.state = check_text(change.state, "state", required=False) or None
    client = row(session, memory, Client, request.client_id)
    assert client is not None
    if held_by is not None and held_by != request.client_id:
        _check_move(session, request, change, held_by, client, warnings)
    if change.site is not None:
        request.site_id = _site_id(session, memory, client, change.site) if change.site else None
    if change.product is not None:
        request.product_id = (
            _code_id(session, memory, "product", change.product, _get_product)
            if change.product
            else None
        )
    if change.service is not None:
        request.service_id = (
            _service_id(session, memory, request, change.service) if change.service else None
        )
    if change.requester is not None:
        request.requester_id = (
            _code_id(session, memory, "contact", change.requester, _get_contact)
            if change.requester
            else None
        )
    _check_consistency(session, memory, request, client, warnings)


def _check_move(
    session: Session,
    request: Request,
    change: SaveInput,
    held_by: int,
    client: Client,
    warnings: list[str],
) -> None:
    """A save that gives the request another client: refused unless `move` asks for it; then
    said, and recorded with the save (its change of client)."""
    first = session.get(Client, held_by)
    was = first.code if first is not None else "?"
    if not change.move:
        by = f"contract {change.contract!r}" if change.contract else f"client {client.code!r}"
        raise Invalid(
            f"request {request.reference} is client {was}'s: {by} would hand it over to client "
            f"{client.code}, whose people would read what {was} wrote",
            hint=f"to hand it over on purpose: alertctl request update {request.reference} "
            f'... --move (a feed line: "move": true)',
        )
    warnings.append(f"request {request.reference} moved from client {was} to client {client.code}")


def _code_id(
    session: Session,
    memory: FeedMemory | None,
    what: str,
    code: str,
    get: Callable[[Session, str], Any],
    *scope: Any,
) -> int:
    """The id of the row a save names by its code (within `scope`, the parent of a site or a
    service), looked up once per transaction of a feed, which names the same few codes on
    every line."""
    return fact(memory, ("code", what, code, *scope), lambda: ident(get(session, code).id))


def _get_status(session: Session, code: str) -> Status:
    return get_by_code(session, Status, code, "status")


def _get_product(session: Session, code: str) -> Product:
    return get_by_code(session, Product, code, "product")


def _get_contact(session: Session, code: str) -> Person:
    return get_person(session, PersonKind.CONTACT, code)


def _multiline(value: str) -> str:
    """A description may span lines, but carries no other control character."""
    check_length(value, "external description")
    for line in value.replace("\r\n", "\n").split("\n"):
        check_text(line.replace("\t", " "), "external description", required=False)
    return value.replace("\r\n", "\n").strip()


def _site_id(session: Session, memory: FeedMemory | None, client: Client, code: str) -> int:
    """The site a save names: one of its client's (the same lookup as `link site`, worded for a
    request, where a wrong site is a bad value rather than an unknown one)."""
    try:
        return _code_id(
            session, memory, "site", code, lambda s, c: get_site(s, client, c), client.id
        )
    except NotFound:
        raise Invalid(
            f"site {code!r} is not a site of client {client.code!r}",
            hint=f"alertctl site list {client.code}",
        ) from None


def _service_id(session: Session, memory: FeedMemory | None, request: Request, code: str) -> int:
    contract = row(session, memory, Contract, request.contract_id) if request.contract_id else None
    if contract is None:
        raise Invalid("a service needs a contract", hint="add --contract CONTRACT")
    try:
        return _code_id(
            session, memory, "service", code, lambda s, c: get_service(s, contract, c), contract.id
        )
    except NotFound:
        raise Invalid(
            f"service {code!r} is not a service of contract {contract.code!r}",
            hint=f"alertctl service list {contract.code}",
        ) from None


def _may_use(
    session: Session, memory: FeedMemory | None, contract: Contract, client_id: int
) -> bool:
    if contract.client_id == client_id:
        return True
    return _linked(session, memory, contract_beneficiary, contract, client_id)


def _covers(
    session: Session, memory: FeedMemory | None, contract: Contract, product_id: int
) -> bool:
    return _linked(session, memory, contract_product, contract, product_id)


def _linked(
    session: Session, memory: FeedMemory | None, table: Table, contract: Contract, other_id: int
) -> bool:
    """Whether a contract's link table (its beneficiaries, its products) holds `other_id`."""
    contract_id, other = table.c.contract_id, list(table.c)[1]

    def read() -> bool:
        query = select(other).where(contract_id == contract.id, other == other_id)
        return session.execute(query).first() is not None

    return fact(memory, (table.name, contract.id, other_id), read)


def _check_consistency(
    session: Session,
    memory: FeedMemory | None,
    request: Request,
    client: Client,
    warnings: list[str],
) -> None:
    contract = row(session, memory, Contract, request.contract_id) if request.contract_id else None
    if contract is not None and not _may_use(session, memory, contract, ident(client.id)):
        raise Invalid(
            f"client {client.code!r} is neither the client nor a beneficiary of contract "
            f"{contract.code!r}",
            hint=f"alertctl contract show {contract.code}",
        )
    if request.site_id is not None:
        site = row(session, memory, Site, request.site_id)
        if site is None or site.client_id != client.id:
            raise Invalid(
                f"the request's site is not a site of client {client.code!r}",
                hint="give one of its sites with --site SITE, or clear it with --site ''",
            )
    if request.service_id is not None:
        service = row(session, memory, Service, request.service_id)
        if contract is None or service is None or service.contract_id != contract.id:
            raise Invalid(
                "the request's service is not a service of its contract",
                hint="give one of its services with --service SERVICE, or clear it with "
                "--service ''",
            )
    if (
        contract is not None
        and request.product_id is not None
        and not _covers(session, memory, contract, request.product_id)
    ):
        product = row(session, memory, Product, request.product_id)
        assert product is not None
        warnings.append(f"contract {contract.code} does not cover product {product.code}")
    if request.requester_id is not None:
        requester = row(session, memory, Person, request.requester_id)
        if requester is not None and requester.client_id != client.id:
            warnings.append(f"requester {requester.code} is not a contact of client {client.code}")


def field_codes(session: Session, request: Request, memory: FeedMemory | None = None) -> Record:
    """The request's fields as codes, to record what each save changed."""

    def code_of(model: Any, row_id: int | None) -> str | None:
        if row_id is None:
            return None

        def read() -> str | None:
            found = session.get(model, row_id)
            return getattr(found, "code", None) if found is not None else None

        return fact(memory, ("code of", model.__name__, row_id), read)

    return {
        "contract": code_of(Contract, request.contract_id),
        "client": code_of(Client, request.client_id),
        "site": code_of(Site, request.site_id),
        "product": code_of(Product, request.product_id),
        "service": code_of(Service, request.service_id),
        "requester": code_of(Person, request.requester_id),
        "title": request.title,
        "external_description": request.external_description,
        "status": code_of(Status, request.status_id),
        "state": request.state,
    }


def diff(old: Record, new: Record) -> dict[str, list[Any]]:
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
