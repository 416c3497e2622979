"""The README's shell examples run as written, in order, in a fresh folder, and every output it
shows is what the tool prints.

`sh` blocks are scripts: each must succeed. `console` blocks are transcripts: a `$ ` line is a
command (a line ending in a backslash goes on), and the lines after it are what it prints, its
standard output then its standard error. Both kinds run in one shell, so that an `export` holds
for what follows. The two install commands at the top are left to CI, which runs them on a
fresh machine. Plain blocks (unit files, cron lines, the command synopsis) are not run.

After a change of output, `README_UPDATE=1 pytest tests/test_readme.py` writes what the tool
prints now into the README's transcripts; review the difference before committing it.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)


@dataclass
class Command:
    text: str  # as the shell runs it
    source: list[str]  # as the README writes it, continuation lines included
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # sh or console
    body: str
    start: int  # offset of the body in the README
    commands: list[Command] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(text):
        kind, body = match.group(1), match.group(2)
        if kind == "sh" and "pip install" not in body:
            found.append(Block(kind, body, match.start(2)))
        elif kind == "console":
            found.append(Block(kind, body, match.start(2), _transcript(body)))
    return found


def _transcript(body: str) -> list[Command]:
    lines = body.splitlines()
    commands: list[Command] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        assert line.startswith("$ "), f"a console block starts each command with '$ ': {line!r}"
        start, text = index, line[2:]
        while text.endswith("\\"):
            index += 1
            text = text[:-1] + lines[index].strip()
        index += 1
        first = index
        while index < len(lines) and not lines[index].startswith("$ "):
            index += 1
        commands.append(Command(text, lines[start:first], lines[first:index]))
    return commands


def _script(found: list[Block], folder: Path) -> str:
    # pipefail: a command that fails is seen through a pipe (`alertctl ... | tail -n 1`).
    parts = ["set -u -o pipefail"]
    number = 0
    for block in found:
        if block.kind == "sh":
            # In this shell (what it exports holds for what follows); any failure ends the run.
            parts.append(f"set -e\n{block.body}set +e")
            continue
        for command in block.commands:
            out, err = folder / f".out{number}", folder / f".err{number}"
            run = ":" if command.text.lstrip().startswith("#") else command.text  # a comment
            parts.append(f"{{ {run}\n}} >{out} 2>{err}; echo $? >{folder / f'.rc{number}'}")
            number += 1
    return "\n".join(parts) + "\n"


def _environment(folder: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ALERTCTL_") and k not in ("COLUMNS", "LINES")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(HOME=str(folder), XDG_CONFIG_HOME=str(folder / ".config"))
    env.update(XDG_DATA_HOME=str(folder / ".data"), LC_ALL="C.UTF-8")
    return env


def _tidy(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_the_readme_runs_as_written_and_shows_what_the_tool_prints(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    found = blocks(text)
    commands = [c for b in found for c in b.commands]
    assert len(commands) >= 10 and any(b.kind == "sh" for b in found)
    run = subprocess.run(
        ["bash", "-c", _script(found, tmp_path)],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    printed = [
        _tidy(
            (tmp_path / f".out{n}").read_text().splitlines()
            + (tmp_path / f".err{n}").read_text().splitlines()
        )
        for n in range(len(commands))
    ]
    if os.environ.get("README_UPDATE") == "1":
        README.write_text(_updated(text, found, printed), encoding="utf-8")
        return
    for number, (command, actual) in enumerate(zip(commands, printed, strict=True)):
        assert actual == _tidy(command.expected), f"$ {command.text}"
        # A transcript shows a failure by its `error:` line; any other command must succeed.
        failed = int((tmp_path / f".rc{number}").read_text()) != 0
        shows_error = any(line.startswith("error:") for line in actual)
        assert failed == shows_error, f"$ {command.text}: exit status and output disagree"


def _updated(text: str, found: list[Block], printed: list[list[str]]) -> str:
    """The README with each transcript's output replaced by what was printed."""
    outputs = iter(printed)
    pieces, position = [], 0
    for block in found:
        if block.kind != "console":
            continue
        lines = [line for c in block.commands for line in (*c.source, *next(outputs))]
        pieces += [text[position : block.start], "\n".join(lines) + "\n"]
        position = block.start + len(block.body)
    pieces.append(text[position:])
    return "".join(pieces)
