"""What a sender would do, and what its work became: the alerts due now, each batch's outcome,
a run's total, each delivery that failed and why. Plain values, rendered by the CLI and the
watcher's log."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import col, select

from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.outbox import Claimed
from alertctl.db.tables import Alert
from alertctl.domain.model import AlertStatus
from alertctl.transports.base import DeliveryError


@dataclass(frozen=True)
class Failed:
    """One delivery that did not go through: tried again later (`retry`), given up (`dead`),
    or of an outcome not known (`unknown`), with the server's reply or the error."""

    alert: int
    channel: str
    outcome: AlertStatus
    attempt: int
    reason: str


@dataclass
class BatchReport:
    """What one claimed batch became."""

    claimed: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    # Claims this sender lost before it could try them or record them (its lease ran out).
    lost: list[int] = field(default_factory=list)
    released: int = 0
    # The reply of a transport that could not work, when one ended the batch.
    unreachable: str | None = None
    failed: list[Failed] = field(default_factory=list)

    def add(self, row: Claimed, outcome: str, failure: DeliveryError | None) -> None:
        """One claim's outcome; a failure is kept with its reason."""
        self.counts[outcome] += 1
        if failure is not None:
            self.failed.append(
                Failed(row.id, row.channel, AlertStatus(outcome), row.attempts, failure.reply)
            )


@dataclass
class SendReport:
    counts: Counter[str] = field(default_factory=Counter)
    unknown: list[int] = field(default_factory=list)
    released: int = 0
    unreachable: str | None = None
    failed: list[Failed] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)

    @property
    def all_sent(self) -> bool:
        return (
            not self.unknown
            and not self.lost
            and self.unreachable is None
            and all(k == AlertStatus.SENT for k, n in self.counts.items() if n)
        )

    def add(self, part: "BatchReport | SendReport") -> None:
        self.counts.update(part.counts)
        self.released += part.released
        self.unreachable = part.unreachable or self.unreachable
        self.failed += part.failed
        self.lost += part.lost
        if isinstance(part, SendReport):
            self.unknown += part.unknown


@dataclass(frozen=True)
class DueAlert:
    id: int
    channel: str
    address: str
    subject: str
    attempts: int


def due(db: Database, *, limit: int | None = None) -> list[DueAlert]:
    """What `alerts send` would deliver now (for --dry-run); claims nothing."""
    with db.session(write=False) as session:
        query = (
            select(Alert).where(outbox.waiting_condition(datetime.now(UTC))).order_by(col(Alert.id))
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            DueAlert(a.id or 0, a.channel, a.address, a.subject, a.attempts)
            for a in session.exec(query).all()
        ]
