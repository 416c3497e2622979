import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import invoke, ok


def test_init_creates_an_owner_only_database_then_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "new" / "alertctl.db"
    db.parent.mkdir()
    first = ok(db, "init")
    assert first.stderr == (f"created {db} (schema 0014)\ninstalled 6 statuses and 18 templates\n")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    second = ok(db, "init")
    assert second.stderr == f"{db} is up to date (schema 0014)\n"
    statuses = json.loads(ok(db, "status", "list", "--json").stdout)
    assert [s["type"] for s in statuses] == [
        "created",
        "in_progress",
        "suspended",
        "resolved",
        "closed_external",
        "closed_internal",
    ]


def test_commands_on_a_missing_database_say_to_run_init(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    result = invoke(db, "client", "list")
    assert result.exit_code == 1
    assert result.stderr == f"error: no database at {db}\nhint: alertctl init\n"
    assert not db.exists()


def test_an_empty_file_is_not_taken_for_a_database(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    for command in (["client", "list"], ["init"]):
        result = invoke(db, *command)
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: {db} is an empty file, not an alertctl database; it was left as it was\n"
            "hint: remove it, or choose another path with --db\n"
        )
        assert db.read_bytes() == b""


def test_db_path_follows_flag_then_environment_then_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flagged = ok(tmp_path / "flag.db", "db", "path")
    assert flagged.stdout == f"{tmp_path / 'flag.db'}\n"
    assert flagged.stderr == "from: --db\n"

    from alertctl.cli.app import run

    (tmp_path / "alertctl.toml").write_text('[database]\nurl = "from-file.db"\n')
    assert run(["db", "path"]) == 0
    monkeypatch.setenv("ALERTCTL_DB", str(tmp_path / "env.db"))
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        run(["db", "path"])
    assert out.getvalue() == f"{tmp_path / 'env.db'}\n"
    assert err.getvalue() == "from: ALERTCTL_DB\n"
    monkeypatch.delenv("ALERTCTL_DB")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        run(["db", "path"])
    assert out.getvalue() == "from-file.db\n"
    assert err.getvalue() == "from: alertctl.toml\n"


def test_default_database_lives_in_the_user_data_folder(tmp_path: Path) -> None:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from alertctl.cli.app import run

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert run(["db", "path"]) == 0
    assert out.getvalue() == f"{tmp_path / 'data' / 'alertctl' / 'alertctl.db'}\n"
    assert err.getvalue() == "from: default\n"


def test_dry_run_checks_everything_and_writes_nothing(db_path: Path) -> None:
    result = ok(db_path, "--dry-run", "client", "add", "ACME")
    assert result.stderr == "added client ACME\ndry run: nothing was written\n"
    assert ok(db_path, "client", "list", "--json").stdout == "[]\n"
    refused = invoke(db_path, "--dry-run", "site", "add", "NOPE", "PARIS")
    assert refused.exit_code == 1


def test_databases_that_cannot_be_used_are_refused_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, not even close" * 10)
    cases = [
        (
            junk,
            ["client", "list"],
            f"error: cannot read the database {junk}: file is not a database\n",
        ),
        (junk, ["init"], f"error: cannot read the database {junk}: file is not a database\n"),
        (
            Path("/proc/alertctl/x.db"),
            ["init"],
            "error: cannot create the database /proc/alertctl/x.db: folder /proc/alertctl does not "
            "exist\nhint: mkdir -p /proc/alertctl, or give another path\n",
        ),
    ]
    for db, args, message in cases:
        before = db.read_bytes() if db.exists() else None
        result = invoke(db, *args)
        assert (result.exit_code, result.stderr) == (1, message)
        assert (db.read_bytes() if db.exists() else None) == before
    import io
    from contextlib import redirect_stderr

    from alertctl.cli.app import run

    err = io.StringIO()
    with redirect_stderr(err):
        assert run(["--db", "nosuchdialect://x", "client", "list"]) == 1
    assert err.getvalue().startswith("error: not a database URL: 'nosuchdialect://x'")
