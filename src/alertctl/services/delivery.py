"""`alerts send`: claim due alerts, deliver them, record each outcome.

No write transaction is held while a server is being talked to: a claim is one short transaction,
each outcome another. A sender that dies leaves its claims to expire; they are claimed again (at
least once for e-mail, with the same Message-ID), except at-most-once submits, which become
`unknown` for the operator.
"""

import os
import random
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from alertctl.config import DeliverySettings
from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.tables import Alert
from alertctl.transports import transports_for
from alertctl.transports.base import (
    DeliveryError,
    Outgoing,
    PermanentFailure,
    Transport,
    message_id_for,
)


@dataclass
class SendReport:
    counts: Counter[str] = field(default_factory=Counter)
    unknown: list[int] = field(default_factory=list)

    @property
    def all_sent(self) -> bool:
        return not self.unknown and all(k == "sent" for k, n in self.counts.items() if n)


def backoff(attempts: int, settings: DeliverySettings, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform between 0 and min(cap, base * 2^(n-1))."""
    ceiling = min(settings.backoff_cap, settings.backoff_base * 2 ** max(attempts - 1, 0))
    return rng.uniform(0, ceiling)


def sender_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(32):08x}"


def send_due(
    db: Database,
    settings: DeliverySettings,
    *,
    limit: int | None = None,
    transports: dict[str, Transport] | None = None,
    progress: Callable[[str], None] | None = None,
    rng: random.Random | None = None,
) -> SendReport:
    owner = sender_id()
    rng = rng or random.Random()
    report = SendReport()
    transports = transports or transports_for(settings)
    opened: set[int] = set()
    started = _now()
    try:
        with db.session(write=True) as session:
            report.unknown = outbox.mark_interrupted_submits(session, _now())
        remaining = limit
        while remaining is None or remaining > 0:
            size = settings.batch_size if remaining is None else min(settings.batch_size, remaining)
            with db.session(write=True) as session:
                claimed = outbox.claim(
                    session,
                    owner=owner,
                    now=_now(),
                    due_at=started,
                    lease_seconds=settings.lease_seconds,
                    limit=size,
                )
            if not claimed:
                break
            if remaining is not None:
                remaining -= len(claimed)
            for row in claimed:
                transport = transports[row.channel]
                if id(transport) not in opened:
                    try:
                        transport.open()
                    except DeliveryError as failure:
                        report.counts[_failed(db, settings, owner, row, failure, rng)] += 1
                        continue
                    opened.add(id(transport))
                outcome = _deliver(db, settings, owner, row, transport, rng)
                report.counts[outcome] += 1
                if progress is not None:
                    progress(outcome)
    finally:
        for transport in {id(t): t for t in transports.values()}.values():
            if id(transport) in opened:
                transport.close()
    return report


def _deliver(
    db: Database,
    settings: DeliverySettings,
    owner: str,
    row: Any,
    transport: Transport,
    rng: random.Random,
) -> str:
    message = Outgoing(
        key=row.key,
        channel=row.channel,
        address=row.address,
        subject=row.subject,
        text=row.text_body,
        html=row.html_body,
        date=_now(),
        message_id=message_id_for(row.key, settings.sender),
    )
    if transport.at_most_once:
        with db.session(write=True) as session:
            if not outbox.mark_submitting(session, alert_id=row.id, owner=owner, now=_now()):
                return "lost"
    try:
        accepted = transport.send(message)
    except DeliveryError as failure:
        return _failed(db, settings, owner, row, failure, rng)
    _record(
        db,
        row.id,
        owner,
        "sent",
        accepted.reply,
        {
            "sent_at": _now(),
            "message_id": message.message_id,
            "raw_message": accepted.raw,
            "next_attempt_at": None,
        },
    )
    return "sent"


def _failed(
    db: Database,
    settings: DeliverySettings,
    owner: str,
    row: Any,
    failure: DeliveryError,
    rng: random.Random,
) -> str:
    """A 5xx or the last attempt is final (`dead`); anything else is tried again later."""
    dead = isinstance(failure, PermanentFailure) or row.attempts >= settings.max_attempts
    values: dict[str, Any] = {}
    if not dead:
        values["next_attempt_at"] = _now() + timedelta(seconds=backoff(row.attempts, settings, rng))
    outcome = "dead" if dead else "retry"
    _record(db, row.id, owner, outcome, failure.reply, values)
    return outcome


def _record(
    db: Database, alert_id: int, owner: str, outcome: str, reply: str, values: dict[str, Any]
) -> None:
    with db.session(write=True) as session:
        outbox.record(
            session,
            alert_id=alert_id,
            owner=owner,
            now=_now(),
            outcome=outcome,
            reply=reply,
            values=values,
        )


def due(db: Database, *, limit: int | None = None) -> list[dict[str, Any]]:
    """What `alerts send` would deliver now (for --dry-run); claims nothing."""
    with db.session(write=False) as session:
        query = select(Alert).where(outbox.due_condition(_now())).order_by(col(Alert.id))
        if limit is not None:
            query = query.limit(limit)
        return [
            {
                "id": a.id,
                "channel": a.channel,
                "address": a.address,
                "subject": a.subject,
                "attempts": a.attempts,
            }
            for a in session.exec(query).all()
        ]


def _now() -> datetime:
    return datetime.now(UTC)
