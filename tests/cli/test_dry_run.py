"""`--dry-run` has one meaning, before the command or after it: do everything, check
everything, write nothing."""

from pathlib import Path

import pytest

from tests.helpers import database_bytes, invoke, ok, open_args

COMMANDS = [
    ["contact", "add", "zoe", "--client", "ACME", "--email", "zoe@acme.example"],
    ["client", "alerts", "ACME", "--event", "status_change", "--enable", "--keyword", "[A]"],
    ["contract", "enable", "K1"],
    ["link", "site", "ACME/PARIS", "--contact", "bruno"],
    list(open_args("R9")),
    ["request", "update", "R1", "--state", "waiting"],
    ["alerts", "send"],
    ["contact", "erase", "alice", "--yes"],
]


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_dry_run_before_or_after_the_command_writes_nothing(
    sample_db: Path, command: list[str], where: str
) -> None:
    ok(sample_db, *open_args())
    before = database_bytes(sample_db)
    args = ["--dry-run", *command] if where == "before" else [*command, "--dry-run"]
    result = ok(sample_db, *args)
    assert result.stderr.endswith("dry run: nothing was written\n")
    assert database_bytes(sample_db) == before
    # The same command without it does write.
    ok(sample_db, *command)
    assert database_bytes(sample_db) != before


def test_config_apply_and_batch_take_it_in_both_places(sample_db: Path, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[products.NEW]\nname = "New"\n')
    (tmp_path / "setup.batch").write_text("product add OTHER\nclient add NEWCO\n")
    before = database_bytes(sample_db)
    for args in (
        ["config", "apply", str(tmp_path / "c.toml"), "--dry-run"],
        ["--dry-run", "config", "apply", str(tmp_path / "c.toml")],
        ["batch", str(tmp_path / "setup.batch"), "--dry-run"],
        ["--dry-run", "batch", str(tmp_path / "setup.batch")],
    ):
        result = ok(sample_db, *args)
        assert "dry run" in result.stderr, args
        assert database_bytes(sample_db) == before, args
    assert "+ product NEW" in ok(sample_db, "config", "apply", str(tmp_path / "c.toml")).stdout


@pytest.mark.parametrize(
    ("line", "option"),
    [
        ("client add NEWCO --dry-run", "--dry-run"),
        ("--dry-run client add NEWCO", "--dry-run"),
        ("--db other.db client add NEWCO", "--db"),
        ("--config other.toml client add NEWCO", "--config"),
    ],
)
def test_a_batch_line_cannot_have_options_of_its_own(
    sample_db: Path, tmp_path: Path, line: str, option: str
) -> None:
    """Its lines share the batch's database, settings and transaction: a dry-run line would
    be written anyway, and another database would be ignored."""
    (tmp_path / "setup.batch").write_text(f"product add OTHER\n{line}\n")
    before = database_bytes(sample_db)
    result = invoke(sample_db, "batch", str(tmp_path / "setup.batch"))
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"error: line 2: {option} in a batch line: give it to the batch itself; "
        "nothing was written\n"
    )
    assert database_bytes(sample_db) == before
    assert not (tmp_path / "other.db").exists()


def test_every_command_offers_it(sample_db: Path) -> None:
    for command in (["contact", "add"], ["alerts", "send"], ["config", "apply"], ["batch"]):
        help_text = invoke(sample_db, *command, "--help").stdout
        assert help_text.count("--dry-run") == 1, command
        assert "write nothing" in help_text


def test_a_refused_dry_run_says_only_its_error(sample_db: Path, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[clients.OTHER]\nname = "Other"\n')
    result = invoke(sample_db, "config", "apply", str(tmp_path / "c.toml"), "--prune", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the file leaves no status of type created, which new requests take\n"
        "hint: keep one in [statuses]\n"
    )
