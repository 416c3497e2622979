"""When the watcher checks the SLA clocks: at start, then at the earlier of a minute later and
the instant the next clock falls due."""

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alertctl.db.engine import Database
    from alertctl.services.sla.check import CheckReport

# The clocks are checked at least this often, whatever the index says.
CLOCK_CHECK_SECONDS = 60.0


class Schedule:
    def __init__(self) -> None:
        self.at = 0.0  # on the monotonic clock: now, at start

    def seconds_left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def run(self, db: "Database") -> "CheckReport | None":
        """The check, if it is time for one; None otherwise."""
        if time.monotonic() < self.at:
            return None
        from alertctl.services.sla.check import check_clocks

        done = check_clocks(db)
        wait = CLOCK_CHECK_SECONDS
        if done.next_check_at is not None:
            until = (done.next_check_at - datetime.now(UTC)).total_seconds()
            wait = min(wait, until)
        self.at = time.monotonic() + max(wait, 1.0)  # at most once a second, however much is due
        return done
