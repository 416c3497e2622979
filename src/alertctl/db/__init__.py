"""Storage: engine, tables, queries, Alembic migrations. Nothing SQLite-only leaves here."""
