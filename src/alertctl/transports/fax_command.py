"""Fax through a fax server's submit command (HylaFAX `sendfax` and the like).

The command is run with an argument list, never through a shell; `{number}` and `{file}` in its
arguments become the E.164 number and a file holding the text version. A submit cannot be taken
back: the hand-over is signalled before the command runs, so an interrupted submit is never
repeated by itself.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from alertctl.transports.base import (
    Accepted,
    OutcomeUnknown,
    Outgoing,
    Prepared,
    TemporaryFailure,
    Unreachable,
)
from alertctl.transports.layout import page

# A fax's text waits in a private temporary folder named after the sender's process, so that a
# folder left by a sender that was killed is recognised, and removed, by the next one.
_PREFIX = "alertctl-fax-"


def remove_stale_fax_files() -> list[Path]:
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and folder.is_dir() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: not ours to judge
    return True


class FaxCommandTransport:
    at_most_once = True

    def __init__(self, command: tuple[str, ...], *, timeout: float = 120.0) -> None:
        self.command = command
        self.timeout = timeout

    def open(self) -> None:
        remove_stale_fax_files()

    def prepare(self, message: Outgoing) -> Prepared:
        document = page(f"{message.subject}\n\n{message.text}")
        return Prepared(message, message.address, document.encode())

    def send(self, prepared: Prepared, handed_over: Callable[[], None] | None = None) -> Accepted:
        if handed_over is not None:
            handed_over()
        document = prepared.data.decode()
        with tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{os.getpid()}-") as folder:
            path = Path(folder) / "fax.txt"
            path.write_text(document, encoding="utf-8")
            argv = [
                a.replace("{number}", prepared.recipient).replace("{file}", str(path))
                for a in self.command
            ]
            try:
                done = subprocess.run(
                    argv, capture_output=True, text=True, timeout=self.timeout, check=False
                )
            except FileNotFoundError:
                raise Unreachable(f"fax command not found: {argv[0]}") from None
            except PermissionError:
                raise Unreachable(f"fax command not executable: {argv[0]}") from None
            except subprocess.TimeoutExpired:
                raise OutcomeUnknown(
                    f"fax command timed out after {self.timeout:g} s: the fax may have gone"
                ) from None
        output = (done.stdout.strip() or done.stderr.strip()).splitlines()
        last = output[-1] if output else ""
        if done.returncode != 0:
            raise TemporaryFailure(f"fax command exited with {done.returncode}: {last}".strip())
        return Accepted(last or "submitted", document)

    def close(self) -> None:
        pass
