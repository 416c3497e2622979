"""Alembic environment: runs on the connection of alertctl's own Database."""

from alembic import context

from alertctl.db.engine import Database
from alertctl.db.tables import metadata

config = context.config
database: Database = config.attributes.get("database") or Database(
    config.get_main_option("sqlalchemy.url") or ""
)

with database.engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
