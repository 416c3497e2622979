"""What used to end in "unexpected …": each is now a clear one-line error, and nothing is left
half-written."""

import errno
import io
import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import invoke, ok, refused


def test_a_time_out_of_range(sample_db: Path) -> None:
    refused(
        sample_db,
        ["alerts", "list", "--since", "999999w"],
        2,
        "the time '999999w' is out of range",
    )


def test_a_configuration_on_stdin_that_is_not_utf8(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Stdin(io.TextIOWrapper):
        pass

    monkeypatch.setattr("sys.stdin", Stdin(io.BytesIO(b"\xff\xfe[clients]\n")))
    refused(sample_db, ["config", "apply", "-"], 1, "cannot read stdin: not UTF-8")


def test_a_database_locked_longer_than_the_wait(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alertctl.db import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(sample_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = refused(
            sample_db,
            ["client", "add", "NEW", "--name", "New"],
            1,
            "the database is busy: another command held it longer than this one waits "
            "(database is locked); nothing was written",
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.stderr.splitlines()[1] == "hint: run the command again"


def test_an_export_that_cannot_be_written_leaves_the_file_as_it_was(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "setup.toml"
    target.write_text("the previous export\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = invoke(sample_db, "config", "export", "-o", str(target))
    assert result.exit_code == 1, str(result)
    assert result.stderr.startswith(f"error: cannot write {target}: No space left on device")
    assert target.read_text() == "the previous export\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".setup.toml.")]
    monkeypatch.undo()
    ok(sample_db, "config", "export", "-o", str(target))
    assert target.read_text().startswith("[statuses.")
    assert oct(target.stat().st_mode & 0o777) == "0o600"
