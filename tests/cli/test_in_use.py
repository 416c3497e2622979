"""Whatever is in use cannot be removed or broken: a template a switched-on setting uses (named
or as its language's default), the last status new requests can open with; and no change may
leave a switched-on setting with a template that does not render."""

from pathlib import Path

from tests.helpers import database_bytes, invoke, ok, refused


def test_a_default_template_a_setting_relies_on_cannot_be_removed(sample_db: Path) -> None:
    refused(
        sample_db,
        ["template", "remove", "default-resolution-fr", "--yes"],
        1,
        "template 'default-resolution-fr' is used by client ACME resolution (its language's "
        "default)",
    )
    # A default that no switched-on setting uses may go.
    ok(sample_db, "template", "remove", "default-closure_internal-en", "--yes")


def test_switching_on_an_event_whose_default_is_gone_is_refused(sample_db: Path) -> None:
    ok(sample_db, "template", "remove", "default-closure_internal-fr", "--yes")
    refused(
        sample_db,
        ["client", "alerts", "ACME", "-e", "closure_internal", "--enable", "--keyword", "[A]"],
        1,
        "client ACME closure_internal: template 'default-closure_internal-fr' does not exist",
    )


def test_a_language_whose_defaults_are_gone_cannot_be_chosen(sample_db: Path) -> None:
    ok(sample_db, "template", "remove", "default-resolution-en", "--yes")
    refused(
        sample_db,
        ["client", "update", "ACME", "--language", "en"],
        1,
        "client ACME resolution: template 'default-resolution-en' does not exist",
    )


def test_a_file_cannot_switch_on_a_template_that_does_not_render(
    sample_db: Path, tmp_path: Path
) -> None:
    exported = ok(sample_db, "config", "export").stdout
    broken = exported + (
        '\n[templates.fragile]\nlanguage = "fr"\nsubject = "s"\n'
        'text = "{{ request.status.nope }}"\n'
    )
    broken = broken.replace(
        '[clients.ACME.alerts.resolution]\nkeyword = "[ACME support]"',
        '[clients.ACME.alerts.resolution]\nkeyword = "[ACME support]"\ntemplate = "fragile"',
    )
    assert 'template = "fragile"' in broken
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(path), "--yes")
    assert result.exit_code == 1, str(result)
    assert (
        "error: client ACME resolution: template fragile does not render on a sample request"
    ) in result.stderr
    assert database_bytes(sample_db) == before


def test_the_last_status_new_requests_open_with_cannot_be_removed(sample_db: Path) -> None:
    refused(
        sample_db,
        ["status", "remove", "OPEN", "--yes"],
        1,
        "status 'OPEN' is the only one of type created, which new requests take",
    )
    ok(sample_db, "status", "add", "NEW", "--label", "Nouvelle", "--type", "created")
    ok(sample_db, "status", "remove", "OPEN", "--yes")


def test_a_file_cannot_prune_the_last_status_of_type_created(
    sample_db: Path, tmp_path: Path
) -> None:
    import tomllib

    import tomli_w

    document = tomllib.loads(ok(sample_db, "config", "export").stdout)
    del document["statuses"]["OPEN"]
    path = tmp_path / "no-created.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    before = database_bytes(sample_db)
    result = invoke(sample_db, "config", "apply", str(path), "--prune", "--yes")
    assert result.exit_code == 1, str(result)
    assert (
        "error: the file leaves no status of type created, which new requests take" in result.stderr
    )
    assert database_bytes(sample_db) == before
