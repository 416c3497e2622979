"""The lines of a feed, from a file or from stdin, read as they come."""

import hashlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path


def feed_lines(source: str) -> tuple[Iterable[bytes | None], str | None, int | None]:
    """The feed's lines, as bytes so that a line that is not UTF-8 fails alone, read as they
    come (a file of a million lines is never held whole). With the feed's identity and its
    length, for a file; from stdin, a pause (None) wherever the next line is not there yet."""
    from alertctl.errors import Invalid

    if source == "-":
        try:
            return _live_lines(sys.stdin.fileno()), None, None
        except (OSError, ValueError):  # a stdin that is no file (an embedding program's)
            return (line.rstrip(b"\r\n") for line in sys.stdin.buffer), None, None
    path = Path(source)
    if not path.is_file():
        raise Invalid(f"no file {source}")
    identity, count = feed_identity(path)

    def lines() -> Iterator[bytes]:
        with path.open("rb") as file:
            for line in file:
                yield line.rstrip(b"\r\n")

    return lines(), identity, count


def _live_lines(fd: int) -> Iterator[bytes | None]:
    """Lines from a pipe or a terminal, each as soon as it is whole. Read with os.read rather
    than through Python's buffered file, which cannot tell whether its next read would wait."""
    import os
    import select

    pending = b""
    while True:
        if not select.select([fd], [], [], 0)[0]:
            yield None  # nothing to read now: what was applied is committed before the wait
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        *whole, pending = (pending + chunk).split(b"\n")
        for line in whole:
            yield line.rstrip(b"\r")
    if pending:
        yield pending.rstrip(b"\r")


def feed_identity(path: Path) -> tuple[str, int]:
    """The same file, unchanged: the same bytes in the same file (device, inode, modification
    time). A copy of a feed, or one written again with the same lines, is another feed. With
    the file's number of lines, counted in the same pass."""
    stat = path.stat()
    digest = hashlib.sha256()
    lines = 0
    last = b"\n"
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return f"{digest.hexdigest()}:{stat.st_dev}:{stat.st_ino}:{stat.st_mtime_ns}", lines
