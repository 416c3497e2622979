"""Loading what a preview needs takes the same number of queries whatever the database holds."""

from pathlib import Path
from typing import Any

from sqlalchemy import event

from alertctl.db.engine import Database
from alertctl.domain.model import Event, PersonKind, Source
from alertctl.services.configuration import links, people
from alertctl.services.saves import preview as alerts
from alertctl.services.saves.fields import SaveInput
from alertctl.services.saves.requests import open_request


def count_queries(db: Database, work: Any) -> int:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_preview_queries_do_not_grow_with_the_people_linked(sample_db: Path) -> None:
    db = Database(str(sample_db))
    open_request(
        db, SaveInput(reference="R1", contract="K1", product="ERP", site="LYON", title="T")
    )
    small = count_queries(db, lambda: alerts.preview(db, reference="R1"))
    for i in range(40):
        code = f"extra{i}"
        people.add_person(
            db,
            kind=PersonKind.CONTACT,
            code=code,
            name=None,
            client="ACME",
            sites=["PARIS"],
            email=f"{code}@acme.example",
        )
        people.set_opt_ins(db, kind=PersonKind.CONTACT, code=code, on=list(Event), off=[])
        for source, target in (
            (Source.PRODUCT, "ERP"),
            (Source.CLIENT, "ACME"),
            (Source.SITE, "ACME/LYON"),
        ):
            links.link(
                db, source=source, target=target, kind=PersonKind.CONTACT, code=code, linked=True
            )
    for i in range(30):
        open_request(db, SaveInput(reference=f"X{i}", contract="K1", title="T"))
    large = count_queries(db, lambda: alerts.preview(db, reference="R1"))
    preview = alerts.preview(db, reference="R1", event=Event.OPEN)
    db.close()
    assert len(preview.events[0].recipients) > 40
    assert large == small
