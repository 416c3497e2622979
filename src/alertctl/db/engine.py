"""Opening the database: URLs, SQLite pragmas, units of work, and the schema check."""

import mmap
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from alertctl.db.schema import HEAD_REVISION, Schema
from alertctl.db.urls import to_url
from alertctl.errors import Invalid, NotInitialised

# The newest migration this version ships; tests check it against the migration scripts.
BUSY_TIMEOUT_MS = 10_000


def _occurrences(data: "mmap.mmap", needle: bytes) -> int:
    count, at = 0, data.find(needle)
    while at >= 0:
        count, at = count + 1, data.find(needle, at + 1)
    return count


def sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is turned off so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # No journal_mode here: switching to WAL writes to the file, and a file that is not
        # alertctl's must be left as it was. `init` switches its own database to WAL once,
        # and SQLite keeps it so.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # What a write frees (an updated row's old cell, a deleted row, a page put on the free
        # list) is overwritten with zeros, so that an erase leaves no old copy of personal data
        # in the file without rebuilding it, but where SQLite moved rows between pages, which
        # it then reads the file for (docs/architecture.md, "Privacy").
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writers take the lock up front so that concurrent commands wait instead of failing
        # halfway with "database is locked".
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # a migration's statement that runs outside any transaction (VACUUM)
        connection.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


class Database:
    """One database, named by a URL; hands out units of work."""

    def __init__(self, url: str, *, dry_run: bool = False, make_folder: bool = False) -> None:
        self.url = to_url(url)
        self.dry_run = dry_run
        # The default database's folder (the user's data folder) is made when missing; a
        # folder named by the user is not: a typo would leave the database somewhere unseen.
        self.make_folder = make_folder
        self._schema_checked = False
        self.path = sqlite_path(self.url)
        self._engine: Engine | None = None
        self._outer: Any = None  # the connection of a unit of work around many commands

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = create_engine(self.url, **_server_options(self.url))
            except ModuleNotFoundError as exc:
                raise Invalid(
                    f"the database driver for {self.url.split(':')[0]} is not installed "
                    f"({exc.name})",
                    hint=f"pip install {exc.name}",
                ) from None
            except ArgumentError as exc:
                raise Invalid(f"not a database URL: {self.url!r} ({exc})") from None
            if self.is_sqlite:
                _configure_sqlite(self._engine)
            elif self._engine.dialect.name == "postgresql":
                from alertctl.db.tables import speak_postgresql

                speak_postgresql()
        return self._engine

    def describe(self) -> str:
        return str(self.path) if self.path else self.url

    def create_file(self) -> None:
        """Create the SQLite file readable by its owner only (its -wal and -shm files follow)."""
        if self.path is None or self.path.exists():
            return
        folder = self.path.parent
        if not self.make_folder and not folder.is_dir():
            raise Invalid(
                f"cannot create the database {self.path}: folder {folder} does not exist",
                hint=f"mkdir -p {folder}, or give another path",
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except OSError as exc:
            raise Invalid(f"cannot create the database {self.path}: {exc.strerror}") from None
        os.close(fd)

    @contextmanager
    def session(self, *, write: bool) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls everything back on any error
        (and at the end of a dry run)."""
        self.check_schema()
        with self._session(write=write) as session:
            yield session

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """One transaction around many commands (`alertctl batch`): each command's session is a
        savepoint inside it, and everything is committed at the end, or nothing (and nothing
        at all in a dry run)."""
        self.check_schema()
        with self.refusing_to_write(), self.engine.connect() as connection:
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
            transaction = connection.begin()
            self._outer = connection
            try:
                yield
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
            finally:
                self._outer = None
            if self.dry_run:
                transaction.rollback()
            else:
                transaction.commit()

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        if self._outer is not None:
            with self._nested(self._outer) as session:
                yield session
            return
        with self.refusing_to_write(), self.engine.connect() as connection:
            if write:
                connection = connection.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=connection) as session:
                transaction = connection.begin()
                try:
                    yield session
                    session.flush()
                except BaseException:
                    if transaction.is_active:  # a failed statement may have ended it already
                        transaction.rollback()
                    raise
                # A dry run does all the work, checks included, then keeps none of it.
                if self.dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()

    @contextmanager
    def _nested(self, outer: Any) -> Iterator[Session]:
        """A command's session inside a unit of work: its own savepoint, released when it
        succeeds (the outer transaction goes on), rolled back when it fails."""
        with Session(bind=outer, join_transaction_mode="create_savepoint") as session:
            try:
                yield session
                session.flush()
            except BaseException:
                session.rollback()
                raise
            session.commit()

    def current_revision(self) -> str | None:
        return self.inspect_schema().revision

    def inspect_schema(self) -> "Schema":
        """What the database holds, read without writing anything."""
        if self.path is not None and not self.path.exists():
            return Schema(exists=False)
        if self.path is not None and self.path.is_file() and self.path.stat().st_size == 0:
            return Schema(exists=True, empty_file=True)
        try:
            with self.engine.connect() as connection:
                tables = set(inspect(connection).get_table_names())
                revision = None
                if "alembic_version" in tables:
                    revision = connection.execute(
                        text("SELECT version_num FROM alembic_version")
                    ).scalar()
        except DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            raise Invalid(f"cannot read the database {self.describe()}: {reason}") from None
        return Schema(exists=True, tables=frozenset(tables), revision=revision)

    def check_schema(self) -> None:
        if self._schema_checked:
            return
        if self.path is not None and not self.path.exists():
            raise NotInitialised(f"no database at {self.path}", hint="alertctl init")
        schema = self.inspect_schema()
        schema.refuse_if_not_ours(self.describe())
        if schema.revision is None:
            raise NotInitialised(
                f"database {self.describe()} is not initialised", hint="alertctl init"
            )
        if schema.revision != HEAD_REVISION:
            raise NotInitialised(
                f"database {self.describe()} is at revision {schema.revision}, "
                f"this alertctl needs {HEAD_REVISION}",
                hint="alertctl init",
            )
        self._schema_checked = True

    @contextmanager
    def refusing_to_write(self) -> Iterator[None]:
        """A file that cannot be written (read-only, immutable, on a read-only disk) is one
        clear error, not a traceback."""
        try:
            yield
        except OperationalError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            if "readonly" in reason or "read-only" in reason or "unable to open" in reason:
                raise Invalid(
                    f"cannot write the database {self.describe()}: {reason}",
                    hint="check the file's permissions and the disk",
                ) from None
            raise

    def empty_wal(self, *, patience: float = 30.0) -> bool:
        """After data was erased: move every page out of the WAL into the file and truncate
        the WAL, whose older frames still hold what was erased (what a write frees is zeroed:
        every connection writes with secure_delete). A reader holding an old snapshot (a
        running sender) is waited for, up to `patience` seconds. False when that could not
        complete, and on PostgreSQL."""
        return self._on_driver(lambda driver: self._truncate_wal(driver, patience))

    def wipe_free_space(self, *, patience: float = 30.0) -> bool:
        """After a purge of many rows: rebuild the file (VACUUM, its temporary copy in memory),
        since SQLite's page rebalancing leaves copies of moved rows in the unused middle of a
        page, which secure_delete does not zero; then empty the WAL as `empty_wal` does."""

        def rebuild(driver: Any) -> bool:
            driver.execute("PRAGMA temp_store = MEMORY")
            driver.execute("VACUUM")
            return self._truncate_wal(driver, patience)

        return self._on_driver(rebuild)

    def copies_left(self, needles: "Iterable[str]") -> int:
        """How many times these strings (an erased person's address, name, number) are still
        in the file or its WAL: read through, never written, so that an erase can say so
        instead of rebuilding a large file. 0 on PostgreSQL, which this cannot read."""
        wanted = [n.encode() for n in needles if n]
        if self.path is None or not wanted:
            return 0
        found = 0
        for path in (self.path, Path(f"{self.path}-wal")):
            if path.exists() and path.stat().st_size:
                with (
                    path.open("rb") as file,
                    mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data,
                ):
                    found += sum(_occurrences(data, needle) for needle in wanted)
        return found

    def _on_driver(self, work: "Callable[[Any], bool]") -> bool:
        if not self.is_sqlite:
            return False
        raw = self.engine.raw_connection()
        try:
            return work(raw.driver_connection)
        finally:
            raw.close()

    @staticmethod
    def _truncate_wal(driver: Any, patience: float) -> bool:
        deadline = time.monotonic() + patience
        while True:
            busy, _, _ = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy == 0 or time.monotonic() > deadline:
                return bool(busy == 0)
            time.sleep(0.05)

    def enable_wal(self) -> None:
        """Switch the database to WAL, once, at `init` (SQLite keeps it in the file)."""
        if not self.is_sqlite:
            return
        # Outside any transaction: on the driver's connection, which is in autocommit mode.
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
        finally:
            raw.close()

    def close(self) -> None:
        # Closing every connection lets SQLite checkpoint the WAL into the main file.
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self.path is not None:
            # A file opened again may be another file (replaced by `mv`): checked again. A
            # server's database is the same one after a restart, and is not.
            self._schema_checked = False

    def file_identity(self) -> tuple[int, int] | None:
        """Which file a SQLite database is (device, inode), None when there is none: a file
        deleted and created again, or restored by `mv`, is another file, which connections
        opened before do not see. A server's database is always the same: (0, 0)."""
        if self.path is None:
            return (0, 0)
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino)


# A database server that does not answer a connection (a host down, a firewall that drops) is
# given up after this, rather than after the system's TCP timeout of minutes: a watcher logs
# it and tries again. A URL's own connect_timeout wins.
CONNECT_TIMEOUT_SECONDS = 10


def _server_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite") or "connect_timeout" in url:
        return {}
    return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}


def hold_loaded(session: Session) -> list[object]:
    """Keep every row this session loads, in the list returned, for as long as it is kept.

    SQLAlchemy's identity map holds rows weakly: a client, a status or a contact looked up by
    one save and dropped is read again by the next one. A session that applies many saves in
    one transaction holds them, so that each is read once per transaction.
    """
    held: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _session, row: held.append(row))
    return held


# The advisory lock that saves of requests take on PostgreSQL (any number fixed for alertctl).
SAVE_LOCK = 0x616C6572  # "aler"


def serialise_saves(session: Session) -> None:
    """Make the saves of this transaction wait for those of every other one, until it ends.

    Two saves of one request must not both read the request as it was (both would raise the
    same event), nor two feeds both create one reference. On SQLite every writer already takes
    the database's one write lock up front (BEGIN IMMEDIATE). On PostgreSQL a transaction-level
    advisory lock does the same for saves alone (senders, previews and the configuration do not
    take it); a lock per request would let two feeds that lock their requests in a different
    order deadlock. Taken before the transaction reads any request, so what it reads is what the
    previous save committed."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SAVE_LOCK})
