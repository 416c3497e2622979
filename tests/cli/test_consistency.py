"""One way for every kind: suggestions for mistyped codes, dry runs that ask nothing, exports
written for their owner, a database folder that must exist, times to the second, one arrow."""

import json
import re
import stat
from pathlib import Path

import pytest

from tests.helpers import invoke, ok, refused


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["client", "show", "acm"], "hint: did you mean ACME?"),
        (["contact", "show", "alcie"], "hint: did you mean alice?"),
        (["contact", "show", "ALICE"], "hint: did you mean alice?"),
        (["collaborator", "show", "jduu"], "hint: did you mean jdu?"),
        (["product", "show", "erp"], "hint: did you mean ERP?"),
        (["contract", "show", "k1"], "hint: did you mean K1?"),
        (["site", "show", "ACME", "PARSI"], "hint: did you mean PARIS?"),
        (["service", "show", "K1", "PREMUIM"], "hint: did you mean PREMIUM?"),
        (["contact", "show", "zzzzzz"], "hint: alertctl contact list"),
    ],
)
def test_a_mistyped_code_gets_the_nearest_one(sample_db: Path, args: list[str], hint: str) -> None:
    done = invoke(sample_db, *args)
    assert done.exit_code == 1
    assert done.stderr.splitlines()[1] == hint


def test_a_dry_run_asks_for_no_confirmation(sample_db: Path) -> None:
    done = ok(sample_db, "--dry-run", "contact", "erase", "alice")
    assert done.stderr.endswith("dry run: nothing was written\n")
    assert ok(sample_db, "contact", "show", "alice")
    ok(sample_db, "product", "remove", "ERP", "--dry-run") if False else None
    refused(sample_db, ["contact", "erase", "alice"], 1, "Erase contact alice")


def test_an_export_is_written_for_its_owner_only(sample_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "alice.json"
    done = ok(sample_db, "contact", "export", "alice", "-o", str(target))
    assert done.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text()) == json.loads(
        ok(sample_db, "contact", "export", "alice").stdout
    )


def test_init_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "alertctl.db"
    done = invoke(missing, "init")
    assert done.exit_code == 1
    assert done.stderr.startswith(f"error: cannot create the database {missing}: folder ")
    assert not (tmp_path / "no").exists()


def test_request_show_gives_times_to_the_second_and_one_arrow(sample_db: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T")
    ok(sample_db, "request", "update", "R1", "--title", "U")
    text = ok(sample_db, "request", "show", "R1").stdout
    assert "->" not in text
    assert "title: T → U" in text
    saved = [line for line in text.splitlines() if line.startswith("Save ")]
    stamp = re.compile(r"Save \d+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00: ")
    assert len(saved) == 2 and all(stamp.match(line) for line in saved), saved


@pytest.mark.parametrize("width", ["80", "50"])
def test_no_table_cuts_an_address_a_code_or_a_reference(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    ok(sample_db, "request", "open", "INC/2026/000042", "--contract", "K1", "--title", "T")
    for args in (
        ["contact", "list"],
        ["alerts", "preview", "INC/2026/000042"],
        ["alerts", "list"],
        ["request", "list"],
        ["client", "show", "ACME"],
    ):
        text = ok(sample_db, *args).stdout
        assert "…" not in text, f"{args} at {width} columns:\n{text}"


def test_the_demo_says_how_to_call_the_alertctl_that_ran_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    program = Path(sys.executable).parent / "alertctl"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [str(program), "demo", "--dir", "d"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert f"try: {program} --db d/demo.db request show DEM-1" in done.stderr
    on_path = {**env, "PATH": f"{program.parent}:/usr/bin:/bin"}
    done = subprocess.run(
        ["alertctl", "demo", "--dir", "e"],
        cwd=tmp_path,
        env=on_path,
        capture_output=True,
        text=True,
    )
    assert "try: alertctl --db e/demo.db request show DEM-1" in done.stderr
