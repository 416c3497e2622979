"""Every command explains itself, and help and version stay light."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from alertctl.cli.app import app
from alertctl.domain.model import Channel, Event, Language, MailFormat, Source
from tests.helpers import invoke, parameters


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under a click group, the root's lazily loaded ones included."""
    found = []
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        assert command is not None, name
        found.append((*prefix, name))
        if hasattr(command, "list_commands"):
            found.extend(_commands(command, (*prefix, name)))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_the_command_tree_is_complete() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for expected in (
        "init",
        "db path",
        "link",
        "unlink",
        "client alerts",
        "site main",
        "contact reception",
        "contact alerts",
        "contact leave",
        "collaborator alerts",
        "contract enable",
        "contract disable",
        "service add",
        "status add",
        "check",
        "alerts send",
        "alerts test",
    ):
        assert expected in names
    for noun in ("client", "contact", "collaborator", "product", "contract"):
        for verb in ("add", "list", "show", "remove"):
            assert f"{noun} {verb}" in names


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(tmp_path, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = invoke(tmp_path / "none.db", *command, "--help")
    assert result.exit_code == 0, str(result)
    assert "Usage:" in result.stdout
    # The first line of the docstring or the group's help is shown under the usage line.
    lines = [line.strip(" │") for line in result.stdout.splitlines()]
    assert any(len(line) > 10 and not line.startswith(("Usage", "╭", "╰")) for line in lines), (
        result.stdout
    )


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["client", "--help"], ["check", "--help"], ["alerts", "--help"]],
)
def test_help_and_version_import_neither_sqlalchemy_nor_jinja2(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from alertctl.cli.app import run\n"
        f"code = run({args!r})\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'jinja2', 'phonenumbers', 'email_validator',"
        " 'alembic', 'sqlmodel', 'prometheus_client') if m in sys.modules)\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "0 []"


def test_version() -> None:
    from alertctl import __version__

    done = subprocess.run(
        [sys.executable, "-m", "alertctl", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"alertctl {__version__}\n"


def _readme_commands() -> list[tuple[str, ...]]:
    """The command paths the README's command list names: `a b|c ; d e | f` gives a b, a c,
    d e and d f (a part after ` | ` names another verb of the same group, unless it starts at
    the top)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("## Commands\n\n```\n", 1)[1].split("```", 1)[0]
    tree: dict[tuple[str, ...], bool] = {c: True for c in COMMANDS}
    top = {c[0] for c in COMMANDS}
    found: list[tuple[str, ...]] = []

    def walk(prefix: tuple[str, ...], words: list[str]) -> None:
        if not words or not words[0][0].islower() or words[0] == "...":
            found.append(prefix)
            return
        for name in words[0].split("|"):
            path = (*prefix, name)
            if path in tree and any(c[: len(path)] == path and len(c) > len(path) for c in tree):
                walk(path, words[1:])
            else:
                found.append(path)

    for line in block.splitlines():
        for segment in line.removeprefix("alertctl ").split(" ; "):
            group: tuple[str, ...] = ()
            for part in segment.split(" | "):
                words = part.split()
                if not words or words[0].startswith("-"):
                    continue
                first = words[0].split("|")[0]
                start = group if group and (*group, first) in tree else ()
                if not start and first not in top:
                    start = group
                before = len(found)
                walk(start, words)
                if found[before:] and len(found[before]) > 1:
                    group = found[before][:-1]
    return found


def test_every_command_in_the_readme_exists() -> None:
    named = _readme_commands()
    assert len(named) > 40
    missing = sorted({" ".join(c) for c in named} - {" ".join(c) for c in COMMANDS})
    assert missing == []


def test_the_root_shows_each_command_with_its_own_help() -> None:
    """The root lists its commands from a table, without loading them: the table says what
    each command itself says."""
    from alertctl.cli.commands import ENTRIES, load

    assert set(ENTRIES) == {c[0] for c in COMMANDS}
    for name, entry in ENTRIES.items():
        help_text = load(name).help or ""
        assert help_text.split("\n\n")[0].strip() == entry.help, name


def test_a_command_loads_its_own_module_only() -> None:
    probe = (
        "import sys\n"
        "from alertctl.cli.app import run\n"
        "run(['client', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('alertctl.cli.')), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = done.stderr.strip().splitlines()[-1]
    assert "alertctl.cli.clients" in loaded
    assert "alertctl.cli.people" not in loaded and "alertctl.cli.requests" not in loaded


def _help(command: tuple[str, ...]) -> str:
    return invoke("none.db", *command, "--help").stdout


HELP = {command: _help(command) for command in [(), *COMMANDS]}
# What each kind of option takes, and where its valid values must show in the help.
VALUES = {
    r"--event|--on|--off": [e.value for e in Event],
    r"--source": [s.value for s in Source],
    r"--format": [f.value for f in MailFormat],
    r"--language": [lang.value for lang in Language],
    r"--channel": [c.value for c in Channel],
}


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_options_are_spelled_as_users_expect(command: tuple[str, ...]) -> None:
    for option in re.findall(r"^\s+(?:-\w, )?(--[^\s<,/]+)", HELP[command], re.M):
        assert re.fullmatch(r"--[a-z][a-z0-9]*(-[a-z0-9]+)*", option), (command, option)


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "alertctl")
def test_help_is_in_english_and_lists_the_valid_values(command: tuple[str, ...]) -> None:
    text = HELP[command]
    assert text.isascii(), [line for line in text.splitlines() if not line.isascii()]
    for option, values in VALUES.items():
        block = _option_help(text, option)
        if block is not None:
            missing = [v for v in values if v not in block]
            assert not missing, (command, option, missing)


def _option_help(text: str, option: str) -> str | None:
    """The lines of help of the first option named `option`, or None when there is none."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"^\s+(?:-\w, )?({option})[\s<=]", line):
            block = [line]
            for following in lines[index + 1 :]:
                if re.match(r"^\s+-", following) or not following.startswith(" "):
                    break
                block.append(following)
            return " ".join(block)
    return None


def test_only_the_metrics_commands_import_the_prometheus_client(db_path: Path) -> None:
    def imported(args: list[str]) -> bool:
        probe = (
            "import sys, io, contextlib\n"
            "from alertctl.cli.app import run\n"
            f"with contextlib.redirect_stdout(io.StringIO()): run({args!r})\n"
            "print('prometheus_client' in sys.modules, file=sys.stderr)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        return done.stderr.strip().splitlines()[-1] == "True"

    assert not imported(["--db", str(db_path), "client", "list"])
    assert not imported(["--db", str(db_path), "check"])
    assert imported(["--db", str(db_path), "metrics"])


PARSER_WORDS = re.compile(
    r"<[a-z\[\]|, ]+>|list\[|\[\[|9223372036854775807|int range|\bstr\b|[{}]|\bx[<>]=?"
    r"|\b(?!ALERTCTL_)[A-Z]+_[A-Z_]*\b|Usage: .*\[[a-z]+\|"
)


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "alertctl")
def test_help_names_values_for_people_not_for_a_parser(command: tuple[str, ...]) -> None:
    """`CODE`, `ADDRESS`, `FILE`, `N`, never `<str>`, `<list[str]>`, `[[ID]]`, `{CODE}`,
    `x>=1`, a parameter's Python name (`COALESCE_IDLE`, `STATE_`) or 2^63; and every summary
    whole, never cut with "..."."""
    text = invoke("unused.db", *command, "--help").stdout
    found = PARSER_WORDS.findall(text)
    assert not found, f"alertctl {' '.join(command)} --help shows {found}:\n{text}"
    cut = [x for x in text.splitlines() if x.endswith("...") and not x.startswith("Usage:")]
    assert not cut, f"alertctl {' '.join(command)} --help cuts {cut}"


def test_every_argument_and_option_is_described() -> None:
    undescribed = [
        f"{command} {param.name}"
        for command, param in parameters(typer.main.get_command(app))
        if not getattr(param, "help", None)
    ]
    assert undescribed == []


def test_an_argument_shows_its_valid_values_in_its_description() -> None:
    text = HELP[("link",)]
    assert "Usage: alertctl link [OPTIONS] SOURCE TARGET" in text
    assert "product, site, contract, service, client" in " ".join(text.split())
    assert "Usage: alertctl sla explain [OPTIONS] REFERENCE CLOCK" in HELP[("sla", "explain")]


def test_a_file_argument_is_named_file() -> None:
    for command in (("batch",), ("request", "ingest"), ("config", "apply")):
        assert f"Usage: alertctl {' '.join(command)} [OPTIONS] FILE" in HELP[command]
    assert "--dir DIR" in HELP[("demo",)]
