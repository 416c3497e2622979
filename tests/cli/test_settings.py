"""`alertctl.toml`: a file that cannot mean what was written is refused by every command that
reads it, before anything is done, with the nearest known name; `check` lists every problem."""

import json
from pathlib import Path

import pytest

from tests.helpers import database_bytes, invoke, ok
from tests.services.test_delivery import queue, settings_file, statuses

SMTP_OK = '[transport]\nemail = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = 2525\nstarttls = false\n'


@pytest.mark.parametrize(
    ("text", "error", "hint"),
    [
        (
            '[transprot]\nemail = "smtp"\n',
            "unknown section [transprot]",
            "did you mean [transport]?",
        ),
        (
            '[smtp]\nhost = "mail.example.com"\nprot = 8025\n',
            "unknown key 'prot' in [smtp]",
            "did you mean port?",
        ),
        (
            "[delivery]\nbatchsize = 5\n",
            "unknown key 'batchsize' in [delivery]",
            "did you mean batch_size?",
        ),
        (
            "[smtp]\nzzz = 1\n",
            "unknown key 'zzz' in [smtp]",
            "known: host, port, starttls, tls, username, password_file, timeout, "
            "send_password_without_tls",
        ),
        ('[smtp]\ntls = "false"\n', "[smtp] tls must be true or false, not 'false'", None),
        (
            "[delivery]\nmax_attempts = true\n",
            "[delivery] max_attempts must be a whole number",
            None,
        ),
        ('[delivery]\nbackoff_base = "60"\n', "[delivery] backoff_base must be a number", None),
        ("[fax]\ngateway = 123\n", "[fax] gateway must be a string, not 123", None),
        ('[fax]\ncommand = "sendfax"\n', "[fax] command must be a list of strings", None),
        ("transport = 5\n", "transport must be a section", "write it as [transport]"),
        (
            '[transport]\nemail = "smtp"\n',
            '[transport] email = "smtp" needs [smtp] host',
            'add [smtp] host = "smtp.example.com" (and port, starttls, username)',
        ),
        (
            '[transport]\nfax = "gateway"\n[fax]\ngateway = "{number}@fax.example.net"\n',
            '[transport] fax = "gateway" (it mails the fax) needs [smtp] host',
            'add [smtp] host = "smtp.example.com" (and port, starttls, username)',
        ),
        ('[transport]\nfax = "command"\n', "fax transport 'command' needs [fax] command", None),
        ("[smtp]\nport = 0\n", "[smtp] port = 0 is out of range: from 1 to 65535", None),
    ],
)
def test_a_settings_file_that_cannot_mean_what_was_written_is_refused(
    sample_db: Path, text: str, error: str, hint: str | None
) -> None:
    Path("alertctl.toml").write_text(text)
    before = database_bytes(sample_db)
    for command in (["client", "list"], ["alerts", "send"], ["alerts", "list"]):
        result = invoke(sample_db, *command)
        assert result.exit_code == 1, str(result)
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"error: alertctl.toml: {error}"), str(result)
        if hint is not None:
            assert lines[1] == f"hint: {hint}", str(result)
        assert result.stdout == ""
    assert database_bytes(sample_db) == before


def test_a_bad_file_is_refused_before_anything_is_claimed_or_sent(
    sample_db: Path, tmp_path: Path
) -> None:
    settings_file(2525)
    queue(sample_db, "a@acme.example")
    Path("alertctl.toml").write_text(Path("alertctl.toml").read_text() + "prot = 25\n")
    assert invoke(sample_db, "alerts", "send").exit_code == 1
    assert invoke(sample_db, "alerts", "send", "--watch").exit_code == 1
    assert statuses(sample_db) == {"pending": 1}


def test_check_lists_every_problem_at_once(sample_db: Path) -> None:
    Path("alertctl.toml").write_text(
        '[transprot]\nemail = "smtp"\n[smtp]\nprot = 8025\ntls = "false"\n[delivery]\n'
        "max_attempts = 0\n"
    )
    result = invoke(sample_db, "check", "--json")
    assert result.exit_code == 1, str(result)
    found = [
        (p["message"], p["fix"])
        for p in json.loads(result.stdout)["problems"]
        if p["area"] == "settings"
    ]
    assert found == [
        ("alertctl.toml: unknown section [transprot]", "did you mean [transport]?"),
        ("alertctl.toml: unknown key 'prot' in [smtp]", "did you mean port?"),
        ("alertctl.toml: [smtp] tls must be true or false, not 'false'", None),
        ("alertctl.toml: [delivery] max_attempts = 0 is out of range: from 1 to 1000", None),
    ]
    shown = invoke(sample_db, "check")
    assert shown.stderr.splitlines()[-1] == "4 problems found"
    # The file in use is still named, with what is wrong in it.
    path = ok(sample_db, "config", "path")
    assert path.stdout == "alertctl.toml\n"
    assert path.stderr == "found, with 4 problems: alertctl check lists them\n"


def test_a_fax_left_on_the_local_maildir_while_email_goes_by_smtp_is_a_warning(
    sample_db: Path,
) -> None:
    Path("alertctl.toml").write_text(SMTP_OK)
    result = ok(sample_db, "check", "--json")
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["problems"] == []
    assert document["warnings"] == [
        {
            "area": "settings",
            "subject": "alertctl.toml",
            "message": "e-mail goes by SMTP while faxes stay in the local maildir 'outbox': no "
            "fax leaves this machine",
            "fix": 'set [transport] fax = "gateway" or "command", with its [fax] settings',
        }
    ]
    assert ok(sample_db, "check").stderr.splitlines()[-1] == "1 warning"
    # Faxes by gateway: no warning.
    Path("alertctl.toml").write_text(
        SMTP_OK.replace('email = "smtp"\n', 'email = "smtp"\nfax = "gateway"\n')
        + '[fax]\ngateway = "{number}@fax.example.net"\n'
    )
    assert json.loads(ok(sample_db, "check", "--json").stdout)["warnings"] == []
