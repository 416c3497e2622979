"""The watcher checks the SLA clocks as it runs, and delivers what they raise in the same
turn: a request whose clocks were missed while no watcher ran has its breaches raised and
sent once the watcher starts."""

import signal
from pathlib import Path

from tests.cli.test_sla import sla_db
from tests.services.test_delivery import settings_file
from tests.services.test_watch import Watcher
from tests.smtp_server import Handler


def test_the_watcher_raises_the_breaches_found_and_delivers_them(
    sample_db: Path, tmp_path: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    db = sla_db(sample_db, tmp_path)  # DEM-1, opened in June 2026: both clocks long missed
    watcher = Watcher(db)
    raised = watcher.expect(lambda line: " sla: " in line)
    assert "DEM-1 gti_breach, DEM-1 gtr_breach" in raised
    watcher.expect(lambda line: " batch: " in line)
    assert watcher.stop(signal.SIGTERM) == 0
    subjects = sorted(str(m.message["Subject"]) for m in handler.received)
    # The open's alerts too (queued by the save): those of the clocks are each there once.
    assert [s for s in subjects if s.startswith("[SLA]")] == [
        "[SLA] GTI dépassée\u00a0: DEM-1 – Printer down",
        "[SLA] GTR dépassée\u00a0: DEM-1 – Printer down",
    ]
