"""The one way tests run commands: in-process, on a real SQLite file, through the error boundary."""

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alertctl.cli.app import run


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"exit {self.exit_code}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def invoke(db: Path | str, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(["--db", str(db), *args])
    return Result(code, out.getvalue(), err.getvalue())


def ok(db: Path | str, *args: str) -> Result:
    """Run a command that must succeed."""
    result = invoke(db, *args)
    assert result.exit_code == 0, str(result)
    return result


def database_bytes(db: Path) -> dict[str, bytes]:
    """The database file and its companions, as they are on disk."""
    return {
        path.name: path.read_bytes()
        for path in sorted(db.parent.glob(db.name + "*"))
        if not path.name.endswith("-shm")
    }


def refused(db: Path, args: list[str], exit_code: int, message: str) -> Result:
    """Run a command that must be refused cleanly: its exit code, one `error:` line starting
    with `message` (and at most a hint), nothing on stdout, no traceback, and the database
    left byte for byte as it was."""
    before = database_bytes(db)
    result = invoke(db, *args)
    assert result.exit_code == exit_code, str(result)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {message}"), str(result)
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), str(result)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert database_bytes(db) == before
    return result


def open_args(reference: str = "R1", *, product: str | None = "ERP") -> tuple[str, ...]:
    """`request open` of a request on contract K1 of the sample, with a description."""
    with_product = ("--product", product) if product else ()
    return (
        "request",
        "open",
        reference,
        "--contract",
        "K1",
        *with_product,
        "--title",
        "Printer",
        "--external-description",
        "It jams",
    )


# GLOBEX's own request on K1, the contract ACME holds for it (GLOBEX is its beneficiary).
GLOBEX_R2 = (
    "request",
    "open",
    "R2",
    "--contract",
    "K1",
    "--client",
    "GLOBEX",
    "--product",
    "ERP",
    "--title",
    "Export",
    "--external-description",
    "The export stops",
)


def parameters(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """Every parameter of every command under a click group, with the command's path."""
    found = []
    for name in command.list_commands(None) if hasattr(command, "list_commands") else []:
        sub = command.get_command(None, name)
        if hasattr(sub, "list_commands"):
            found.extend(parameters(sub, (*path, name)))
        else:
            found.extend((" ".join((*path, name)), p) for p in sub.params)
    return found
