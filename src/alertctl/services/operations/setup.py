"""Creating and upgrading the database, with the statuses and templates every setup starts from."""

from dataclasses import dataclass

from sqlmodel import Session, select

from alertctl.db.engine import Database
from alertctl.db.tables import Status, Template
from alertctl.domain.model import DEFAULT_STATUSES
from alertctl.templates.defaults import default_templates


@dataclass(frozen=True)
class InitResult:
    database: str
    before: str | None
    after: str | None
    statuses_added: int
    templates_added: int
    templates_updated: int


def init(db: Database) -> InitResult:
    """Create or upgrade the schema, then add the default statuses and templates that are missing.

    Idempotent: a second run changes nothing. A default status a user removed comes back only
    at creation; a shipped template (which no command edits) is added when missing and brought
    up to this version's wording when it differs.
    """
    from alertctl.db.migrate import upgrade

    before, after = upgrade(db)
    with db.session(write=True) as session:
        statuses = _install_statuses(session) if before is None else 0
        added, updated = _install_templates(session)
    return InitResult(db.describe(), before, after, statuses, added, updated)


def _install_statuses(session: Session) -> int:
    existing = set(session.exec(select(Status.code)).all())
    added = 0
    for code, label, label_en, status_type in DEFAULT_STATUSES:
        if code not in existing:
            session.add(Status(code=code, label=label, label_en=label_en, type=status_type.value))
            added += 1
    return added


def _install_templates(session: Session) -> tuple[int, int]:
    existing = {t.name: t for t in session.exec(select(Template)).all()}
    added = updated = 0
    for template in default_templates():
        current = existing.get(template.name)
        if current is None:
            session.add(
                Template(
                    name=template.name,
                    language=template.language.value,
                    subject=template.subject,
                    text=template.text,
                    html=template.html,
                    builtin=True,
                )
            )
            added += 1
        elif current.builtin and (current.subject, current.text, current.html) != (
            template.subject,
            template.text,
            template.html,
        ):
            current.subject, current.text, current.html = (
                template.subject,
                template.text,
                template.html,
            )
            updated += 1
    return added, updated
