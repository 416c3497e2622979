"""Engagement contracts, their services, and their alert checkboxes (*Gestion des alertes*)."""

from dataclasses import dataclass, fields

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from alertctl.db.engine import Database
from alertctl.db.tables import (
    Client,
    Contract,
    Product,
    Service,
    Site,
    contract_beneficiary,
    contract_product,
)
from alertctl.domain.model import Source
from alertctl.domain.validation import check_code, check_text
from alertctl.errors import Conflict, Invalid
from alertctl.services.common import (
    ensure_new,
    get_by_code,
    get_client,
    get_contract,
    get_service,
    ident,
    refuse_case_twin,
    refuse_if_referenced,
)
from alertctl.services.configuration.links import Interlocutor, interlocutors_of
from alertctl.services.sla.targets import (
    SlaChange,
    SlaTerms,
    contract_terms,
    service_terms,
    set_contract_sla,
    set_service_sla,
)


@dataclass(frozen=True)
class ServiceName:
    code: str
    name: str


@dataclass(frozen=True)
class ContractRow:
    code: str
    name: str
    client: str
    beneficiaries: tuple[str, ...]
    products: tuple[str, ...]
    services: tuple[ServiceName, ...]
    enabled_sources: tuple[Source, ...]


@dataclass(frozen=True)
class TargetEntry:
    target: str
    interlocutors: list[Interlocutor]


@dataclass(frozen=True)
class SourceEntry:
    source: Source
    enabled: bool
    targets: tuple[TargetEntry, ...]


@dataclass(frozen=True)
class ContractDetail(ContractRow):
    sources: tuple[SourceEntry, ...]
    sla: SlaTerms | None = None


@dataclass(frozen=True)
class ServiceRow:
    contract: str
    code: str
    name: str


@dataclass(frozen=True)
class ServiceDetail(ServiceRow):
    interlocutors: list[Interlocutor]
    sla: SlaTerms | None = None


def source_column(source: Source) -> str:
    return f"source_{source.value}"


def add_contract(
    db: Database,
    *,
    code: str,
    client: str,
    name: str | None,
    products: list[str],
    beneficiaries: list[str],
) -> ContractRow:
    """A new contract has every alert source switched off (docs/rules.md, rule 4)."""
    check_code(code, "contract")
    name = check_text(name or code, "name")
    with db.session(write=True) as session:
        ensure_new(session, Contract, code, "contract")
        owner = get_client(session, client)
        product_rows = [
            get_by_code(session, Product, p, "product") for p in dict.fromkeys(products)
        ]
        beneficiary_rows = [get_client(session, b) for b in dict.fromkeys(beneficiaries)]
        if any(b.id == owner.id for b in beneficiary_rows):
            raise Invalid(
                f"client {client!r} holds contract {code!r}: it cannot also be its beneficiary"
            )
        contract = Contract(code=code, client_id=ident(owner.id), name=name)
        session.add(contract)
        session.flush()
        if product_rows:
            session.execute(
                insert(contract_product),
                [{"contract_id": contract.id, "product_id": p.id} for p in product_rows],
            )
        if beneficiary_rows:
            session.execute(
                insert(contract_beneficiary),
                [{"contract_id": contract.id, "client_id": b.id} for b in beneficiary_rows],
            )
        return _contract_rows(session, [contract])[0]


def update_contract(
    db: Database,
    *,
    code: str,
    name: str | None = None,
    products: list[str] | None = None,
    beneficiaries: list[str] | None = None,
    sla: SlaChange | None = None,
) -> ContractRow:
    """Rename a contract, replace the products it covers or its beneficiary clients, or change
    its SLA terms."""
    if name is not None:
        name = check_text(name, "name")
    with db.session(write=True) as session:
        contract = get_contract(session, code)
        if name is not None:
            contract.name = name
            session.add(contract)
        if products is not None:
            rows = [get_by_code(session, Product, p, "product") for p in dict.fromkeys(products)]
            session.execute(
                delete(contract_product).where(contract_product.c.contract_id == contract.id)
            )
            if rows:
                session.execute(
                    insert(contract_product),
                    [{"contract_id": contract.id, "product_id": p.id} for p in rows],
                )
        if beneficiaries is not None:
            clients = [get_client(session, b) for b in dict.fromkeys(beneficiaries)]
            if any(c.id == contract.client_id for c in clients):
                raise Invalid(f"the holder of contract {code!r} cannot also be its beneficiary")
            session.execute(
                delete(contract_beneficiary).where(
                    contract_beneficiary.c.contract_id == contract.id
                )
            )
            if clients:
                session.execute(
                    insert(contract_beneficiary),
                    [{"contract_id": contract.id, "client_id": c.id} for c in clients],
                )
        set_contract_sla(session, contract, sla or SlaChange())
        session.flush()
        return _contract_rows(session, [contract])[0]


def list_contracts(db: Database, *, client: str | None = None) -> list[ContractRow]:
    with db.session(write=False) as session:
        query = select(Contract).order_by(col(Contract.code))
        if client is not None:
            query = query.where(Contract.client_id == get_client(session, client).id)
        return _contract_rows(session, list(session.exec(query).all()))


def remove_contract(db: Database, *, code: str) -> None:
    with db.session(write=True) as session:
        contract = get_contract(session, code)
        # Products covered and beneficiaries are part of the contract itself.
        session.execute(
            delete(contract_product).where(contract_product.c.contract_id == contract.id)
        )
        session.execute(
            delete(contract_beneficiary).where(contract_beneficiary.c.contract_id == contract.id)
        )
        refuse_if_referenced(session, "contract", contract.id, f"contract {code!r}")
        session.delete(contract)


def set_sources(db: Database, *, code: str, sources: list[Source], enabled: bool) -> ContractRow:
    """Tick or untick the contract's checkboxes, one per source."""
    with db.session(write=True) as session:
        contract = get_contract(session, code)
        for source in sources:
            setattr(contract, source_column(source), enabled)
        session.add(contract)
        session.flush()
        return _contract_rows(session, [contract])[0]


def show_contract(db: Database, *, code: str) -> ContractDetail:
    """The contract with, under each of its five sources, the interlocutors that apply to it."""
    with db.session(write=False) as session:
        contract = get_contract(session, code)
        row = _contract_rows(session, [contract])[0]
        return ContractDetail(
            **{f.name: getattr(row, f.name) for f in fields(row)},
            sources=tuple(
                SourceEntry(
                    source,
                    getattr(contract, source_column(source)),
                    _targets_with_interlocutors(session, contract, source),
                )
                for source in Source
            ),
            sla=contract_terms(contract),
        )


def _targets_with_interlocutors(
    session: Session, contract: Contract, source: Source
) -> tuple[TargetEntry, ...]:
    targets = _targets(session, contract, source)
    people = interlocutors_of(session, source.value, [tid for tid, _ in targets])
    return tuple(TargetEntry(name, people[tid]) for tid, name in targets)


def _targets(session: Session, contract: Contract, source: Source) -> list[tuple[int | None, str]]:
    """The objects of one source that can apply to the contract's requests."""
    clients = [contract.client_id, *_beneficiary_ids(session, contract)]
    if source is Source.CONTRACT:
        return [(contract.id, contract.code)]
    if source is Source.PRODUCT:
        rows = session.exec(
            select(Product.id, Product.code)
            .join(contract_product, contract_product.c.product_id == Product.id)
            .where(contract_product.c.contract_id == contract.id)
            .order_by(col(Product.code))
        ).all()
        return list(rows)
    if source is Source.SERVICE:
        rows = session.exec(
            select(Service.id, Service.code)
            .where(Service.contract_id == contract.id)
            .order_by(col(Service.code))
        ).all()
        return [(i, f"{contract.code}/{c}") for i, c in rows]
    if source is Source.SITE:
        sites = session.exec(
            select(Site.id, Client.code, Site.code)
            .join(Client)
            .where(col(Site.client_id).in_(clients))
            .order_by(col(Client.code), col(Site.code))
        ).all()
        return [(i, f"{c}/{s}") for i, c, s in sites]
    rows = session.exec(
        select(Client.id, Client.code).where(col(Client.id).in_(clients)).order_by(col(Client.code))
    ).all()
    return list(rows)


def _beneficiary_ids(session: Session, contract: Contract) -> list[int]:
    return list(
        session.execute(
            select(contract_beneficiary.c.client_id).where(
                contract_beneficiary.c.contract_id == contract.id
            )
        ).scalars()
    )


def _contract_rows(session: Session, contracts: list[Contract]) -> list[ContractRow]:
    """The rows; clients, beneficiaries, products and services in four queries."""
    ids = [c.id for c in contracts]
    clients = dict(session.exec(select(Client.id, Client.code)).all()) if contracts else {}
    products: dict[int | None, list[str]] = {i: [] for i in ids}
    beneficiaries: dict[int | None, list[str]] = {i: [] for i in ids}
    services: dict[int | None, list[ServiceName]] = {i: [] for i in ids}
    if ids:
        for cid, pcode in session.execute(
            select(contract_product.c.contract_id, Product.code)
            .join(Product, Product.id == contract_product.c.product_id)  # type: ignore[arg-type]
            .where(contract_product.c.contract_id.in_(ids))
            .order_by(col(Product.code))
        ).all():
            products[cid].append(pcode)
        for cid, client_id in session.execute(
            select(contract_beneficiary.c.contract_id, contract_beneficiary.c.client_id).where(
                contract_beneficiary.c.contract_id.in_(ids)
            )
        ).all():
            beneficiaries[cid].append(clients[client_id])
        for service in session.exec(
            select(Service).where(col(Service.contract_id).in_(ids)).order_by(col(Service.code))
        ).all():
            services[service.contract_id].append(ServiceName(service.code, service.name))
    return [
        ContractRow(
            code=c.code,
            name=c.name,
            client=clients[c.client_id],
            beneficiaries=tuple(sorted(beneficiaries[c.id])),
            products=tuple(products[c.id]),
            services=tuple(services[c.id]),
            enabled_sources=tuple(s for s in Source if getattr(c, source_column(s))),
        )
        for c in contracts
    ]


# Contract services -----------------------------------------------------------------------------


def add_service(db: Database, *, contract: str, code: str, name: str | None) -> ServiceRow:
    check_code(code, "service")
    name = check_text(name or code, "name")
    with db.session(write=True) as session:
        owner = get_contract(session, contract)
        exists = session.exec(
            select(Service.id).where(Service.contract_id == owner.id, Service.code == code)
        ).first()
        if exists is not None:
            raise Conflict(
                f"contract {contract!r} already has a service {code!r}",
                hint=f"alertctl service update {contract} {code} --name NAME",
            )
        refuse_case_twin(session, Service, code, "service", where=Service.contract_id == owner.id)
        session.add(Service(contract_id=ident(owner.id), code=code, name=name))
        return ServiceRow(contract, code, name)


def update_service(
    db: Database, *, contract: str, code: str, name: str | None, sla: SlaChange | None = None
) -> ServiceRow:
    """Rename a service, or set its own GTI and GTR."""
    with db.session(write=True) as session:
        service = get_service(session, get_contract(session, contract), code)
        if name is not None:
            service.name = check_text(name, "name")
        session.add(service)
        set_service_sla(session, service, sla or SlaChange())
        return ServiceRow(contract, code, service.name)


def list_services(db: Database, *, contract: str | None) -> list[ServiceRow]:
    with db.session(write=False) as session:
        query = (
            select(Service, Contract.code)
            .join(Contract)
            .order_by(col(Contract.code), col(Service.code))
        )
        if contract is not None:
            query = query.where(Contract.id == get_contract(session, contract).id)
        return [ServiceRow(ccode, s.code, s.name) for s, ccode in session.exec(query).all()]


def show_service(db: Database, *, contract: str, code: str) -> ServiceDetail:
    with db.session(write=False) as session:
        service = get_service(session, get_contract(session, contract), code)
        return ServiceDetail(
            contract,
            service.code,
            service.name,
            interlocutors_of(session, "service", [service.id])[service.id],
            service_terms(service),
        )


def remove_service(db: Database, *, contract: str, code: str) -> None:
    with db.session(write=True) as session:
        service = get_service(session, get_contract(session, contract), code)
        refuse_if_referenced(session, "service", service.id, f"service {contract}/{code}")
        session.delete(service)
