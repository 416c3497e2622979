"""Opening the database: URLs, SQLite pragmas, units of work, and the schema check."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import Session

from alertctl.errors import Invalid, NotInitialised

# The newest migration this version ships; tests check it against the migration scripts.
HEAD_REVISION = "0004"
BUSY_TIMEOUT_MS = 10_000


def to_url(db: str) -> str:
    """`--db` takes a SQLAlchemy URL or a plain path to a SQLite file."""
    return db if "://" in db else f"sqlite:///{Path(db).expanduser()}"


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
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writers take the lock up front so that concurrent commands wait instead of failing
        # halfway with "database is locked".
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database, named by a URL; hands out units of work."""

    def __init__(self, url: str, *, dry_run: bool = False) -> None:
        self.url = to_url(url)
        self.dry_run = dry_run
        self._schema_checked = False
        self.path = sqlite_path(self.url)
        self._engine: Engine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = create_engine(self.url)
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
        return self._engine

    def describe(self) -> str:
        return str(self.path) if self.path else self.url

    def create_file(self) -> None:
        """Create the SQLite file readable by its owner only (its -wal and -shm files follow)."""
        if self.path is None or self.path.exists():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
    def _session(self, *, write: bool) -> Iterator[Session]:
        with self.engine.connect() as connection:
            if write:
                connection = connection.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=connection) as session:
                transaction = connection.begin()
                try:
                    yield session
                    session.flush()
                except BaseException:
                    transaction.rollback()
                    raise
                # A dry run does all the work, checks included, then keeps none of it.
                if self.dry_run:
                    transaction.rollback()
                else:
                    transaction.commit()

    def current_revision(self) -> str | None:
        if self.path is not None and not self.path.exists():
            return None
        try:
            with self.engine.connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return None
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            raise Invalid(f"cannot read the database {self.describe()}: {reason}") from None

    def check_schema(self) -> None:
        if self._schema_checked:
            return
        if self.path is not None and not self.path.exists():
            raise NotInitialised(f"no database at {self.path}", hint="alertctl init")
        revision = self.current_revision()
        if revision is None:
            raise NotInitialised(
                f"database {self.describe()} is not initialised", hint="alertctl init"
            )
        if revision != HEAD_REVISION:
            raise NotInitialised(
                f"database {self.describe()} is at revision {revision}, "
                f"this alertctl needs {HEAD_REVISION}",
                hint="alertctl init",
            )
        self._schema_checked = True

    def close(self) -> None:
        # Closing every connection lets SQLite checkpoint the WAL into the main file.
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
