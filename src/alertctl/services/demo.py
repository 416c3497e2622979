"""`alertctl demo`: a fresh database with a realistic setup, one request walked from opening to
closure by the client, and every alert delivered into a local Maildir."""

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alertctl.config import DeliverySettings
from alertctl.db.engine import Database
from alertctl.domain.model import Event, Language, MailFormat, PersonKind, Source
from alertctl.services import catalog, clients, contracts, links, people
from alertctl.services.delivery import send_due
from alertctl.services.operator import list_alerts
from alertctl.services.requests import SaveInput, open_request, update_request
from alertctl.services.setup import init

CONTACT, COLLABORATOR = PersonKind.CONTACT, PersonKind.COLLABORATOR

# The demo's request: (status, external description) at each save.
WALK: list[tuple[str | None, str | None]] = [
    (None, "Depuis la mise à jour de lundi, l'édition des factures échoue (erreur 42)."),
    ("WIP", None),
    ("RESOLVED", None),
    ("CLOSED_EXT", None),
]


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    database: Path
    maildir: Path
    alerts: list[dict[str, Any]]


def build_setup(db: Database) -> None:
    """Two clients, three sites, six contacts, two collaborators, two products, two contracts
    with services, links at all five sources, and alerts switched on."""
    clients.add_client(db, code="ACME", name="Acme Industries", language=Language.FR)
    clients.add_client(db, code="GLOBEX", name="Globex Corporation", language=Language.EN)
    for event in (Event.OPEN, Event.RESOLUTION, Event.CLOSURE_EXTERNAL):
        clients.set_client_alert(
            db,
            code="ACME",
            event=event,
            enabled=True,
            keyword="[Support ACME]",
            mail_format=MailFormat.HTML if event is Event.CLOSURE_EXTERNAL else None,
        )
    clients.set_client_alert(db, code="GLOBEX", event=Event.OPEN, enabled=True, keyword="[Globex]")
    for client, code, name in (
        ("ACME", "PARIS", "Siège, Paris"),
        ("ACME", "LYON", "Usine de Lyon"),
        ("GLOBEX", "SPRINGFIELD", "Springfield"),
    ):
        clients.add_site(db, client=client, code=code, name=name, main=False)
    for code, name, client, sites, email, fax, opt_ins in (
        (
            "alice",
            "Alice Martin",
            "ACME",
            ["PARIS"],
            "alice.martin@acme.example",
            "+33 1 45 00 00 01",
            "open,resolution,closure_external",
        ),
        (
            "bruno",
            "Bruno Petit",
            "ACME",
            ["LYON"],
            "bruno.petit@acme.example",
            None,
            "open,status_change",
        ),
        (
            "chloe",
            "Chloé Durand",
            "ACME",
            ["PARIS", "LYON"],
            "chloe.durand@acme.example",
            None,
            "resolution,closure_external",
        ),
        ("fanny", "Fanny Roux", "ACME", [], "fanny.roux@acme.example", None, "open"),
        ("dan", "Dan Smith", "GLOBEX", ["SPRINGFIELD"], "dan.smith@globex.example", None, "open"),
        ("erin", "Erin Jones", "GLOBEX", [], None, "+1 217 555 0100", "open"),
    ):
        people.add_person(
            db, kind=CONTACT, code=code, name=name, client=client, sites=sites, email=email, fax=fax
        )
        people.set_opt_ins(db, kind=CONTACT, code=code, on=_events(opt_ins), off=[])
    people.add_person(
        db, kind=COLLABORATOR, code="jdu", name="Jean Dupont", email="jean.dupont@support.example"
    )
    people.add_person(
        db,
        kind=COLLABORATOR,
        code="mle",
        name="Marie Leroy",
        email="marie.leroy@support.example",
        fax="01 45 00 00 99",
    )
    people.set_opt_ins(db, kind=COLLABORATOR, code="jdu", on=list(Event), off=[])
    people.set_opt_ins(db, kind=COLLABORATOR, code="mle", on=[Event.RESOLUTION], off=[])
    catalog.add_product(db, code="ERP", name="ERP Suite")
    catalog.add_product(db, code="CRM", name="CRM Cloud")
    contracts.add_contract(
        db,
        code="K1",
        client="ACME",
        name="Maintenance premium ACME",
        products=["ERP", "CRM"],
        beneficiaries=["GLOBEX"],
    )
    contracts.add_contract(
        db,
        code="K2",
        client="GLOBEX",
        name="Globex standard support",
        products=["CRM"],
        beneficiaries=[],
    )
    contracts.add_service(db, contract="K1", code="PREMIUM", name="Maintenance premium")
    contracts.add_service(db, contract="K2", code="STANDARD", name="Standard maintenance")
    for source, target, kind, code in (
        (Source.PRODUCT, "ERP", COLLABORATOR, "jdu"),
        (Source.PRODUCT, "CRM", CONTACT, "dan"),
        (Source.SITE, "ACME/LYON", CONTACT, "bruno"),
        (Source.CONTRACT, "K1", CONTACT, "alice"),
        (Source.SERVICE, "K1/PREMIUM", CONTACT, "chloe"),
        (Source.SERVICE, "K1/PREMIUM", COLLABORATOR, "mle"),
        (Source.CLIENT, "ACME", CONTACT, "fanny"),
        (Source.CLIENT, "GLOBEX", CONTACT, "erin"),
    ):
        links.link(db, source=source, target=target, kind=kind, code=code, linked=True)
    contracts.set_sources(db, code="K1", sources=list(Source), enabled=True)
    contracts.set_sources(db, code="K2", sources=[Source.PRODUCT, Source.CONTRACT], enabled=True)


def _events(text: str) -> list[Event]:
    return [Event(e) for e in text.split(",")]


def run_demo(folder: Path) -> DemoResult:
    folder.mkdir(parents=True, exist_ok=True)
    database, maildir = folder / "demo.db", folder / "maildir"
    for stale in folder.glob("demo.db*"):
        stale.unlink()
    shutil.rmtree(maildir, ignore_errors=True)
    db = Database(str(database))
    try:
        init(db)
        build_setup(db)
        for number, (status, description) in enumerate(WALK):
            change = SaveInput(reference="DEM-1", status=status, external_description=description)
            if number == 0:
                change.contract, change.product, change.site = "K1", "ERP", "LYON"
                change.service, change.title = "PREMIUM", "Édition des factures impossible"
                change.requester = "bruno"
                open_request(db, change)
            else:
                update_request(db, change)
        settings = DeliverySettings(sender="Support <support@example.com>", maildir=str(maildir))
        send_due(db, settings)
        return DemoResult(folder, database, maildir, list_alerts(db, request="DEM-1"))
    finally:
        db.close()
