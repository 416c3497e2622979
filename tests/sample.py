"""The configuration of sample-data/setup.sh, built through the same services the CLI calls."""

from alertctl.db.engine import Database
from alertctl.domain.model import Event, Language, MailFormat, PersonKind, Source
from alertctl.services.configuration import catalog, clients, contracts, links, people

CONTACT = PersonKind.CONTACT
COLLABORATOR = PersonKind.COLLABORATOR


def build_sample(db: Database) -> None:
    clients.add_client(db, code="ACME", name="Acme Industries", language=Language.FR)
    clients.add_client(db, code="GLOBEX", name="Globex Corporation", language=Language.EN)
    for event in (Event.OPEN, Event.RESOLUTION):
        clients.set_client_alert(
            db, code="ACME", event=event, enabled=True, keyword="[ACME support]"
        )
    clients.set_client_alert(
        db,
        code="ACME",
        event=Event.CLOSURE_EXTERNAL,
        enabled=True,
        keyword="[ACME support]",
        mail_format=MailFormat.HTML,
    )
    clients.add_site(db, client="ACME", code="PARIS", name="Paris head office", main=True)
    clients.add_site(db, client="ACME", code="LYON", name="Lyon plant", main=False)
    clients.add_site(db, client="GLOBEX", code="SPRINGFIELD", name="Springfield", main=False)

    people.add_person(
        db,
        kind=CONTACT,
        code="alice",
        name="Alice Martin",
        client="ACME",
        sites=["PARIS"],
        email="alice@acme.example",
        fax="+33 1 45 00 00 01",
    )
    people.add_person(
        db,
        kind=CONTACT,
        code="bruno",
        name="Bruno Petit",
        client="ACME",
        sites=["LYON"],
        email="bruno@acme.example",
    )
    people.add_person(
        db, kind=CONTACT, code="fanny", name="Fanny Roux", client="ACME", email="fanny@acme.example"
    )
    people.add_person(
        db, kind=CONTACT, code="erin", name="Erin Jones", client="GLOBEX", fax="+1 217 555 0100"
    )
    people.add_person(
        db, kind=COLLABORATOR, code="jdu", name="Jean Dupont", email="jdu@support.example"
    )
    people.set_opt_ins(db, kind=CONTACT, code="alice", on=[Event.OPEN, Event.RESOLUTION], off=[])
    people.set_opt_ins(
        db, kind=COLLABORATOR, code="jdu", on=[e for e in Event if not e.is_sla], off=[]
    )

    catalog.add_product(db, code="ERP", name="ERP Suite")
    contracts.add_contract(
        db,
        code="K1",
        client="ACME",
        name="ACME premium support",
        products=["ERP"],
        beneficiaries=["GLOBEX"],
    )
    contracts.add_service(db, contract="K1", code="PREMIUM", name="Premium maintenance")

    links.link(db, source=Source.PRODUCT, target="ERP", kind=COLLABORATOR, code="jdu", linked=True)
    links.link(db, source=Source.SITE, target="ACME/LYON", kind=CONTACT, code="bruno", linked=True)
    links.link(db, source=Source.CONTRACT, target="K1", kind=CONTACT, code="alice", linked=True)
    links.link(db, source=Source.CLIENT, target="ACME", kind=CONTACT, code="fanny", linked=True)
    contracts.set_sources(db, code="K1", sources=[Source.PRODUCT, Source.CONTRACT], enabled=True)
