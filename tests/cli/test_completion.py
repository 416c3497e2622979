"""A TAB proposes the codes in the database, through the shells' own completion protocol."""

import os
import subprocess
import sys
from pathlib import Path

import typer

from alertctl.cli.app import app
from alertctl.cli.complete import BY_NAME
from alertctl.domain.model import Event
from tests.helpers import ok, parameters


def tab(line: str, *, db: Path | None = None, **env: str) -> list[str]:
    """What bash would be offered for the last word of `line` (a trailing space: a new word)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    environ = {
        **os.environ,
        "_ALERTCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(cword),
        **env,
    }
    if db is not None:
        environ["ALERTCTL_DB"] = str(db)
    done = subprocess.run(
        [sys.executable, "-m", "alertctl"], capture_output=True, text=True, env=environ
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.split()


def test_codes_of_the_kind_the_parameter_names(sample_db: Path) -> None:
    assert tab("alertctl client show ", db=sample_db) == ["ACME", "GLOBEX"]
    assert tab("alertctl client show G", db=sample_db) == ["GLOBEX"]
    contacts = tab("alertctl contact show ", db=sample_db)
    collaborators = tab("alertctl collaborator show ", db=sample_db)
    assert contacts and collaborators
    assert not set(contacts) & set(collaborators)
    assert tab("alertctl contract add K9 --client A", db=sample_db) == ["ACME"]
    assert tab("alertctl site show ACME P", db=sample_db) == ["PARIS"]
    # A group of no kind of its own names the kind by its command.
    assert tab("alertctl noise contact ", db=sample_db) == contacts
    assert tab("alertctl noise collaborator ", db=sample_db) == collaborators
    assert tab("alertctl noise client G", db=sample_db) == ["GLOBEX"]


def test_request_references_and_statuses(sample_db: Path) -> None:
    contract = tab("alertctl contract show ", db=sample_db)[0]
    ok(sample_db, "request", "open", "REQ-7", "--title", "Printer", "--contract", contract)
    assert tab("alertctl alerts preview R", db=sample_db) == ["REQ-7"]
    assert "WIP" in tab("alertctl request update REQ-7 --status ", db=sample_db)
    # `alerts list --status` takes an alert's status, an enum: not the requests' statuses.
    assert tab("alertctl alerts list --status ", db=sample_db) == [
        "pending",
        "sending",
        "retry",
        "sent",
        "dead",
        "unknown",
        "cancelled",
        "held",
        "merged",
        "skipped",
    ]


def test_choices_complete_from_their_enum(sample_db: Path) -> None:
    assert tab("alertctl link ", db=sample_db) == [
        "product",
        "site",
        "contract",
        "service",
        "client",
    ]


def test_a_new_code_proposes_nothing(sample_db: Path) -> None:
    assert tab("alertctl client add ", db=sample_db) == []


def test_the_db_option_on_the_line_is_the_one_read(sample_db: Path, tmp_path: Path) -> None:
    assert tab(f"alertctl --db {sample_db} client show ", db=tmp_path / "other.db") == [
        "ACME",
        "GLOBEX",
    ]


def test_a_prefix_means_itself_not_a_pattern(sample_db: Path) -> None:
    assert tab("alertctl client show %", db=sample_db) == []
    assert tab("alertctl client show _", db=sample_db) == []


def test_no_database_no_proposal_and_no_error(tmp_path: Path) -> None:
    assert tab("alertctl client show ", db=tmp_path / "missing.db") == []
    not_a_database = tmp_path / "text.db"
    not_a_database.write_text("hello")
    assert tab("alertctl client show ", db=not_a_database) == []
    assert not (tmp_path / "missing.db").exists()


def test_zsh_gets_each_code_with_its_description(sample_db: Path) -> None:
    environ = {
        **os.environ,
        "ALERTCTL_DB": str(sample_db),
        "_ALERTCTL_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": "alertctl client show A",
    }
    done = subprocess.run(
        [sys.executable, "-m", "alertctl"], capture_output=True, text=True, env=environ
    )
    assert '"ACME":"Acme Industries"' in done.stdout


def test_every_parameter_that_names_a_code_completes() -> None:
    params = parameters(typer.main.get_command(app))
    named = [(where, p) for where, p in params if p.name in BY_NAME]
    assert len(named) > 20
    missing = [
        f"{where} {p.name}"
        for where, p in named
        if p._custom_shell_complete is None and not p.type_descriptor.is_choice
    ]
    assert missing == []


def test_link_targets_complete_by_the_source_typed_before_them(sample_db: Path) -> None:
    assert tab("alertctl link product ", db=sample_db) == ["ERP"]
    assert tab("alertctl link site ", db=sample_db) == [
        "ACME/LYON",
        "ACME/PARIS",
        "GLOBEX/SPRINGFIELD",
    ]
    assert tab("alertctl link service K", db=sample_db) == ["K1/PREMIUM"]
    assert tab("alertctl unlink contract ", db=sample_db) == ["K1"]
    assert tab("alertctl link client G", db=sample_db) == ["GLOBEX"]


def test_a_site_or_a_service_completes_within_the_code_typed_before_it(sample_db: Path) -> None:
    assert tab("alertctl site show GLOBEX ", db=sample_db) == ["SPRINGFIELD"]
    assert tab("alertctl site show ACME ", db=sample_db) == ["LYON", "PARIS"]
    assert tab("alertctl service show K1 ", db=sample_db) == ["PREMIUM"]


def test_a_comma_list_completes_its_last_item(sample_db: Path) -> None:
    events = [e.value for e in Event]
    assert tab("alertctl contact alerts alice --on ", db=sample_db) == events
    assert tab("alertctl contact alerts alice --on open,res", db=sample_db) == ["open,resolution"]
    # A value given already is not proposed again.
    after_open = tab("alertctl contact alerts alice --off open,", db=sample_db)
    assert after_open == ["open," + e for e in events if e != "open"]
    assert tab("alertctl contract enable K1 --source pro", db=sample_db) == ["product"]
    assert tab("alertctl contract disable K1 -s site,c", db=sample_db) == [
        "site,contract",
        "site,client",
    ]
    # The words taken alone are offered first-off only.
    assert tab("alertctl noise set --urgent n", db=sample_db) == ["none"]
    assert tab("alertctl noise set --urgent gti_breach,n", db=sample_db) == []


def test_every_comma_list_option_completes() -> None:
    params = parameters(typer.main.get_command(app))
    lists = [(w, p) for w, p in params if "[," in (p.metavar or "") and "EVENT" in p.metavar]
    lists += [(w, p) for w, p in params if "[," in (p.metavar or "") and "SOURCE" in p.metavar]
    assert len(lists) >= 6
    assert [f"{w} {p.name}" for w, p in lists if p._custom_shell_complete is None] == []
