from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.db.engine import Database
from alertctl.services.operations.setup import init
from tests.sample import build_sample
from tests.smtp_server import Handler, smtp_server


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own settings or database."""
    for name in ("ALERTCTL_DB", "ALERTCTL_CONFIG", "ALERTCTL_DEBUG", "ALERTCTL_FAX_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """An initialised, empty database file."""
    path = tmp_path / "alertctl.db"
    database = Database(str(path))
    init(database)
    database.close()
    return path


@pytest.fixture
def sample_db(db_path: Path) -> Path:
    """The sample configuration of sample-data/setup.sh, built through the services."""
    database = Database(str(db_path))
    build_sample(database)
    database.close()
    return db_path


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 at a free port."""
    with smtp_server() as server:
        yield server
