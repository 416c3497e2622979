import json
from pathlib import Path

import pytest

from tests.helpers import invoke, ok


@pytest.fixture
def acme(db_path: Path) -> Path:
    ok(db_path, "client", "add", "ACME")
    ok(db_path, "site", "add", "ACME", "PARIS")
    ok(db_path, "site", "add", "ACME", "LYON")
    return db_path


def test_contact_add_stores_normalised_addresses_and_active_modes(acme: Path) -> None:
    ok(
        acme,
        "contact",
        "add",
        "alice",
        "--client",
        "ACME",
        "--name",
        "Alice Martin",
        "--site",
        "PARIS",
        "--site",
        "LYON",
        "--email",
        "alice@acme.example",
        "--fax",
        "01 45 00 00 01",
    )
    assert json.loads(ok(acme, "contact", "show", "alice", "--json").stdout) == {
        "kind": "contact",
        "code": "alice",
        "name": "Alice Martin",
        "client": "ACME",
        "sites": ["LYON", "PARIS"],
        "email": "alice@acme.example",
        "fax": "+33145000001",
        "reception": {"email": True, "fax": True},
        "alerts": [],
        "active": True,
        "language": None,
        "links": [],
    }


def test_reception_alerts_and_leave(acme: Path) -> None:
    ok(acme, "contact", "add", "alice", "--client", "ACME", "--email", "alice@acme.example")
    assert ok(acme, "contact", "reception", "alice", "--email", "off").stderr == (
        "contact alice receives alerts by: -\n"
    )
    warned = ok(acme, "contact", "reception", "alice", "--fax", "on")
    assert warned.stderr.startswith("warning: contact 'alice' has no fax address")
    assert ok(acme, "contact", "alerts", "alice", "--on", "resolution,open").stderr == (
        "contact alice opts in to: open, resolution\n"
    )
    assert ok(acme, "contact", "alerts", "alice", "--off", "open").stderr == (
        "contact alice opts in to: resolution\n"
    )
    ok(acme, "contact", "leave", "alice")
    shown = json.loads(ok(acme, "contact", "show", "alice", "--json").stdout)
    assert shown["active"] is False
    assert shown["reception"] == {"email": False, "fax": True}
    ok(acme, "contact", "leave", "alice", "--undo")
    assert json.loads(ok(acme, "contact", "show", "alice", "--json").stdout)["active"] is True


def test_update_changes_and_clears_addresses_and_sites(acme: Path) -> None:
    ok(acme, "contact", "add", "bob", "--client", "ACME", "--site", "PARIS")
    ok(acme, "contact", "update", "bob", "--email", "Bob@ACME.example", "--site", "LYON")
    shown = json.loads(ok(acme, "contact", "show", "bob", "--json").stdout)
    assert (shown["email"], shown["sites"], shown["reception"]["email"]) == (
        "Bob@acme.example",
        ["LYON"],
        True,
    )
    ok(acme, "contact", "update", "bob", "--email", "")
    shown = json.loads(ok(acme, "contact", "show", "bob", "--json").stdout)
    assert (shown["email"], shown["reception"]["email"]) == (None, False)


def test_collaborators_have_the_same_verbs(db_path: Path) -> None:
    ok(db_path, "collaborator", "add", "jdu", "--name", "Jean Dupont", "--email", "jdu@example.com")
    ok(db_path, "collaborator", "alerts", "jdu", "--on", "open,status_change")
    ok(db_path, "collaborator", "reception", "jdu", "--email", "off")
    rows = json.loads(ok(db_path, "collaborator", "list", "--json").stdout)
    assert rows == [
        {
            "kind": "collaborator",
            "code": "jdu",
            "name": "Jean Dupont",
            "client": None,
            "sites": [],
            "email": "jdu@example.com",
            "fax": None,
            "reception": {"email": False, "fax": False},
            "alerts": ["open", "status_change"],
            "active": True,
            "language": None,
        }
    ]
    # A contact and a collaborator may share a code: they are different people.
    ok(db_path, "client", "add", "ACME")
    ok(db_path, "contact", "add", "jdu", "--client", "ACME")
    ok(db_path, "collaborator", "remove", "jdu", "--yes")
    assert json.loads(ok(db_path, "contact", "list", "--json").stdout)[0]["code"] == "jdu"


def test_contact_list_filters_by_client(acme: Path) -> None:
    ok(acme, "client", "add", "GLOBEX")
    ok(acme, "contact", "add", "alice", "--client", "ACME")
    ok(acme, "contact", "add", "dan", "--client", "GLOBEX")
    rows = json.loads(ok(acme, "contact", "list", "--client", "GLOBEX", "--json").stdout)
    assert [r["code"] for r in rows] == ["dan"]
    assert "alice" in ok(acme, "contact", "list").stdout


def test_remove_contact_refuses_while_linked(acme: Path) -> None:
    ok(acme, "contact", "add", "alice", "--client", "ACME", "--site", "PARIS")
    ok(acme, "link", "client", "ACME", "--contact", "alice")
    refused = invoke(acme, "contact", "remove", "alice", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "error: contact 'alice' is still used by 1 client interlocutor\n"
    )
    ok(acme, "unlink", "client", "ACME", "--contact", "alice")
    ok(acme, "contact", "remove", "alice", "--yes")
