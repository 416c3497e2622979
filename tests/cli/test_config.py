"""`config export` and `config apply`: round trips, plans, validation, impact, all or nothing."""

import io
import json
import sqlite3
import tomllib
from pathlib import Path

import pytest

from alertctl.db.engine import Database
from alertctl.services.operations.setup import init
from tests.helpers import database_bytes, invoke, ok


def export(db: Path) -> str:
    return ok(db, "config", "export").stdout


def fresh(tmp_path: Path, name: str = "other.db") -> Path:
    path = tmp_path / name
    database = Database(str(path))
    init(database)
    database.close()
    return path


def write(tmp_path: Path, text: str, name: str = "setup.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_export_apply_on_an_empty_database_export_again_is_identical(
    sample_db: Path, tmp_path: Path
) -> None:
    first = export(sample_db)
    other = fresh(tmp_path)
    applied = ok(other, "config", "apply", str(write(tmp_path, first)))
    assert applied.stdout.splitlines()[-1].startswith("Plan: ")
    assert applied.stderr.startswith("applied: ")
    assert export(other) == first
    again = ok(other, "config", "apply", str(write(tmp_path, first)))
    assert again.stdout == "Nothing to change.\n"


def test_export_is_sorted_keyed_by_codes_and_without_empty_fields(sample_db: Path) -> None:
    text = export(sample_db)
    data = tomllib.loads(text)
    assert list(data) == [
        "statuses",
        "clients",
        "contacts",
        "collaborators",
        "products",
        "contracts",
    ]
    assert list(data["clients"]) == sorted(data["clients"])
    assert data["contacts"]["fanny"] == {
        "client": "ACME",
        "name": "Fanny Roux",
        "email": "fanny@acme.example",
        "links": ["client:ACME"],
    }
    assert data["contacts"]["alice"]["alerts"] == ["open", "resolution"]
    assert data["contracts"]["K1"]["sources"] == ["product", "contract"]
    assert "password" not in text and "R1" not in text
    assert export(sample_db) == text


def test_export_piped_into_apply_changes_nothing(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = export(sample_db)
    before = database_bytes(sample_db)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert ok(sample_db, "config", "apply", "-").stdout == "Nothing to change.\n"
    assert database_bytes(sample_db) == before


def test_export_to_a_file(sample_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.toml"
    assert ok(sample_db, "config", "export", "-o", str(target)).stderr == f"wrote {target}\n"
    assert target.read_text() == export(sample_db)


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_a_plan_shows_every_kind_of_change(sample_db: Path, tmp_path: Path) -> None:
    text = export(sample_db)
    text = edit(text, 'email = "fanny@acme.example"', 'email = "f.roux@acme.example"')
    text = edit(
        text,
        '[products.ERP]\nname = "ERP Suite"\n',
        '[products.ERP]\nname = "ERP Suite"\n\n[products.CRM]\nname = "CRM Cloud"\n',
    )
    text = edit(text, '[clients.ACME.alerts.open]\nkeyword = "[ACME support]"\n', "")
    path = write(tmp_path, text)
    before = database_bytes(sample_db)
    plan = ok(sample_db, "config", "apply", str(path), "--dry-run", "--json")
    assert database_bytes(sample_db) == before
    doc = json.loads(plan.stdout)
    assert doc["summary"] == {"add": 1, "change": 1, "remove": 0}
    assert {(c["op"], c["kind"], c["key"]) for c in doc["changes"]} == {
        ("+", "product", "CRM"),
        ("~", "contact", "fanny"),
    }
    fanny = next(c for c in doc["changes"] if c["key"] == "fanny")
    assert fanny["fields"] == {"email": {"old": "fanny@acme.example", "new": "f.roux@acme.example"}}
    pruned = ok(sample_db, "config", "apply", str(path), "--dry-run", "--prune")
    assert pruned.stdout.splitlines()[0] == "+ product CRM"
    assert "- alert ACME/open" in pruned.stdout
    assert (
        '~ contact fanny\n    email: "fanny@acme.example" → "f.roux@acme.example"' in pruned.stdout
    )
    assert pruned.stdout.endswith("Plan: 1 to add, 1 to change, 1 to remove.\n")


def test_prune_needs_confirmation(sample_db: Path, tmp_path: Path) -> None:
    text = edit(export(sample_db), '[clients.ACME.alerts.open]\nkeyword = "[ACME support]"\n', "")
    path = write(tmp_path, text)
    before = database_bytes(sample_db)
    kept = ok(sample_db, "config", "apply", str(path))
    assert kept.stdout == "Nothing to change.\n"  # without --prune nothing is removed
    refused = invoke(sample_db, "config", "apply", str(path), "--prune")
    assert refused.exit_code == 1
    assert refused.stderr == "error: Remove 1 object: not confirmed\nhint: add --yes to confirm\n"
    assert database_bytes(sample_db) == before
    ok(sample_db, "config", "apply", str(path), "--prune", "--yes")
    assert "[clients.ACME.alerts.open]" not in export(sample_db)


def test_an_apply_that_fails_half_way_leaves_the_database_as_it_was(
    sample_db: Path, tmp_path: Path
) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T")
    text = export(sample_db)
    # Rename a contact (a change written first), and drop the status the request uses
    # (a removal refused at the very end, when the contact is already changed).
    text = edit(text, 'name = "Fanny Roux"', 'name = "Fanny Roux-Martin"')
    text = edit(
        text, '[statuses.OPEN]\nlabel = "Ouverte"\nlabel_en = "Open"\ntype = "created"\n', ""
    )
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(write(tmp_path, text)), "--prune", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: status 'OPEN' is still used by")
    assert database_bytes(sample_db) == before


def test_the_impact_of_turning_a_contract_source_off(sample_db: Path, tmp_path: Path) -> None:
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--product", "ERP", "--title", "T")
    ok(
        sample_db,
        "request",
        "open",
        "R2",
        "--contract",
        "K1",
        "--title",
        "Closed",
        "--status",
        "CLOSED",
    )
    text = edit(
        export(sample_db),
        'sources = [\n    "product",\n    "contract",\n]',
        'sources = [\n    "product",\n]',
    )
    result = ok(sample_db, "config", "apply", str(write(tmp_path, text)), "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["~ contract K1", '    sources: ["product", "contract"] → ["product"]']
    assert "  R1 open: contact alice stops receiving by email" in lines
    assert "  R1 resolution: contact alice stops receiving by fax" in lines
    assert not any("R2" in line for line in lines), "closed requests are left out"
    doc = json.loads(
        ok(sample_db, "config", "apply", str(write(tmp_path, text)), "--dry-run", "--json").stdout
    )
    assert {
        "request": "R1",
        "event": "resolution",
        "start": [],
        "stop": [
            {"kind": "contact", "code": "alice", "channel": "email"},
            {"kind": "contact", "code": "alice", "channel": "fax"},
        ],
    } in doc["impact"]
    # And turning it on again shows who starts.
    ok(sample_db, "config", "apply", str(write(tmp_path, text)))
    back = edit(
        text, 'sources = [\n    "product",\n]', 'sources = [\n    "product",\n    "contract",\n]'
    )
    result = ok(sample_db, "config", "apply", str(write(tmp_path, back)), "--dry-run")
    assert "  R1 open: contact alice starts receiving by email" in result.stdout.splitlines()


BAD_FILES = [
    (
        '[contacts.zed]\nclient = "ACME"\nemail = "zed@"\n',
        "contacts.zed.email: invalid e-mail address 'zed@'",
    ),
    ('[contacts.zed]\nclient = "ACME"\nfax = "12"\n', "contacts.zed.fax: invalid fax number '12'"),
    ('[contacts.zed]\nclient = "NOPE"\n', "contacts.zed.client: unknown client 'NOPE'"),
    ('[contacts.zed]\nname = "Zed"\n', "contacts.zed.client: is required"),
    ('[contacts.zed]\nclient = "ACME"\ncolour = "red"\n', "contacts.zed.colour: unknown key"),
    (
        '[collaborators.zed]\nalerts = ["opened"]\n',
        "collaborators.zed.alerts: 'opened' is not one of",
    ),
    (
        '[collaborators.zed]\nlinks = ["team:X"]\n',
        "collaborators.zed.links: 'team:X' is not SOURCE:TARGET",
    ),
    (
        '[collaborators.zed]\nlinks = ["service:K1/NOPE"]\n',
        "collaborators.zed.links: unknown service 'K1/NOPE'",
    ),
    ('[clients.X]\nname = "A\\nB"\n', "clients.X.name: name contains the control character U+000A"),
    (
        "[clients.X.sites.A]\nmain = true\n[clients.X.sites.B]\nmain = true\n",
        "clients.X.sites: more than one main site: A, B",
    ),
    ('[clients.X.alerts.open]\nformat = "pdf"\n', "clients.X.alerts.open.keyword: is required"),
    ('[clients.X.alerts.opened]\nkeyword = "K"\n', "clients.X.alerts.opened: unknown event"),
    (
        '[clients.X.alerts.open]\nkeyword = "K"\ntemplate = "nope"\n',
        "clients.X.alerts.open.template: unknown template 'nope'",
    ),
    ('[statuses.X]\ntype = "done"\n', "statuses.X.type: 'done' is not one of"),
    (
        '[templates.t]\nsubject = "s"\ntext = "{{ secret }}"\n',
        "templates.t.text: unknown variable 'secret'",
    ),
    (
        '[contracts.K9]\nclient = "ACME"\nproducts = ["NOPE"]\n',
        "contracts.K9.products: unknown product 'NOPE'",
    ),
    (
        '[contracts.K9]\nclient = "ACME"\nbeneficiaries = ["ACME"]\n',
        "contracts.K9.beneficiaries: 'ACME' holds the contract",
    ),
    ('["a b"]\nname = "x"\n', "(top level).a b: unknown key"),
    ('[products."A/B"]\n', "products.A/B: invalid product code"),
    ("x = [\n", "not a valid TOML file"),
]


@pytest.mark.parametrize(
    ("extra", "problem"), BAD_FILES, ids=[p.split(":")[0] for _, p in BAD_FILES]
)
def test_validation_names_every_problem_by_its_key_path(
    sample_db: Path, tmp_path: Path, extra: str, problem: str
) -> None:
    text = export(sample_db) + "\n" + extra
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(write(tmp_path, text)))
    assert result.exit_code == 1
    assert any(problem in line for line in result.stderr.splitlines()), result.stderr
    assert result.stderr.startswith("error: ")
    assert result.stdout == ""
    assert database_bytes(sample_db) == before


def test_every_problem_is_listed_at_once(sample_db: Path, tmp_path: Path) -> None:
    text = '[contacts.zed]\nclient = "NOPE"\nemail = "zed@"\nfax = "12"\n'
    result = invoke(sample_db, "config", "apply", str(write(tmp_path, text)))
    assert result.stderr.splitlines() == [
        "error: 3 problems in the configuration, nothing changed:",
        "  contacts.zed.email: invalid e-mail address 'zed@': There must be something after "
        "the @-sign.",
        "  contacts.zed.fax: invalid fax number '12': not a valid phone number",
        "  contacts.zed.client: unknown client 'NOPE'",
    ]


def test_config_path(tmp_path: Path) -> None:
    result = ok(tmp_path / "x.db", "config", "path")
    assert result.stdout.endswith("alertctl.toml\n")
    assert result.stderr == "not found: defaults apply\n"


def test_a_stored_address_is_taken_as_is_only_in_its_own_channel(
    sample_db: Path, tmp_path: Path
) -> None:
    """Addresses the database holds are not checked again, but an e-mail address written as
    a fax number is still not a fax number."""
    address = "alice@acme.example"
    text = f'[contacts.zed]\nclient = "ACME"\nemail = "{address}"\nfax = "{address}"\n'
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(write(tmp_path, text)))
    assert result.exit_code == 1
    assert "  contacts.zed.fax: invalid fax number 'alice@acme.example'" in result.stderr
    assert database_bytes(sample_db) == before


UNCHANGED = "the same file as the last apply, and the configuration is unchanged since\n"


def test_an_unchanged_file_applied_again_is_known_to_change_nothing(
    sample_db: Path, tmp_path: Path
) -> None:
    """Database triggers count every write to the configuration: the same file with no write
    since has nothing to change, and says so without reading it all; any write, by any
    command or by hand, makes the next apply read and compare everything again."""
    path = tmp_path / "c.toml"
    path.write_text(ok(sample_db, "config", "export").stdout.replace("Bruno Petit", "Bruno P."))
    first = ok(sample_db, "config", "apply", str(path))
    assert "applied: 0 to add, 1 to change" in first.stderr
    again = ok(sample_db, "config", "apply", str(path))
    assert (again.stdout, again.stderr) == ("Nothing to change.\n", UNCHANGED)
    assert json.loads(ok(sample_db, "config", "apply", str(path), "--json").stdout)["summary"]
    writes = [
        ["contact", "update", "alice", "--name", "Someone else"],
        ["link", "site", "ACME/PARIS", "--contact", "bruno"],
        ["contract", "disable", "K1", "--source", "product"],
        ["status", "add", "NEW", "--label", "New", "--type", "in_progress"],
    ]
    for command in writes:
        ok(sample_db, *command)
        restored = ok(sample_db, "config", "apply", str(path), "--prune", "--yes")
        assert restored.stdout != "Nothing to change.\n", command
        assert "applied:" in restored.stderr, command
        assert ok(sample_db, "config", "apply", str(path), "--prune").stderr == UNCHANGED
    # A write by hand, outside alertctl, counts too.
    with sqlite3.connect(sample_db) as connection:
        connection.execute("DELETE FROM contact_site")
    assert ok(sample_db, "config", "apply", str(path), "--prune", "--yes").stderr != UNCHANGED
    # Other options or another fax region read the file again.
    assert ok(sample_db, "config", "apply", str(path)).stderr != UNCHANGED
    (tmp_path / "alertctl.toml").write_text('[fax]\ndefault_region = "BE"\n')
    other = ok(sample_db, "--config", str(tmp_path / "alertctl.toml"), "config", "apply", str(path))
    assert other.stderr != UNCHANGED
    # A dry run always works the plan out.
    assert ok(sample_db, "config", "apply", str(path), "--dry-run").stderr.endswith(
        "dry run: nothing was written\n"
    )


def test_the_plan_applied_is_the_plan_shown_and_a_change_meanwhile_applies_nothing(
    sample_db: Path,
) -> None:
    """`config apply` is one service call: the plan is made, shown (and confirmed), then that
    plan is applied; another command that writes to the configuration while the plan is shown
    makes the apply refuse, with nothing written."""
    from alertctl.errors import Conflict
    from alertctl.services.configuration.apply import apply_file
    from alertctl.services.configuration.plan import Plan

    text = export(sample_db).replace('name = "Acme Industries"', 'name = "Acme Renamed"')
    database = Database(str(sample_db))
    shown: list[Plan] = []

    def meanwhile(plan: Plan) -> None:
        shown.append(plan)
        ok(sample_db, "product", "update", "ERP", "--name", "Written meanwhile")

    try:
        with pytest.raises(Conflict, match="the configuration changed while the plan was shown"):
            apply_file(database, text, region="FR", prune=False, confirm=meanwhile)
        assert [c.key for c in shown[0].changes] == ["ACME"]
        assert "Acme Industries" in export(sample_db)  # nothing applied
        done = apply_file(database, text, region="FR", prune=False, confirm=shown.append)
    finally:
        database.close()
    # Made again, the plan also brings back what was written meanwhile; that plan is applied.
    assert done.plan is shown[-1] and [c.key for c in done.plan.changes] == ["ACME", "ERP"]
    assert 'name = "Acme Renamed"' in export(sample_db)
    assert "Written meanwhile" not in export(sample_db)
