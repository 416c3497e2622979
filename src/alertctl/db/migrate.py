"""Alembic, driven from code: the migration scripts ship inside the package."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from alertctl.db.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["database"] = database
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config(Database("sqlite://"))).get_current_head()


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `revision`; returns the revisions before and after. A database that
    another program or a newer alertctl wrote is refused before anything is written to it."""
    schema = database.inspect_schema()
    schema.refuse_if_not_ours(database.describe())
    if not schema.exists:
        database.create_file()
    with database.refusing_to_write():
        database.enable_wal()
        before = schema.revision
        command.upgrade(alembic_config(database), revision)
    return before, database.current_revision()
