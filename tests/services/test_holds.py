"""Holding and releasing alerts on a real database, with a set clock (docs/rules.md, "Holding
alerts"): coalesced status changes, back where they started, carried by an alert that goes out
at once, quiet hours, digests, a cap, urgent events."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from alertctl.db.engine import Database
from alertctl.domain.model import Event, PersonKind
from alertctl.services.configuration import clients
from alertctl.services.holds.release import release
from alertctl.services.holds.settings import (
    ClientNoiseChange,
    NoiseChange,
    PersonNoiseChange,
    client_noise_settings,
    person_noise_settings,
    set_defaults,
)
from alertctl.services.saves.ingest import ingest
from tests.helpers import ok
from tests.sample import build_sample
from tests.services.test_delivery import settings_file
from tests.smtp_server import Handler

JDU = PersonKind.COLLABORATOR, "jdu"


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2026: day 1 is a Monday."""
    return datetime(2026, 6, day, hour, minute, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


@pytest.fixture
def db(db_path: Path) -> Database:
    """The sample help desk, with ACME's status changes switched on: jdu (interlocutor of the
    product ERP) gets every event of R1."""
    database = Database(str(db_path))
    build_sample(database)
    clients.set_client_alert(
        database, code="ACME", event=Event.STATUS_CHANGE, enabled=True, keyword="[ACME]"
    )
    return database


def feed(db: Database, *saves: tuple[str, datetime, dict[str, object]]) -> None:
    lines = [
        json.dumps(
            {"reference": ref, "contract": "K1", "product": "ERP", "time": at.isoformat(), **more}
        )
        for ref, at, more in saves
    ]
    report = ingest(db, lines)
    assert not report.failures, report.failures


def opened(ref: str, at: datetime) -> tuple[str, datetime, dict[str, object]]:
    return ref, at, {"title": "Printer down", "external_description": "It is down"}


def status(ref: str, at: datetime, code: str) -> tuple[str, datetime, dict[str, object]]:
    return ref, at, {"status": code}


def jdu_alerts(db_path: Path) -> list[tuple[str, str, str | None, str]]:
    """jdu's e-mail alerts: (event, status, hold, subject), in the order written."""
    with sqlite3.connect(db_path) as connection:
        return connection.execute(
            "SELECT a.event, a.status, a.hold, a.subject FROM alert a JOIN person p "
            "ON p.id = a.person_id WHERE p.code = 'jdu' AND a.channel = 'email' ORDER BY a.id"
        ).fetchall()


def body(db_path: Path, alert_id: int) -> str:
    with sqlite3.connect(db_path) as connection:
        return str(
            connection.execute("SELECT text_body FROM alert WHERE id = ?", (alert_id,)).fetchone()[
                0
            ]
        )


def last_id(db_path: Path) -> int:
    """jdu's last alert."""
    with sqlite3.connect(db_path) as connection:
        found = connection.execute(
            "SELECT max(a.id) FROM alert a JOIN person p ON p.id = a.person_id WHERE p.code = 'jdu'"
        )
        return int(found.fetchone()[0])


def test_changes_coalesce_into_one_alert_listing_each_transition(
    db: Database, db_path: Path
) -> None:
    feed(
        db,
        opened("R1", paris(1, 14)),
        status("R1", paris(1, 14, 1), "WIP"),
        status("R1", paris(1, 14, 2), "WAIT"),
        status("R1", paris(1, 14, 3), "WIP"),
    )
    assert [(e, s, h) for e, s, h, _ in jdu_alerts(db_path)] == [
        ("open", "pending", None),
        ("status_change", "held", "coalescing"),
        ("status_change", "held", "coalescing"),
        ("status_change", "held", "coalescing"),
    ]
    assert not release(
        db,
        paris(
            1,
            14,
            4,
        ),
    ).any  # two minutes after the last change: 14:05
    done = release(db, paris(1, 14, 5))
    assert (done.merged, done.made) == (3, 1)
    alerts = jdu_alerts(db_path)
    assert [(e, s, h) for e, s, h, _ in alerts[1:]] == [
        ("status_change", "merged", "coalescing"),
        ("status_change", "merged", "coalescing"),
        ("status_change", "merged", "coalescing"),
        ("status_change", "pending", "summary"),
    ]
    assert alerts[-1][3] == alerts[-2][3]  # the last change's subject
    text = body(db_path, last_id(db_path))
    assert text.startswith(
        "Changements de statut (3, heures en UTC) :\n"
        "  2026-06-01 12:01  Ouverte -> En cours\n"
        "  2026-06-01 12:02  En cours -> En attente\n"
        "  2026-06-01 12:03  En attente -> En cours\n\n"
    )
    assert not release(db, paris(1, 15)).any  # released once


def test_changes_wait_ten_minutes_at_most(db: Database, db_path: Path) -> None:
    codes = ["WIP", "WAIT"] * 4
    feed(
        db,
        opened("R1", paris(1, 14)),
        # A change every 80 seconds, each within two minutes of the one before.
        *(
            status("R1", paris(1, 14, 1) + timedelta(seconds=80 * i), c)
            for i, c in enumerate(codes)
        ),
    )
    assert not release(db, paris(1, 14, 10)).any
    assert release(db, paris(1, 14, 11)).merged == 8  # the first change at 14:01, plus ten


def test_changes_back_where_they_started_send_nothing_and_say_why(
    db: Database, db_path: Path
) -> None:
    feed(
        db,
        opened("R1", paris(1, 14)),
        status("R1", paris(1, 14, 1), "WIP"),
        status("R1", paris(1, 14, 2), "OPEN"),
    )
    assert release(db, paris(1, 14, 4)).skipped == 2
    assert [(e, s) for e, s, _, _ in jdu_alerts(db_path)][1:] == [
        ("status_change", "skipped"),
        ("status_change", "skipped"),
    ]
    with sqlite3.connect(db_path) as connection:
        why = connection.execute("SELECT DISTINCT last_reply FROM alert WHERE status = 'skipped'")
        assert why.fetchall() == [("the request went back to 'Open': nothing to tell",)]


def test_an_alert_that_is_never_held_carries_the_changes_held(db: Database, db_path: Path) -> None:
    feed(
        db,
        opened("R1", paris(1, 14)),
        status("R1", paris(1, 14, 1), "WIP"),
        status("R1", paris(1, 14, 2), "RESOLVED"),
    )
    alerts = jdu_alerts(db_path)
    assert [(e, s) for e, s, _, _ in alerts] == [
        ("open", "pending"),
        ("status_change", "merged"),
        ("resolution", "pending"),
    ]
    assert body(db_path, last_id(db_path)).startswith(
        "Changements de statut (1, heures en UTC) :\n  2026-06-01 12:01  Ouverte -> En cours\n\n"
    )
    assert not release(db, paris(1, 15)).any


def test_quiet_hours_hold_until_morning_then_one_summary(db: Database, db_path: Path) -> None:
    person_noise_settings(
        db, *JDU, PersonNoiseChange(quiet_hours="mon-sun 19:00-08:00", zone="Europe/Paris")
    )
    feed(db, opened("R1", paris(1, 22)), opened("R2", paris(1, 23, 30)))
    assert [(s, h) for _, s, h, _ in jdu_alerts(db_path)] == [
        ("held", "quiet_hours"),
        ("held", "quiet_hours"),
    ]
    assert not release(db, paris(2, 7, 59)).any
    assert release(db, paris(2, 8)).made == 1
    subject = jdu_alerts(db_path)[-1][3]
    assert subject == "Résumé de vos alertes (2)"
    text = body(db_path, last_id(db_path))
    assert "Voici les 2 alertes arrivées pendant vos heures calmes. Heures en Europe/Paris." in text
    assert "1. 2026-06-01 22:00  [ACME support]" in text
    assert "2. 2026-06-01 23:30  [ACME support]" in text


def test_quiet_hours_by_kind_and_urgent_events_per_client(db: Database, db_path: Path) -> None:
    set_defaults(
        db, NoiseChange(collaborator_quiet_hours="mon-sun 19:00-08:00", zone="Europe/Paris")
    )
    feed(db, opened("R1", paris(1, 22)))
    assert [s for _, s, _, _ in jdu_alerts(db_path)] == ["held"]
    client_noise_settings(db, "ACME", ClientNoiseChange(urgent="open,gti_breach,gtr_breach"))
    feed(db, opened("R2", paris(1, 22, 30)))
    assert [s for _, s, _, _ in jdu_alerts(db_path)] == ["held", "pending"]
    # Their own setting wins over their kind's: none at all.
    person_noise_settings(db, *JDU, PersonNoiseChange(quiet_hours="none"))
    client_noise_settings(db, "ACME", ClientNoiseChange(urgent="default"))
    feed(db, opened("R3", paris(1, 23)))
    assert [s for _, s, _, _ in jdu_alerts(db_path)] == ["held", "pending", "pending"]


def test_a_daily_digest_lists_everything_since_the_last(db: Database, db_path: Path) -> None:
    person_noise_settings(db, *JDU, PersonNoiseChange(digest="daily 08:00", zone="Europe/Paris"))
    feed(
        db,
        opened("R1", paris(1, 9)),
        status("R1", paris(1, 10), "WIP"),
        opened("R2", paris(2, 7)),
    )
    assert [(s, h) for _, s, h, _ in jdu_alerts(db_path)] == [("held", "digest")] * 3
    done = release(db, paris(2, 8))
    assert (done.merged, done.made) == (3, 1)
    assert "Voici les 3 alertes de votre résumé." in body(db_path, last_id(db_path))


def test_a_cap_holds_what_goes_over_it_and_drops_nothing(db: Database, db_path: Path) -> None:
    set_defaults(db, NoiseChange(cap="2"))
    feed(db, *(opened(f"R{i}", paris(1, 10, 10 * i)) for i in range(4)))
    assert [(s, h) for _, s, h, _ in jdu_alerts(db_path)] == [
        ("pending", None),
        ("pending", None),
        ("held", "cap"),
        ("held", "cap"),
    ]
    assert not release(db, paris(1, 10, 59)).any
    release(db, paris(1, 11))  # an hour after the first of the two counted
    assert [(s, h) for _, s, h, _ in jdu_alerts(db_path)][2:] == [
        ("merged", "cap"),
        ("merged", "cap"),
        ("pending", "summary"),
    ]
    assert "au-delà de votre limite par heure" in body(db_path, last_id(db_path))


def test_bad_settings_are_refused_and_change_nothing(db: Database) -> None:
    from alertctl.errors import Invalid
    from alertctl.services.holds.settings import show_defaults

    before = show_defaults(db)
    for change, message in [
        (NoiseChange(coalesce_idle="5m", coalesce_max="2m"), "at most 2 min"),
        (NoiseChange(zone="Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (NoiseChange(contact_quiet_hours="mon-sun 00:00-24:00"), "all week long"),
        (NoiseChange(cap="many"), "a cap is a number"),
        (NoiseChange(urgent="opened"), "unknown event 'opened'"),
        (NoiseChange(coalesce_idle="soon"), "cannot read the coalescing wait 'soon'"),
    ]:
        with pytest.raises(Invalid, match=message):
            set_defaults(db, change)
    assert show_defaults(db) == before
    with pytest.raises(Invalid, match="cannot read the delivery"):
        person_noise_settings(
            db, *JDU, PersonNoiseChange(digest="hourly", quiet_hours="mon 20:00-06:00")
        )
    with pytest.raises(Invalid, match="unknown time zone"):
        person_noise_settings(db, *JDU, PersonNoiseChange(zone="Paris"))


def test_a_sender_releases_what_is_due_and_sends_it_once(
    db: Database, db_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    now = datetime.now(UTC)
    feed(
        db,
        opened("R1", now - timedelta(hours=1)),
        status("R1", now - timedelta(minutes=30), "WIP"),
        status("R1", now - timedelta(minutes=29), "WAIT"),
    )
    assert [s for _, s, _, _ in jdu_alerts(db_path)] == ["pending", "held", "held"]
    ok(db_path, "alerts", "send")
    feed(db, status("R1", now, "WIP"))  # a new change: due in two minutes
    ok(db_path, "alerts", "send")
    assert [(s, h) for _, s, h, _ in jdu_alerts(db_path)] == [
        ("sent", None),
        ("merged", "coalescing"),
        ("merged", "coalescing"),
        ("sent", "summary"),
        ("held", "coalescing"),
    ]
    to_jdu = [r for r in handler.received if "jdu@support.example" in r.rcpt_tos]
    assert len(to_jdu) == 2
    assert to_jdu[1].message.get_content().startswith("Changements de statut (2, heures en UTC) :")


def test_the_forecast_counts_the_mails_holds_make(db: Database, db_path: Path) -> None:
    from alertctl.services.configuration.apply import export, read_for_database
    from alertctl.services.saves.forecast import forecast

    # Saved and released as a watcher that is never late would.
    feed(
        db,
        opened("R1", paris(1, 14)),
        status("R1", paris(1, 14, 1), "WIP"),
        status("R1", paris(1, 14, 2), "WAIT"),
        status("R1", paris(1, 14, 3), "WIP"),
    )
    release(db, paris(1, 14, 5))
    feed(db, status("R1", paris(1, 15), "WAIT"))  # alone: released as it is
    release(db, paris(1, 15, 2))
    feed(db, status("R1", paris(1, 16), "WIP"), status("R1", paris(1, 16, 1), "WAIT"))
    release(db, paris(1, 16, 3))  # back where they started: nothing
    since, until = paris(1, 0), paris(2, 0)

    def jdu(found: object) -> tuple[dict[str, int], dict[str, int]]:
        (row,) = [p for p in found.people if p.code == "jdu"]  # type: ignore[attr-defined]
        return row.forecast, row.made

    # Through the configuration that sent them: what was sent, mail for mail.
    assert jdu(forecast(db, since=since, until=until)) == (
        {"open": 1, "status_change": 1, "summary": 1},
        {"open": 1, "status_change": 1, "summary": 1},
    )
    unheld = read_for_database(db, export(db) + '\n[noise]\ncoalesce_idle = "off"\n', region="FR")
    assert jdu(forecast(db, since=since, until=until, desired=unheld))[0] == {
        "open": 1,
        "status_change": 6,
    }
    evenings = read_for_database(
        db,
        export(db) + '\n[noise]\ncollaborator_quiet_hours = "mon-sun 14:30-08:00"\n'
        'zone = "Europe/Paris"\n',
        region="FR",
    )
    # The first three changes coalesce; the three later ones wait for the morning, with
    # nothing between them: one summary.
    assert jdu(forecast(db, since=since, until=until, desired=evenings))[0] == {
        "open": 1,
        "summary": 2,
    }


def test_a_summary_ends_with_one_signature_and_indents_each_alerts_own(
    db: Database, db_path: Path
) -> None:
    person_noise_settings(db, *JDU, PersonNoiseChange(digest="daily 08:00", zone="Europe/Paris"))
    feed(db, opened("R1", paris(1, 9)), opened("R2", paris(1, 10)))
    release(db, paris(2, 8))
    lines = body(db_path, last_id(db_path)).splitlines()
    assert lines[-2:] == ["-- ", "Le support"]
    assert lines.count("-- ") == 1  # each alert's own is indented: no signature for readers
    assert lines.count("   -- ") == 2


def test_a_claim_releases_a_bounded_number_of_readers_each_whole(
    db: Database, db_path: Path
) -> None:
    from alertctl.services.holds.release import release_due

    for kind, code in (JDU, (PersonKind.CONTACT, "alice")):
        person_noise_settings(db, kind, code, PersonNoiseChange(digest="daily 08:00"))
    feed(db, opened("R1", paris(1, 9)), opened("R2", paris(1, 10)))
    with db.session(write=True) as session:
        first = release_due(session, paris(3, 0), readers=1)
    with sqlite3.connect(db_path) as connection:
        held = connection.execute(
            "SELECT DISTINCT p.code FROM alert a JOIN person p ON p.id = a.person_id "
            "WHERE a.status = 'held'"
        ).fetchall()
    assert first.readers == 1 and len(held) == 1  # the other reader waits, whole
    # The one released: all their alerts on each channel, in one summary per channel.
    assert first.merged == 2 * first.made
    with db.session(write=True) as session:
        second = release_due(session, paris(3, 0), readers=1)
    assert second.readers == 1 and second.merged == 2 * second.made
    assert not release(db, paris(3, 0)).any
