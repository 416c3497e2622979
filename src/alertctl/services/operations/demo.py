"""`alertctl demo`: a fresh database from the sample setup, the sample requests' saves, and every
alert delivered into a local Maildir; the setup and the feed are left beside them, to play with."""

import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from alertctl.config import DeliverySettings
from alertctl.db.engine import Database
from alertctl.services.configuration.apply import apply_file
from alertctl.services.delivery.operator import AlertRow, list_alerts
from alertctl.services.delivery.sender import send_due
from alertctl.services.operations.setup import init
from alertctl.services.saves.ingest import IngestReport, ingest

SAMPLE = files("alertctl") / "sample_data"


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    database: Path
    maildir: Path
    saves: IngestReport
    alerts: list[AlertRow]
    setup: Path  # the sample configuration file
    feed: Path  # the sample help desk feed


def run_demo(folder: Path) -> DemoResult:
    folder.mkdir(parents=True, exist_ok=True)
    database, maildir = folder / "demo.db", folder / "maildir"
    for stale in folder.glob("demo.db*"):
        stale.unlink()
    shutil.rmtree(maildir, ignore_errors=True)
    setup_file, feed_file = folder / "setup.toml", folder / "saves.jsonl"
    setup_file.write_text((SAMPLE / "setup.toml").read_text(encoding="utf-8"), encoding="utf-8")
    feed_file.write_text((SAMPLE / "saves.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    db = Database(str(database))
    try:
        init(db)
        apply_file(
            db,
            setup_file.read_text(encoding="utf-8"),
            region="FR",
            prune=False,
            confirm=lambda _plan: None,  # a fresh database: nothing to remove, no one to ask
        )
        saves = ingest(db, feed_file.read_text(encoding="utf-8").splitlines())
        settings = DeliverySettings(sender="Support <support@example.com>", maildir=str(maildir))
        send_due(db, settings)
        alerts = list(list_alerts(db, limit=None).rows)
        return DemoResult(folder, database, maildir, saves, alerts, setup_file, feed_file)
    finally:
        db.close()
