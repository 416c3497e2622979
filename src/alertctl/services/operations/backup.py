"""`alertctl db backup`: a consistent copy of a SQLite database, taken while senders run.

SQLite's online backup API copies the database as one read transaction sees it: a sender that
commits meanwhile writes to the write-ahead log, not to the pages being copied, so the copy is
the database at one moment, never half of a save. The copy is written beside its destination
under a temporary name, readable by its owner only, checked with `PRAGMA integrity_check`, and
only then renamed into place: a copy that did not check out never takes the destination's name.
"""

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alertctl.db.engine import Database
from alertctl.errors import Conflict, Invalid


@dataclass(frozen=True)
class Backup:
    database: Path
    copy: Path
    pages: int
    bytes: int


def backup(db: Database, destination: Path, *, keep: bool = True) -> Backup:
    """The copy, checked; with `keep` False (a dry run), checked and then removed."""
    source = _sqlite_file(db)
    target = destination.resolve()
    if target.exists():
        raise Conflict(
            f"a backup never overwrites a file, and {destination} exists",
            hint="give a new file name, or remove the old copy first",
        )
    if target == source.resolve():
        raise Invalid(f"{destination} is the database itself")
    if not target.parent.is_dir():
        raise Invalid(f"cannot write {destination}: folder {target.parent} does not exist")
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        os.chmod(temporary, 0o600)
        pages = _copy(source, Path(temporary))
        size = os.stat(temporary).st_size
        if keep:
            os.replace(temporary, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return Backup(source, destination, pages, size)


def _sqlite_file(db: Database) -> Path:
    if db.path is None:
        raise Invalid(
            "db backup copies a SQLite database; for PostgreSQL, use its own tool: "
            "pg_dump --format=custom --file=alertctl.dump DBNAME",
        )
    if not db.path.exists():
        raise Invalid(f"no database at {db.path}", hint="alertctl init")
    return db.path


def _copy(source: Path, copy: Path) -> int:
    # Outside SQLAlchemy, and reading only: the backup is one read of the file, with SQLite's
    # busy timeout so that a sender's commit in progress is waited for, not failed on. (Not
    # opened with mode=ro: such a connection leaves an empty -wal file behind.)
    reader = sqlite3.connect(source, timeout=30)
    reader.execute("PRAGMA query_only = ON")
    writer = sqlite3.connect(copy)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=DELETE")  # a copy is one file, with no -wal beside it
        found = [row[0] for row in writer.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            raise Invalid(f"the copy did not pass its integrity check: {'; '.join(found[:3])}")
        (pages,) = writer.execute("PRAGMA page_count").fetchone()
        return int(pages)
    except sqlite3.Error as exc:
        raise Invalid(f"cannot back up {source}: {exc}") from None
    finally:
        writer.close()
        reader.close()
