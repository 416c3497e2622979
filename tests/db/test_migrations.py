"""The shipped migrations: they build the schema the code expects, and upgrade in place."""

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from alertctl.db import migrate
from alertctl.db.engine import Database
from alertctl.db.schema import HEAD_REVISION
from alertctl.db.tables import metadata
from tests.helpers import invoke, ok


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config(Database("sqlite://")))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_the_code_expects_the_newest_migration() -> None:
    assert migrate.head_revision() == HEAD_REVISION == _revisions()[-1]


def test_migrations_on_an_empty_file_build_exactly_the_tables_of_the_code(tmp_path: Path) -> None:
    database = Database(str(tmp_path / "a.db"))
    migrate.upgrade(database)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    database.close()
    assert differences == []


def test_upgrade_step_by_step_from_the_first_revision_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    database = Database(str(path))
    first, *later = _revisions()
    migrate.upgrade(database, first)
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO client (code, name, language) VALUES ('OLD', 'Old', 'fr')")
    for revision in later:
        migrate.upgrade(database, revision)
    database.close()
    ok(path, "init")
    assert "OLD" in ok(path, "client", "list").stdout


def test_a_database_behind_the_code_asks_for_init(tmp_path: Path) -> None:
    path = tmp_path / "behind.db"
    ok(path, "init")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000'")
    result = invoke(path, "client", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: database {path} is at revision 0000, this alertctl needs {HEAD_REVISION}\n"
        "hint: alertctl init\n"
    )


def test_upgrading_clears_what_earlier_versions_left_in_the_free_space(tmp_path: Path) -> None:
    """Earlier versions wrote without secure_delete: a renamed client's old name stayed in the
    file's free space. Migration 0014 rebuilds the file once, since from then on erases and
    purges only empty the WAL (docs/architecture.md, "Privacy")."""
    path = tmp_path / "old.db"
    database = Database(str(path))
    migrate.upgrade(database, "0013")
    database.close()
    with closing(sqlite3.connect(path)) as connection:  # as an earlier version wrote
        connection.execute("PRAGMA secure_delete = OFF")
        for code, name in (("OLD", "Formerly Known"), ("NEW", "Another")):
            connection.execute(
                "INSERT INTO client (code, name, language) VALUES (?, ?, 'fr')", (code, name)
            )
        connection.commit()
        # Longer, so written elsewhere in the page: the old cell is left in its free space.
        connection.execute("UPDATE client SET name = 'Renamed Since, at length' WHERE code = 'OLD'")
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Formerly Known" in path.read_bytes()
    migrate.upgrade(database)
    database.close()
    assert b"Formerly Known" not in path.read_bytes()
    assert "Renamed Since" in ok(path, "client", "list").stdout
