"""Rule 3 (docs/rules.md): a contact hears only of its own client's requests, or of its
beneficiaries' when its client holds the contract. Preview, explain and sending follow it;
links that could only ever reach other clients' requests are refused wherever they are made;
those already in a database are reported by `check`."""

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.helpers import GLOBEX_R2, database_bytes, invoke, ok, open_args, refused


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["link", "site", "ACME/LYON", "--contact", "erin"],
            "contact 'erin' belongs to GLOBEX and site ACME/LYON concerns ACME only: a contact "
            "hears only of the requests of its own client",
        ),
        (
            ["link", "client", "ACME", "--contact", "erin"],
            "contact 'erin' belongs to GLOBEX and client ACME concerns ACME only",
        ),
        (
            ["link", "client", "GLOBEX", "--contact", "alice"],
            "contact 'alice' belongs to ACME and client GLOBEX concerns GLOBEX only",
        ),
        (
            ["link", "contract", "K9", "--contact", "alice"],
            "contact 'alice' belongs to ACME and contract K9 concerns GLOBEX only",
        ),
        (
            ["link", "service", "K9/BASIC", "--contact", "alice"],
            "contact 'alice' belongs to ACME and service K9/BASIC concerns GLOBEX only",
        ),
    ],
)
def test_a_link_to_other_clients_only_is_refused_and_changes_nothing(
    sample_db: Path, args: list[str], message: str
) -> None:
    ok(sample_db, "contract", "add", "K9", "--client", "GLOBEX", "--name", "Globex own")
    ok(sample_db, "service", "add", "K9", "BASIC", "--name", "Basic")
    result = refused(sample_db, args, 1, message)
    assert result.stderr.splitlines()[1] == "hint: link a contact of that client, or a collaborator"


def test_links_that_can_reach_the_contacts_own_client_are_taken(sample_db: Path) -> None:
    # A product is shared by every client; GLOBEX benefits from K1; ACME holds K1.
    ok(sample_db, "link", "product", "ERP", "--contact", "erin")
    ok(sample_db, "link", "contract", "K1", "--contact", "erin")
    ok(sample_db, "link", "service", "K1/PREMIUM", "--contact", "erin")
    ok(sample_db, "link", "service", "K1/PREMIUM", "--contact", "alice")
    ok(sample_db, "link", "site", "GLOBEX/SPRINGFIELD", "--contact", "erin")
    # Collaborators hear of every client.
    ok(sample_db, "link", "client", "GLOBEX", "--collaborator", "jdu")


def _erin_hears_of_everything(db: Path) -> None:
    ok(db, "contact", "update", "erin", "--email", "erin@globex.example")
    ok(db, "contact", "reception", "erin", "--email", "on")
    ok(db, "contact", "alerts", "erin", "--on", "open,resolution")
    ok(db, "link", "product", "ERP", "--contact", "erin")


def test_a_beneficiarys_contact_hears_nothing_of_the_holders_requests(sample_db: Path) -> None:
    _erin_hears_of_everything(sample_db)
    ok(sample_db, *open_args("R1"))
    listed = json.loads(ok(sample_db, "alerts", "list", "--json").stdout)
    assert "erin" not in {a["code"] for a in listed}
    preview = json.loads(
        ok(sample_db, "alerts", "preview", "R1", "--event", "open", "--json").stdout
    )
    left_out = {(x["code"], x["reason"]) for x in preview["events"][0]["excluded"]}
    assert ("erin", "other_client") in left_out


def test_explain_says_other_client_and_proposes_no_fix(sample_db: Path) -> None:
    _erin_hears_of_everything(sample_db)
    ok(sample_db, "contact", "alerts", "erin", "--off", "open")
    ok(sample_db, *open_args("R1"))
    result = ok(sample_db, "alerts", "explain", "R1", "--contact", "erin", "-e", "resolution")
    assert result.stdout.splitlines()[0] == (
        "resolution: contact erin does not receive it; other_client"
    )
    assert "client GLOBEX; the request is ACME's" in result.stdout
    # Opting in would change nothing: no fix is proposed, for any rule.
    assert "fix:" not in result.stdout and "alertctl" not in result.stdout
    document = json.loads(
        ok(sample_db, "alerts", "explain", "R1", "--contact", "erin", "--json").stdout
    )
    assert all(c["fix"] is None for e in document["events"] for c in e["checks"])
    # Not linked at all: no link is proposed either.
    ok(sample_db, "unlink", "product", "ERP", "--contact", "erin")
    unlinked = ok(sample_db, "alerts", "explain", "R1", "--contact", "erin", "-e", "resolution")
    assert "alertctl" not in unlinked.stdout


def test_the_holders_contacts_follow_their_beneficiaries_requests(sample_db: Path) -> None:
    # alice (ACME, linked to K1) hears of GLOBEX's request on ACME's contract; erin (GLOBEX,
    # linked to the product) too: it is her own client's.
    _erin_hears_of_everything(sample_db)
    ok(sample_db, "client", "alerts", "GLOBEX", "--event", "open", "--enable", "--keyword", "[G]")
    ok(sample_db, *GLOBEX_R2)
    listed = json.loads(ok(sample_db, "alerts", "list", "--json").stdout)
    assert {a["code"] for a in listed} >= {"alice", "erin"}


def test_batch_and_config_apply_refuse_a_cross_client_link_and_write_nothing(
    sample_db: Path, tmp_path: Path
) -> None:
    script = tmp_path / "setup.batch"
    script.write_text("product add WMS --name WMS\nlink client ACME --contact erin\n")
    before = database_bytes(sample_db)
    result = invoke(sample_db, "batch", str(script))
    assert result.exit_code == 1, str(result)
    assert result.stderr.splitlines()[1] == (
        "error: line 2: contact 'erin' belongs to GLOBEX and client ACME concerns ACME only: a "
        "contact hears only of the requests of its own client; nothing was written"
    ), str(result)
    assert database_bytes(sample_db) == before

    document = tomllib.loads(ok(sample_db, "config", "export").stdout)
    document["contacts"]["erin"]["links"] = ["product:ERP", "site:ACME/LYON"]
    setup = tmp_path / "setup.toml"
    setup.write_text(tomli_w.dumps(document), encoding="utf-8")
    result = invoke(sample_db, "config", "apply", str(setup), "--yes")
    assert result.exit_code == 1, str(result)
    assert (
        "contacts.erin.links: contact 'erin' belongs to GLOBEX and site ACME/LYON concerns ACME "
        "only" in result.stderr
    ), str(result)
    assert database_bytes(sample_db) == before


def test_check_reports_a_cross_client_link_with_the_unlink_command(sample_db: Path) -> None:
    # A link made before rule 3 refused it.
    with sqlite3.connect(sample_db) as connection:
        connection.execute(
            "INSERT INTO client_interlocutor (person_id, target_id) SELECT p.id, c.id "
            "FROM person p, client c WHERE p.code = 'erin' AND c.code = 'ACME'"
        )
    result = invoke(sample_db, "check", "--json")
    assert result.exit_code == 1, str(result)
    found = [p for p in json.loads(result.stdout)["problems"] if p["subject"] == "contact erin"]
    assert found == [
        {
            "area": "person",
            "subject": "contact erin",
            "message": "contact 'erin' belongs to GLOBEX and client ACME concerns ACME only: a "
            "contact hears only of the requests of its own client: never alerted through this "
            "link",
            "fix": "alertctl unlink client ACME --contact erin",
        }
    ]
    ok(sample_db, "unlink", "client", "ACME", "--contact", "erin")
    assert invoke(sample_db, "check").exit_code == 0
