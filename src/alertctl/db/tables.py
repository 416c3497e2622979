"""The tables. Every change here needs an Alembic migration (`db/migrations/versions/`).

The configuration's tables are here; the request's and the outbox's are in
`db/request_tables.py`, created when first imported from this module (`__getattr__` below),
as is the complete `metadata`.
"""

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Table,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

from alertctl.db.row import Row, partial_metadata

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    # Re-exported: imported from here, they are created on first use (see `__getattr__`).
    from alertctl.db.request_tables import Alert as Alert
    from alertctl.db.request_tables import AlertAttempt as AlertAttempt
    from alertctl.db.request_tables import AlertFault as AlertFault
    from alertctl.db.request_tables import Request as Request
    from alertctl.db.request_tables import RequestSave as RequestSave
    from alertctl.db.request_tables import SenderBeat as SenderBeat
    from alertctl.db.request_tables import SlaClock as SlaClock

    metadata: MetaData

_REQUEST_TABLES = frozenset(
    {"Request", "RequestSave", "Alert", "AlertAttempt", "AlertFault", "SenderBeat", "SlaClock"}
)


def __getattr__(name: str) -> Any:
    """The request's and the outbox's tables, created on first use; `metadata`, with every
    table in it (for what walks the whole schema: migrations, the check of what still refers
    to a row)."""
    if name in _REQUEST_TABLES or name == "metadata":
        from alertctl.db import request_tables

        return partial_metadata if name == "metadata" else getattr(request_tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Status(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    label: str  # in French, as the ERP names it
    label_en: str | None = None  # in English alerts; the French label when there is none
    type: str

    def label_in(self, language: str) -> str:
        return (self.label_en or self.label) if language == "en" else self.label


class Template(Row, table=True):
    """An alert mail template (*modèle de mail de type ALERTE*)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    language: str
    subject: str
    text: str
    html: str | None = None
    builtin: bool = False


class Client(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    language: str = "fr"
    # Coalesced status changes (minutes; None: the defaults, 0 idle: none) and the events that
    # go through quiet hours, digests and caps (comma-separated; None: the defaults').
    coalesce_idle_minutes: int | None = None
    coalesce_max_minutes: int | None = None
    urgent: str | None = None


class Site(Row, table=True):
    __table_args__ = (
        UniqueConstraint("client_id", "code", name="uq_site_client_code"),
        # At most one main site per client, whatever writes the table.
        Index(
            "uq_site_one_main",
            "client_id",
            unique=True,
            sqlite_where=text("is_main"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    code: str
    name: str
    is_main: bool = False


class ClientAlertSetting(Row, table=True):
    """One event of a client's *Alertes support* tab."""

    __tablename__ = "client_alert_setting"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    event: str = Field(primary_key=True)
    enabled: bool = False
    keyword: str | None = None
    template_id: int | None = Field(default=None, foreign_key="template.id")
    format: str = "text"


class Person(Row, table=True):
    """A contact (a person at a client) or a collaborator (of the support organisation).

    Both kinds share one table because they carry the same alert facts; codes are unique per kind.
    """

    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_person_kind_code"),
        CheckConstraint(
            "(kind = 'contact' AND client_id IS NOT NULL) "
            "OR (kind = 'collaborator' AND client_id IS NULL)",
            name="client_of_contacts_only",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    code: str
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    name: str
    email: str | None = None
    fax: str | None = None
    email_active: bool = False
    fax_active: bool = False
    active: bool = True
    # Their own language for alerts; None: their client's (a collaborator: the request's client's).
    language: str | None = None
    opt_open: bool = False
    opt_resolution: bool = False
    opt_closure_external: bool = False
    opt_closure_internal: bool = False
    opt_status_change: bool = False
    opt_gti_warning: bool = False
    opt_gti_breach: bool = False
    opt_gtr_warning: bool = False
    opt_gtr_breach: bool = False
    # Noise control (docs/rules.md, "Holding alerts"); None: the defaults of their kind.
    quiet_hours: str | None = None  # as written; "" for none at all, whatever their kind's
    zone: str | None = None  # of their quiet hours and digest; None: the defaults' zone
    digest: str | None = None  # "daily 08:00", "weekly mon 08:00"; None: immediate
    cap_per_hour: int | None = None


contact_site = Table(
    "contact_site",
    partial_metadata,
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("site_id", Integer, ForeignKey("site.id"), primary_key=True, index=True),
)


class Product(Row, table=True):
    """A maintained product (*produit maintenu*)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str


class Contract(Row, table=True):
    """An engagement contract; `source_*` are its *Gestion des alertes* checkboxes."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    name: str
    source_product: bool = False
    source_site: bool = False
    source_contract: bool = False
    source_service: bool = False
    source_client: bool = False
    # Its SLA (docs/rules.md, "SLA clocks"): targets in business minutes, counted on a calendar
    # (named; none: every hour counts), and when a clock's warning fires: a share of the target
    # used, or a time left, whichever comes first (None: 75 % and 120 minutes).
    calendar: str | None = None
    gti_minutes: int | None = None
    gtr_minutes: int | None = None
    warn_percent: int | None = None
    warn_left_minutes: int | None = None


class Calendar(Row, table=True):
    """A business calendar: opening hours per weekday in a time zone, and the days it is closed
    (a country's public holidays, extra dates)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    zone: str
    hours: str  # as written: "mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00"
    country: str | None = None
    region: str | None = None
    closed: str = ""  # ISO dates, comma-separated


contract_beneficiary = Table(
    "contract_beneficiary",
    partial_metadata,
    Column("contract_id", Integer, ForeignKey("contract.id"), primary_key=True),
    Column("client_id", Integer, ForeignKey("client.id"), primary_key=True, index=True),
)

contract_product = Table(
    "contract_product",
    partial_metadata,
    Column("contract_id", Integer, ForeignKey("contract.id"), primary_key=True),
    Column("product_id", Integer, ForeignKey("product.id"), primary_key=True, index=True),
)


class Service(Row, table=True):
    """A contract service (*prestation*)."""

    __table_args__ = (UniqueConstraint("contract_id", "code", name="uq_service_contract_code"),)
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    code: str
    name: str
    # Its own SLA targets, which win over the contract's (business minutes).
    gti_minutes: int | None = None
    gtr_minutes: int | None = None


def _interlocutor_table(source: str) -> Table:
    """The interlocutors of one source: which persons are linked to which target."""
    return Table(
        f"{source}_interlocutor",
        partial_metadata,
        Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
        Column("target_id", Integer, ForeignKey(f"{source}.id"), primary_key=True, index=True),
    )


# Keyed by the source names of domain.model.Source.
interlocutor_tables: dict[str, Table] = {
    source: _interlocutor_table(source)
    for source in ("product", "site", "contract", "service", "client")
}


class NoiseSettings(Row, table=True):
    """One row: the defaults of noise control (docs/rules.md, "Holding alerts")."""

    __tablename__ = "noise_settings"
    id: int | None = Field(default=None, primary_key=True)
    coalesce_idle_minutes: int = 2
    coalesce_max_minutes: int = 10
    contact_quiet_hours: str | None = None
    collaborator_quiet_hours: str | None = None
    zone: str = "UTC"
    cap_per_hour: int | None = None
    urgent: str = "gti_breach,gtr_breach"


class ConfigState(Row, table=True):
    """One row: a counter that database triggers raise at every write to a configuration table
    (migration 0007), and the file `config apply` last applied, with the counter as it left
    it. The same file again with the counter unchanged has nothing to change."""

    __tablename__ = "config_state"
    id: int | None = Field(default=None, primary_key=True)
    generation: int = 0
    applied_digest: str | None = None
    applied_generation: int | None = None


def speak_postgresql() -> None:
    """Give the partial index its PostgreSQL spelling, once a PostgreSQL database is opened.

    Spelled in the class, `postgresql_where` would import SQLAlchemy's PostgreSQL dialect in
    every command, SQLite users' included.
    """
    one_main = next(i for i in Site.__table__.indexes if i.name == "uq_site_one_main")  # type: ignore[attr-defined]
    one_main.dialect_kwargs["postgresql_where"] = text("is_main")
