"""After a fault is fixed, `alerts recover` queues what it stopped, once, with what is fixed;
the faults are handled and `check` is green at once."""

import json
import sqlite3
from pathlib import Path

from tests.helpers import database_bytes, invoke, ok

ODD = "{{ 100 // (request.reference | length - 2) }}\n"  # renders on REQ-1, not on R2


def broken_open(db: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.txt"
    odd.write_text(ODD)
    ok(db, "template", "add", "odd", "--subject", "Odd", "--text", str(odd))
    ok(
        db,
        "client",
        "alerts",
        "ACME",
        "-e",
        "open",
        "--enable",
        "--keyword",
        "[A]",
        "--template",
        "odd",
    )


def alerts(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT key, status, text_body FROM alert ORDER BY id").fetchall()


def test_a_fixed_template_brings_back_the_alerts_it_stopped_once(
    sample_db: Path, tmp_path: Path
) -> None:
    broken_open(sample_db, tmp_path)
    opened = ok(
        sample_db,
        "request",
        "open",
        "R2",
        "--contract",
        "K1",
        "--title",
        "Odd",
        "--external-description",
        "Odd.",
    )
    assert "left out by a fault" in opened.stderr
    assert "fix: alertctl template update odd --text FILE (or template add, if it is " in (
        opened.stderr
    )
    assert alerts(sample_db) == []
    assert invoke(sample_db, "check").exit_code == 1

    still = ok(sample_db, "alerts", "recover", "--json")
    assert {r["outcome"] for r in json.loads(still.stdout)} == {"still failing"}
    assert still.stderr.endswith("still failing, left as they are\n")

    good = tmp_path / "good.txt"
    good.write_text("Nouvelle demande {{ request.reference }}\n")
    ok(sample_db, "template", "update", "odd", "--text", str(good))
    before = database_bytes(sample_db)
    dry = ok(sample_db, "--dry-run", "alerts", "recover")
    assert "would queue 2 alerts" in dry.stderr
    assert database_bytes(sample_db) == before

    done = ok(sample_db, "alerts", "recover", "--json")
    recovered = json.loads(done.stdout)
    assert [r["outcome"] for r in recovered] == ["queued", "queued"]
    queued = alerts(sample_db)
    assert [status for _, status, _ in queued] == ["pending", "pending"]
    assert all(body == "Nouvelle demande R2\n" for _, _, body in queued)
    assert len({key for key, _, _ in queued}) == 2
    ok(sample_db, "check")  # green at once: the faults are handled
    again = ok(sample_db, "alerts", "recover")
    assert again.stderr == "0 faults: queued 0 alerts\n"
    assert alerts(sample_db) == queued


def test_faults_can_be_dismissed(sample_db: Path, tmp_path: Path) -> None:
    broken_open(sample_db, tmp_path)
    ok(
        sample_db,
        "request",
        "open",
        "R2",
        "--contract",
        "K1",
        "--title",
        "O",
        "--external-description",
        "O.",
    )
    done = ok(sample_db, "alerts", "recover", "--dismiss", "--request", "R2", "--json")
    assert {r["outcome"] for r in json.loads(done.stdout)} == {"dismissed"}
    assert alerts(sample_db) == []
    ok(sample_db, "check")
    with sqlite3.connect(sample_db) as connection:
        assert connection.execute(
            "SELECT count(*) FROM alert_fault WHERE handled_at IS NULL"
        ).fetchone() == (0,)
