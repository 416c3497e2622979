"""The base of every table class, and the schema's one MetaData."""

from pydantic import ConfigDict
from sqlalchemy import MetaData
from sqlmodel import SQLModel

# Named constraints keep migrations identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Complete only once every table module is imported: `alertctl.db.tables.metadata` is.
partial_metadata: MetaData = SQLModel.metadata


class Row(SQLModel):
    """The base of every table class.

    Rows are read from the database and written by the services, never validated by pydantic,
    so its validator is built only if something asks for it: this halves the cost of creating
    the classes, paid by every command at startup.
    """

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]
