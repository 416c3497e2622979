"""The one way tests run commands: in-process, on a real SQLite file, through the error boundary."""

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

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
