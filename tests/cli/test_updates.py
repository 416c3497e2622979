"""`update` for every kind that has `add`: only what is given changes, with the checks of
`add`, `--json` and `--dry-run` as everywhere."""

import json
from pathlib import Path

from tests.helpers import database_bytes, invoke, ok, refused


def shown(db: Path, *args: str) -> dict[str, object]:
    document: dict[str, object] = json.loads(ok(db, *args, "--json").stdout)
    return document


def test_status_site_service_and_product_updates_change_only_what_is_given(
    sample_db: Path,
) -> None:
    before = shown(sample_db, "status", "show", "WIP")
    assert ok(sample_db, "status", "update", "WIP", "--label", "Prise en charge").stderr == (
        "updated status WIP\n"
    )
    after = shown(sample_db, "status", "show", "WIP")
    assert after == {**before, "label": "Prise en charge"}
    row = json.loads(
        ok(sample_db, "status", "update", "WIP", "--type", "suspended", "--json").stdout
    )
    assert row == {
        "code": "WIP",
        "label": "Prise en charge",
        "type": "suspended",
        "label_en": "In progress",
    }

    ok(sample_db, "site", "update", "ACME", "LYON", "--name", "Lyon Part-Dieu")
    assert shown(sample_db, "site", "show", "ACME", "LYON")["name"] == "Lyon Part-Dieu"
    assert shown(sample_db, "site", "show", "ACME", "LYON")["main"] is False

    ok(sample_db, "service", "update", "K1", "PREMIUM", "--name", "Premium 24/7")
    assert shown(sample_db, "service", "show", "K1", "PREMIUM")["name"] == "Premium 24/7"

    row = json.loads(ok(sample_db, "product", "update", "ERP", "--name", "ERP 2", "--json").stdout)
    assert row == {"code": "ERP", "name": "ERP 2"}


def test_a_template_update_is_checked_on_the_samples_first(sample_db: Path, tmp_path: Path) -> None:
    text = tmp_path / "text.txt"
    text.write_text("Bonjour {{ recipient.name }}\n")
    ok(sample_db, "template", "add", "mine", "--subject", "S", "--text", str(text))
    before = shown(sample_db, "template", "show", "mine")
    ok(sample_db, "template", "update", "mine", "--subject", "Nouveau : {{ request.title }}")
    after = shown(sample_db, "template", "show", "mine")
    assert after == {**before, "subject": "Nouveau : {{ request.title }}"}
    html = tmp_path / "body.html"
    html.write_text("<p>{{ request.title }}</p>\n")
    ok(sample_db, "template", "update", "mine", "--html", str(html))
    assert shown(sample_db, "template", "show", "mine")["html"] == "<p>{{ request.title }}</p>\n"
    ok(sample_db, "template", "update", "mine", "--no-html")
    assert shown(sample_db, "template", "show", "mine")["html"] is None
    broken = tmp_path / "broken.txt"
    broken.write_text("{{ 100 // 0 }}\n")
    refused(
        sample_db,
        ["template", "update", "mine", "--text", str(broken)],
        1,
        "template 'mine' would not be valid",
    )
    assert shown(sample_db, "template", "show", "mine")["text"] == "Bonjour {{ recipient.name }}\n"


def test_updates_refuse_what_cannot_be_and_a_dry_run_writes_nothing(sample_db: Path) -> None:
    refused(sample_db, ["status", "update", "WIP"], 1, "nothing to change: give --label")
    refused(sample_db, ["template", "update", "default-open-fr"], 1, "nothing to change")
    refused(
        sample_db,
        ["template", "update", "default-open-fr", "--subject", "x"],
        1,
        "template 'default-open-fr' is shipped with alertctl",
    )
    refused(
        sample_db,
        ["site", "update", "ACME", "NOWHERE", "--name", "x"],
        1,
        "client 'ACME' has no site",
    )
    before = database_bytes(sample_db)
    dry = ok(sample_db, "--dry-run", "status", "update", "WIP", "--label", "Autre")
    assert dry.stderr == "updated status WIP\ndry run: nothing was written\n"
    assert database_bytes(sample_db) == before


def test_already_exists_points_to_update(sample_db: Path) -> None:
    done = invoke(sample_db, "product", "add", "ERP")
    assert done.stderr.splitlines()[1] == (
        "hint: to change it: alertctl product update ERP (alertctl product show ERP)"
    )
    done = invoke(sample_db, "site", "add", "ACME", "LYON")
    assert done.stderr.splitlines()[1] == "hint: alertctl site update ACME LYON --name NAME"
