"""The lines of a feed, from a file or from stdin, read as they come."""

import hashlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

# A line is refused past feed_lines.MAX_LINE_CHARS characters: longer lines are read no further
# than their first MAX_LINE_BYTES + 1 bytes, in time and in memory.
from alertctl.services.saves.feed_lines import MAX_LINE_BYTES


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
            while line := file.readline(MAX_LINE_BYTES + 1):
                if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                    # Too long to be a save: its start is kept to be refused, the rest skipped.
                    while (rest := file.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                yield line.rstrip(b"\r\n")

    return lines(), identity, count


def _live_lines(fd: int) -> Iterator[bytes | None]:
    """Lines from a pipe or a terminal, each as soon as it is whole. Read with os.read rather
    than through Python's buffered file, which cannot tell whether its next read would wait."""
    import os
    import select

    # The start of the line being read, in pieces: joined once the line is whole, so a long
    # line costs linear time; past MAX_LINE_BYTES the rest of it is not kept.
    pieces: list[bytes] = []
    size = 0
    while True:
        if not select.select([fd], [], [], 0)[0]:
            yield None  # nothing to read now: what was applied is committed before the wait
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        *ends, tail = chunk.split(b"\n")
        for end in ends:
            pieces.append(end)
            yield b"".join(pieces)[: MAX_LINE_BYTES + 1].rstrip(b"\r")
            pieces, size = [], 0
        if size <= MAX_LINE_BYTES:
            pieces.append(tail)
            size += len(tail)
    if pieces and size:
        yield b"".join(pieces)[: MAX_LINE_BYTES + 1].rstrip(b"\r")


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
