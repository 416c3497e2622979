import json
from pathlib import Path

from tests.helpers import invoke, ok


def test_client_add_list_show_remove(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME", "--name", "Acme Industries")
    ok(db_path, "client", "add", "GLOBEX", "--language", "en")
    ok(db_path, "site", "add", "ACME", "PARIS", "--name", "Paris")
    assert json.loads(ok(db_path, "client", "list", "--json").stdout) == [
        {"code": "ACME", "name": "Acme Industries", "language": "fr", "sites": 1, "contacts": 0},
        {"code": "GLOBEX", "name": "GLOBEX", "language": "en", "sites": 0, "contacts": 0},
    ]
    table = ok(db_path, "client", "list").stdout
    assert "Acme Industries" in table and "GLOBEX" in table
    shown = json.loads(ok(db_path, "client", "show", "ACME", "--json").stdout)
    assert shown["sites"] == [{"client": "ACME", "code": "PARIS", "name": "Paris", "main": True}]
    assert shown["alerts"][0] == {
        "event": "open",
        "enabled": False,
        "keyword": None,
        "template": "default-open-fr",
        "format": "text",
    }
    assert ok(db_path, "client", "remove", "GLOBEX", "--yes").stderr == "removed client GLOBEX\n"
    assert [c["code"] for c in json.loads(ok(db_path, "client", "list", "--json").stdout)] == [
        "ACME"
    ]


def test_remove_refuses_while_referenced_and_needs_yes(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME")
    ok(db_path, "site", "add", "ACME", "PARIS")
    unconfirmed = invoke(db_path, "client", "remove", "ACME")
    assert unconfirmed.exit_code == 1
    assert unconfirmed.stderr == (
        "error: Remove client ACME: not confirmed\nhint: add --yes to confirm\n"
    )
    used = invoke(db_path, "client", "remove", "ACME", "--yes")
    assert used.exit_code == 1
    assert used.stderr == (
        "error: client 'ACME' is still used by 1 site\nhint: remove or unlink those first\n"
    )
    ok(db_path, "site", "remove", "ACME", "PARIS", "--yes")
    ok(db_path, "client", "remove", "ACME", "--yes")


def test_client_alerts_switch_events_with_keyword_template_and_format(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME")
    on = ok(
        db_path,
        "client",
        "alerts",
        "ACME",
        "--event",
        "resolution",
        "--enable",
        "--keyword",
        "[ACME]",
        "--template",
        "default-resolution-en",
        "--format",
        "html",
        "--json",
    )
    assert json.loads(on.stdout) == {
        "event": "resolution",
        "enabled": True,
        "keyword": "[ACME]",
        "template": "default-resolution-en",
        "format": "html",
    }
    off = ok(db_path, "client", "alerts", "ACME", "-e", "resolution", "--disable", "--json")
    assert json.loads(off.stdout)["enabled"] is False
    assert json.loads(off.stdout)["keyword"] == "[ACME]"
    again = ok(db_path, "client", "alerts", "ACME", "-e", "resolution", "--enable", "--json")
    assert json.loads(again.stdout)["enabled"] is True


def test_sites_first_is_main_and_main_can_move(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME")
    assert (
        ok(db_path, "site", "add", "ACME", "PARIS").stderr == "added site ACME/PARIS (main site)\n"
    )
    assert ok(db_path, "site", "add", "ACME", "LYON").stderr == "added site ACME/LYON\n"
    ok(db_path, "site", "main", "ACME", "LYON")
    sites = json.loads(ok(db_path, "site", "list", "ACME", "--json").stdout)
    assert [(s["code"], s["main"]) for s in sites] == [("LYON", True), ("PARIS", False)]
    refused = invoke(db_path, "site", "remove", "ACME", "LYON", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: site ACME/LYON is the main site of 'ACME'\n")
    ok(db_path, "site", "remove", "ACME", "PARIS", "--yes")
    ok(db_path, "site", "remove", "ACME", "LYON", "--yes")
    assert invoke(db_path, "site", "list").stderr == "no sites\n"
