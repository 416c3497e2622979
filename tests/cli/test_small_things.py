"""Codes that differ only by case, fax extensions, and every blocker of a prune named."""

from pathlib import Path

from tests.helpers import database_bytes, invoke, ok, refused


def test_codes_may_not_differ_only_by_case(sample_db: Path) -> None:
    refused(
        sample_db,
        ["client", "add", "acme", "--name", "Acme"],
        1,
        "client 'ACME' already exists: codes may not differ only by case",
    )
    refused(
        sample_db,
        ["contact", "add", "ALICE", "--client", "ACME"],
        1,
        "contact 'alice' already exists: codes may not differ only by case",
    )
    refused(
        sample_db,
        ["site", "add", "ACME", "paris"],
        1,
        "site 'PARIS' already exists: codes may not differ only by case",
    )
    result = refused(sample_db, ["client", "show", "acme"], 1, "unknown client 'acme'")
    assert result.stderr.endswith("hint: did you mean ACME?\n")
    # The same code for another kind of thing is fine.
    ok(sample_db, "product", "add", "acme", "--name", "Acme's own product")


def test_a_file_cannot_bring_codes_that_differ_only_by_case(
    sample_db: Path, tmp_path: Path
) -> None:
    exported = ok(sample_db, "config", "export").stdout
    path = tmp_path / "twins.toml"
    path.write_text(exported + '\n[clients.acme]\nname = "Acme again"\n', encoding="utf-8")
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(path), "--yes")
    assert result.exit_code == 1, str(result)
    assert "error: codes may not differ only by case" in result.stderr
    assert "client codes that differ only by case: ACME, acme" in result.stderr
    assert database_bytes(sample_db) == before


def test_a_fax_number_with_an_extension_is_refused(sample_db: Path) -> None:
    refused(
        sample_db,
        ["contact", "update", "alice", "--fax", "+33 1 45 00 00 01 ext. 12"],
        1,
        "invalid fax number '+33 1 45 00 00 01 ext. 12': it has an extension (12)",
    )


def test_a_prune_names_every_removal_that_is_blocked(sample_db: Path, tmp_path: Path) -> None:
    import tomllib

    import tomli_w

    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T", "--status", "WIP")
    document = tomllib.loads(ok(sample_db, "config", "export").stdout)
    del document["contracts"]["K1"]
    del document["statuses"]["WIP"]
    for section in ("contacts", "collaborators"):
        for person in document.get(section, {}).values():
            person["links"] = [
                link for link in person.get("links", []) if not link.split(":")[1].startswith("K1")
            ]
    path = tmp_path / "pruned.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(path), "--prune", "--yes")
    assert result.exit_code == 1, str(result)
    errors = result.stderr[result.stderr.index("error: ") :]
    assert errors.startswith("error: 2 removals blocked; nothing was applied")
    assert "contract 'K1' is still used by 1 request" in errors
    assert "status 'WIP' is still used by 1 request" in errors
    assert database_bytes(sample_db) == before


def test_what_still_uses_a_row_is_counted_in_words(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME")
    ok(db_path, "site", "add", "ACME", "P", "--main")
    ok(db_path, "site", "add", "ACME", "L")
    ok(db_path, "contact", "add", "a", "--client", "ACME")
    refused(
        db_path,
        ["client", "remove", "ACME", "--yes"],
        1,
        "client 'ACME' is still used by 1 person, 2 sites",
    )
