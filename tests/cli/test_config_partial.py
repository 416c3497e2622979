"""`config apply` of a file that is part of the configuration: it may name what the database
holds already; a template's change is shown as a diff, values as the file writes them."""

from pathlib import Path

from tests.helpers import invoke, ok, refused


def test_a_partial_file_may_name_what_the_database_holds(sample_db: Path, tmp_path: Path) -> None:
    part = tmp_path / "part.toml"
    part.write_text(
        "[contacts.lucas]\n"
        'client = "GLOBEX"\n'
        'name = "Lucas Garnier"\n'
        'email = "lucas@globex.example"\n'
        'sites = ["SPRINGFIELD"]\n'
        'links = ["contract:K1", "site:GLOBEX/SPRINGFIELD"]\n'
    )
    done = ok(sample_db, "config", "apply", str(part), "--yes")
    assert "+ contact lucas" in done.stdout
    assert '    name: "Lucas Garnier"' in done.stdout
    assert '    sites: ["SPRINGFIELD"]' in done.stdout
    assert ok(sample_db, "contact", "show", "lucas", "--json").stdout
    # With --prune the file is the whole configuration: it may name nothing else.
    whole = invoke(sample_db, "config", "apply", str(part), "--prune", "--yes")
    assert whole.exit_code == 1
    assert "contacts.lucas.client: unknown client 'GLOBEX'" in whole.stderr
    refused(sample_db, ["config", "apply", str(part.with_name("none.toml")), "--yes"], 1, "cannot")


def test_a_template_change_is_shown_as_a_diff(sample_db: Path, tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("Bonjour,\nune ligne\nune autre\nfin\n")
    ok(sample_db, "template", "add", "mine", "--subject", "S", "--text", str(text))
    part = tmp_path / "t.toml"
    part.write_text(
        "[templates.mine]\n"
        'subject = "S"\n'
        'text = """\nBonjour,\nune ligne changée\nune autre\nfin\n"""\n'
    )
    done = ok(sample_db, "config", "apply", str(part), "--yes")
    lines = done.stdout.splitlines()
    start = lines.index("~ template mine")
    assert lines[start + 1 : start + 6] == [
        "    text:",
        "      @@ -1,3 +1,3 @@",
        "       Bonjour,",
        "      -une ligne",
        "      +une ligne changée",
    ]


def test_the_sample_setup_round_trips_byte_for_byte(db_path: Path) -> None:
    setup = Path(__file__).resolve().parents[2] / "sample-data" / "setup.toml"
    ok(db_path, "config", "apply", str(setup), "--yes")
    assert ok(db_path, "config", "export").stdout == setup.read_text(encoding="utf-8")
