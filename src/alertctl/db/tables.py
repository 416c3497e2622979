"""The tables. Every change here needs an Alembic migration (`db/migrations/versions/`)."""

from datetime import datetime

from pydantic import ConfigDict
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

# Named constraints keep migrations identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class Row(SQLModel):
    """The base of every table class.

    Rows are read from the database and written by the services, never validated by pydantic,
    so its validator is built only if something asks for it: this halves the cost of creating
    the classes, paid by every command at startup.
    """

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]


class Status(Row, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    label: str
    type: str


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


contact_site = Table(
    "contact_site",
    metadata,
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


contract_beneficiary = Table(
    "contract_beneficiary",
    metadata,
    Column("contract_id", Integer, ForeignKey("contract.id"), primary_key=True),
    Column("client_id", Integer, ForeignKey("client.id"), primary_key=True, index=True),
)

contract_product = Table(
    "contract_product",
    metadata,
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


def _interlocutor_table(source: str) -> Table:
    """The interlocutors of one source: which persons are linked to which target."""
    return Table(
        f"{source}_interlocutor",
        metadata,
        Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
        Column("target_id", Integer, ForeignKey(f"{source}.id"), primary_key=True, index=True),
    )


# Keyed by the source names of domain.model.Source.
interlocutor_tables: dict[str, Table] = {
    source: _interlocutor_table(source)
    for source in ("product", "site", "contract", "service", "client")
}


class Request(Row, table=True):
    """A support request (*demande*), as of its latest save."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    service_id: int | None = Field(default=None, foreign_key="service.id", index=True)
    requester_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    title: str
    external_description: str | None = None
    status_id: int = Field(foreign_key="status.id", index=True)
    state: str | None = None
    open_fired: bool = False
    created_at: datetime
    updated_at: datetime


class RequestSave(Row, table=True):
    """One save of a request: what changed, which events it raised, who was superseded."""

    __tablename__ = "request_save"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    save_key: str = Field(unique=True)
    saved_at: datetime
    previous_status_id: int | None = Field(default=None, foreign_key="status.id")
    status_id: int = Field(foreign_key="status.id")
    changes: str = "{}"  # JSON: field -> [old, new]
    events: str = ""  # comma-separated, most specific first
    superseded: str = "[]"  # JSON: the alerts a more specific event of this save replaced


class Alert(Row, table=True):
    """The outbox: one message to one person on one channel, written with the save."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # save key, person, channel: a replayed save adds nothing
    save_id: int = Field(foreign_key="request_save.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    event: str
    # None once the person was erased: the alert stays in the history, without them.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel: str
    address: str
    sources: str  # comma-separated
    subject: str
    text_body: str
    html_body: str | None = None
    status: str = Field(default="pending", index=True)
    created_at: datetime
    # Delivery: a sender claims due alerts with a lease, then records each outcome.
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, index=True)
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    submit_started_at: datetime | None = None  # set before an at-most-once submit
    sent_at: datetime | None = None
    message_id: str | None = None
    last_reply: str | None = None
    raw_message: str | None = None  # the message as it was sent


class AlertAttempt(Row, table=True):
    """One delivery attempt of an alert, with its outcome and the server's reply."""

    __tablename__ = "alert_attempt"
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    owner: str
    finished_at: datetime
    outcome: str  # sent, retry, dead, unknown
    reply: str | None = None


class AlertFault(Row, table=True):
    """An alert that a save should have sent and did not, because of a fault rather than a rule
    (a template that does not render, an address that became invalid): recorded so that it is
    never silent (`alerts stats`, `check`)."""

    __tablename__ = "alert_fault"
    id: int | None = Field(default=None, primary_key=True)
    save_id: int = Field(foreign_key="request_save.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    event: str
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel: str | None = None
    reason: str
    detail: str
    created_at: datetime = Field(index=True)


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
