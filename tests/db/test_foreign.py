"""A database that is not alertctl's is never touched: another program's SQLite file, another
program's Alembic schema, one written by a newer alertctl, a file that is not SQLite at all.
Every command refuses it with one error and leaves it byte for byte as it was."""

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers import invoke, ok

COMMANDS = [["init"], ["client", "list"], ["client", "add", "X", "--name", "X"]]


def files_beside(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


def assert_refused_untouched(path: Path, message: str) -> None:
    before = files_beside(path)
    for command in COMMANDS:
        result = invoke(path, *command)
        assert result.exit_code == 1, str(result)
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"error: {message}"), str(result)
        assert len(lines) <= 2 and "Traceback" not in result.stderr
        assert files_beside(path) == before, f"{command} changed the folder"


def another_programs_file(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
    connection.close()


def test_another_programs_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    another_programs_file(path)
    assert_refused_untouched(
        path, f"{path} is not an alertctl database (it has other tables: notes)"
    )
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_another_programs_alembic_schema(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    connection.close()
    assert_refused_untouched(
        path, f"{path} is not an alertctl database (its schema revision 'ae1027a6acf'"
    )


def test_a_database_written_by_a_newer_alertctl(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    ok(path, "init")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()
    assert_refused_untouched(path, f"{path} was written by a newer alertctl (schema 0099")


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n" * 100)
    assert_refused_untouched(path, f"cannot read the database {path}: file is not a database")


@pytest.mark.parametrize("command", [["client", "add", "X", "--name", "X"], ["init"]])
def test_an_immutable_database_is_one_clear_error(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "frozen.db"
    ok(path, "init")
    if command == ["init"]:
        # Behind: init has something to write.
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE alembic_version SET version_num = '0003'")
            connection.execute("DROP TABLE alert_fault")
        connection.close()
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        before = path.read_bytes()
        result = invoke(path, *command)
        assert result.exit_code == 1, str(result)
        assert result.stderr.splitlines() == [
            f"error: cannot write the database {path}: attempt to write a readonly database",
            "hint: check the file's permissions and the disk",
        ]
        assert path.read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_foreign_database_whose_version_table_looks_like_ours(tmp_path: Path) -> None:
    """Another program's file with an `alembic_version` that says 0001: init would migrate it
    to ours; it is refused, byte for byte unchanged."""
    path = tmp_path / "lookalike.db"
    another_programs_file(path)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    connection.close()
    assert_refused_untouched(
        path,
        f"{path} is not an alertctl database (its version table says 0001, but it has other "
        "tables: notes)",
    )
    # Only a version table, none of the tables it names.
    bare = tmp_path / "bare.db"
    with sqlite3.connect(bare) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('0004')")
    connection.close()
    assert_refused_untouched(
        bare, f"{bare} is not an alertctl database (its version table says 0004, but it lacks"
    )


def test_the_tables_alertctl_knows_are_its_tables_and_migrations() -> None:
    import re

    from alertctl.db import schema
    from alertctl.db.tables import metadata

    assert set(metadata.tables) | {"alembic_version"} == schema.OUR_TABLES
    first = Path(schema.__file__).parent / "migrations" / "versions"
    created = re.findall(
        r'create_table\(\s*"(\w+)"', (first / "0001_configuration_model.py").read_text()
    )
    assert set(created) == schema.FIRST_TABLES
