"""What `alertctl metrics` exposes: the outbox and the senders, as figures a monitoring system
graphs and alerts on. No figure names a person, an address or a request: only statuses,
channels, outcomes, reasons, and where a sender runs."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from alertctl.db.engine import Database
from alertctl.db.tables import Alert, AlertAttempt, AlertFault
from alertctl.services.delivery.health import (
    SenderSeen,
    alerts_by_status,
    last_delivery,
    queue_health,
    senders,
)
from alertctl.services.sla.index import overdue


@dataclass(frozen=True)
class DeliveryCount:
    channel: str
    outcome: str
    count: int


@dataclass(frozen=True)
class Metrics:
    alerts_by_status: dict[str, int]
    oldest_due_seconds: float  # 0 when nothing is due
    deliveries: tuple[DeliveryCount, ...]  # every attempt, by channel and outcome
    faults_by_reason: dict[str, int]  # alerts left out by a fault, ever
    last_delivery: datetime | None
    senders: tuple[SenderSeen, ...]
    sla_clocks_due: int = 0  # requests whose SLA clocks are due and not checked yet


def read_metrics(db: Database) -> Metrics:
    now = datetime.now(UTC)
    with db.session(write=False) as session:
        queue = queue_health(session, now, timedelta(0))
        attempts = session.execute(
            select(col(Alert.channel), col(AlertAttempt.outcome), func.count())
            .join(Alert, col(Alert.id) == col(AlertAttempt.alert_id))
            .group_by(col(Alert.channel), col(AlertAttempt.outcome))
            .order_by(col(Alert.channel), col(AlertAttempt.outcome))
        ).all()
        faults = session.execute(
            select(col(AlertFault.reason), func.count())
            .group_by(col(AlertFault.reason))
            .order_by(col(AlertFault.reason))
        ).all()
        return Metrics(
            alerts_by_status=alerts_by_status(session),
            oldest_due_seconds=queue.oldest_due_seconds or 0.0,
            deliveries=tuple(DeliveryCount(c, o, int(n)) for c, o, n in attempts),
            faults_by_reason={reason: int(n) for reason, n in faults},
            last_delivery=last_delivery(session),
            senders=tuple(senders(session)),
            sla_clocks_due=overdue(session, now),
        )
