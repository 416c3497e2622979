"""The request and outbox tables are created on first use: a command on the configuration does
not pay for them, and whatever walks the whole schema still sees every table."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ok


def loaded_after(db: Path, args: list[str]) -> str:
    probe = (
        "import io, sys, contextlib\n"
        "from alertctl.cli.app import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = run({['--db', str(db), *args]!r})\n"
        "print(code, 'alertctl.db.request_tables' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "args",
    [["client", "list"], ["client", "show", "ACME"], ["contact", "list"], ["product", "list"]],
)
def test_configuration_commands_do_not_create_the_request_tables(
    sample_db: Path, args: list[str]
) -> None:
    assert loaded_after(sample_db, args) == "0 False"


def test_request_commands_and_the_whole_schema_get_them(sample_db: Path) -> None:
    assert loaded_after(sample_db, ["request", "list"]) == "0 True"
    probe = "from alertctl.db.tables import metadata; print(sorted(metadata.tables))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    for table in ("request", "request_save", "alert", "alert_attempt", "alert_fault", "client"):
        assert f"'{table}'" in done.stdout


def test_a_product_still_used_by_a_request_is_not_removed(sample_db: Path) -> None:
    """Removal checks every table that refers to the row, the request tables included, in a
    process where the product commands had not imported them."""
    ok(sample_db, "product", "add", "P9")  # linked to nothing but the request below
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--product", "P9", "--title", "T")
    command = ["-m", "alertctl", "--db", str(sample_db), "product", "remove", "P9", "--yes"]
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True)
    assert done.returncode != 0
    assert "still used by 1 request" in done.stderr, done.stderr


def test_every_request_table_is_handed_out_by_the_tables_module() -> None:
    from alertctl.db import request_tables, tables
    from alertctl.db.row import Row

    defined = {
        name
        for name, value in vars(request_tables).items()
        if isinstance(value, type) and issubclass(value, Row) and value is not Row
    }
    assert defined == set(tables._REQUEST_TABLES)
    for name in defined:
        assert getattr(tables, name) is getattr(request_tables, name)
