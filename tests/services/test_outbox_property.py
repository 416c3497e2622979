"""The outbox holds exactly the alerts that the previews of the fired events announced."""

import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alertctl.db.engine import Database
from alertctl.domain.events import PRECEDENCE
from alertctl.domain.model import Event, Source
from alertctl.services.configuration import contracts
from alertctl.services.operations.setup import init
from alertctl.services.saves import preview as alerts
from alertctl.services.saves.fields import SaveInput
from alertctl.services.saves.requests import open_request, update_request
from tests.sample import build_sample


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outbox") / "base.db"
    database = Database(str(path))
    init(database)
    build_sample(database)
    # Every source on, so that most people are candidates and precedence matters.
    contracts.set_sources(database, code="K1", sources=list(Source), enabled=True)
    database.close()
    return path


STATUSES = ["OPEN", "WIP", "WAIT", "RESOLVED", "CLOSED_EXT", "CLOSED"]
SAVE = st.tuples(st.sampled_from(STATUSES), st.sampled_from([None, None, "", "Now described"]))


def outbox(path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT a.event, p.kind || ':' || p.code, a.channel, a.address FROM alert a "
            "JOIN person p ON p.id = a.person_id ORDER BY a.id"
        ).fetchall()
    return sorted(rows)


def announced(
    db: Database, reference: str, events: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    """What the previews of the fired events say, each person and channel keeping the most
    specific event, as docs/rules.md orders them."""
    doc = alerts.preview(db, reference=reference)
    by_event = {e.event.value: e.recipients for e in doc.events}
    taken: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for event in PRECEDENCE:
        if event.value not in events:
            continue
        for r in by_event[event.value]:
            key = (f"{r.kind}:{r.code}", r.channel.value)
            taken.setdefault(key, (event.value, key[0], r.channel.value, r.address))
    return sorted(taken.values())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from([None, "Described"]), st.lists(SAVE, min_size=1, max_size=6))
def test_outbox_matches_the_previews(
    template_db: Path, first_description: str | None, saves: list[tuple[str, str | None]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.db"
        shutil.copy(template_db, path)
        db = Database(str(path))
        expected: list[tuple[str, str, str, str]] = []
        result = open_request(
            db,
            SaveInput(
                reference="R1",
                contract="K1",
                product="ERP",
                site="LYON",
                service="PREMIUM",
                title="T",
                external_description=first_description,
            ),
        )
        expected += announced(db, "R1", result.events)
        fired = [result.events]
        for status, description in saves:
            result = update_request(
                db,
                SaveInput(
                    reference="R1",
                    status=status,
                    external_description=description,
                ),
            )
            fired.append(result.events)
            expected += announced(db, "R1", result.events)
        assert outbox(path) == sorted(expected)
        assert sum(Event.OPEN.value in events for events in fired) <= 1
        db.close()
