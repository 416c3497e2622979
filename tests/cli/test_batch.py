"""`alertctl batch`: many command lines in one process and one transaction, all or nothing."""

import shlex
from pathlib import Path

import pytest

from tests.helpers import database_bytes, invoke, ok

SAMPLE = Path(__file__).resolve().parents[2] / "sample-data" / "setup.batch"


def lines_of(path: Path) -> list[list[str]]:
    return [args for args in (shlex.split(line, comments=True) for line in path.open()) if args]


def test_the_sample_batch_builds_what_its_commands_build_one_by_one(
    db_path: Path, tmp_path: Path
) -> None:
    result = ok(db_path, "batch", str(SAMPLE))
    commands = lines_of(SAMPLE)
    assert result.stderr.endswith(f"batch: {len(commands)} commands applied\n")
    assert "added client ACME" in result.stderr  # every command's usual output
    one_by_one = tmp_path / "one-by-one.db"
    ok(one_by_one, "init")
    for args in commands:
        ok(one_by_one, *args)
    assert ok(db_path, "config", "export").stdout == ok(one_by_one, "config", "export").stdout


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "commands.batch"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_failing_line_stops_the_batch_and_nothing_is_written(
    db_path: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "# two clients, then a site of a client that does not exist\n"
        "\n"
        'client add ACME --name "Acme Industries"  # a comment\n'
        "alertctl client add GLOBEX --name Globex\n"
        "site add NOPE PARIS\n"
        "client add NEVER --name 'Never reached'\n",
    )
    before = database_bytes(db_path)
    result = invoke(db_path, "batch", str(path))
    assert result.exit_code == 1, str(result)
    assert "added client ACME\nadded client GLOBEX\n" in result.stderr
    assert "error: line 5: unknown client 'NOPE'; nothing was written" in result.stderr
    assert "NEVER" not in result.stderr
    assert database_bytes(db_path) == before
    assert ok(db_path, "client", "list", "--json").stdout == "[]\n"


def test_dry_run_checks_every_line_and_writes_nothing(db_path: Path, tmp_path: Path) -> None:
    before = database_bytes(db_path)
    result = ok(db_path, "batch", str(SAMPLE), "--dry-run")
    assert "added client ACME" in result.stderr
    assert result.stderr.endswith("dry run: nothing was written\n")
    assert database_bytes(db_path) == before
    broken = write(tmp_path, "client add ACME --name A\nclient add ACME --name again\n")
    refused = invoke(db_path, "--dry-run", "batch", str(broken))
    assert refused.exit_code == 1
    assert "error: line 2: client 'ACME' already exists; nothing was written" in refused.stderr


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("client add 'ACME\n", 1, "error: line 1: No closing quotation; nothing was written"),
        ("client add A --name A\nclient add --nope\n", 2, "error: line 2: No such option"),
        ("client add A --name A\nalerts send\n", 1, "error: line 2: `alerts send` cannot run"),
        ("init\n", 1, "error: line 1: `init` cannot run inside a batch"),
        # Whatever the global options before the command, or the options after it.
        ("--debug alerts send --limit 3\n", 1, "error: line 1: `alerts send` cannot run"),
        ("--debug init\n", 1, "error: line 1: `init` cannot run inside a batch"),
        ("alertctl --debug contact erase alice --yes\n", 1, "`contact erase` cannot run"),
        ("--debug check\n", 1, "error: line 1: `check` cannot run inside a batch"),
        (
            "request open R9 --contract K1 --title T --send\n",
            1,
            "error: line 1: `request open --send` cannot run inside a batch",
        ),
        ("request update R1 --send --state s\n", 1, "`request update --send` cannot run"),
        ("request ingest feed.jsonl --send\n", 1, "`request ingest --send` cannot run"),
        ("client remove X\n", 1, "error: line 1: "),
    ],
)
def test_bad_lines_are_named_and_change_nothing(
    db_path: Path, tmp_path: Path, text: str, code: int, message: str
) -> None:
    before = database_bytes(db_path)
    result = invoke(db_path, "batch", str(write(tmp_path, text)))
    assert result.exit_code == code, str(result)
    assert message in result.stderr, result.stderr
    assert database_bytes(db_path) == before


def test_a_dry_run_batch_never_sends(sample_db: Path, tmp_path: Path) -> None:
    """A line that would send is refused in a dry run too: nothing leaves, nothing is written."""
    before = database_bytes(sample_db)
    script = write(
        tmp_path, "request open R9 --contract K1 --title T --external-description D --send\n"
    )
    result = invoke(sample_db, "--dry-run", "batch", str(script))
    assert result.exit_code == 1, str(result)
    assert not Path("outbox").exists()
    assert database_bytes(sample_db) == before
