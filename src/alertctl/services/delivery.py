"""`alerts send`: claim due alerts, deliver them, record each outcome.

No write transaction is held while a server is being talked to: a claim is one short transaction,
each outcome another, recorded the moment it is known. A sender that dies leaves its claims to
expire, and they are claimed again: e-mail is delivered at least once, and a message received
twice (the sender died between the server's acceptance and its record) carries the same
Message-ID. A fax submit cannot be taken back: one started by a sender that died becomes
`unknown` for the operator, and is never repeated by itself.
"""

import os
import random
import socket
from collections import Counter
from collections.abc import Callable, Iterator
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
    Prepared,
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


class _Run:
    """One `alerts send`: its lease owner, transports, and outcome recorder."""

    def __init__(
        self,
        db: Database,
        settings: DeliverySettings,
        transports: dict[str, Transport],
        rng: random.Random,
    ) -> None:
        self.db, self.settings, self.transports, self.rng = db, settings, transports, rng
        self.owner = sender_id()
        self.started = _now()
        self.opened: dict[int, Transport] = {}
        self.recorder = outbox.recorder(db.engine, self.owner)

    def claim(self, size: int) -> list[Any]:
        with self.db.session(write=True) as session:
            return outbox.claim(
                session,
                owner=self.owner,
                now=_now(),
                due_at=self.started,
                lease_seconds=self.settings.lease_seconds,
                limit=size,
            )

    def prepare(self, row: Any) -> Prepared | DeliveryError:
        """Build one message; a message that cannot be built is a permanent failure."""
        message = Outgoing(
            key=row.key,
            channel=row.channel,
            address=row.address,
            subject=row.subject,
            text=row.text_body,
            html=row.html_body,
            date=_now(),
            message_id=message_id_for(row.key, self.settings.sender),
        )
        try:
            return self.transports[row.channel].prepare(message)
        except DeliveryError as failure:
            return failure

    def deliver(
        self,
        row: Any,
        prepared: Prepared | DeliveryError,
        handed_over: Callable[[], None] | None = None,
    ) -> str:
        transport = self.transports[row.channel]
        try:
            if isinstance(prepared, DeliveryError):
                raise prepared
            if id(transport) not in self.opened:
                transport.open()
                self.opened[id(transport)] = transport
            if transport.at_most_once:
                handed_over = self._marking_hand_over(row, handed_over)
            accepted = transport.send(prepared, handed_over)
        except DeliveryError as failure:
            return self.failed(row, failure)
        now = _now()
        self.recorder.record(
            row.id,
            now=now,
            outcome="sent",
            reply=accepted.reply,
            sent_at=now,
            message_id=prepared.message.message_id,
            raw=accepted.raw,
        )
        return "sent"

    def _marking_hand_over(self, row: Any, then: Callable[[], None] | None) -> Callable[[], None]:
        def handed_over() -> None:
            self.recorder.mark_submitting(row.id, _now())
            if then is not None:
                then()

        return handed_over

    def failed(self, row: Any, failure: DeliveryError) -> str:
        """A 5xx or the last attempt is final (`dead`); anything else is tried again later."""
        dead = isinstance(failure, PermanentFailure) or row.attempts >= self.settings.max_attempts
        now = _now()
        delay = backoff(row.attempts, self.settings, self.rng)
        later = None if dead else now + timedelta(seconds=delay)
        outcome = "dead" if dead else "retry"
        self.recorder.record(
            row.id, now=now, outcome=outcome, reply=failure.reply, next_attempt_at=later
        )
        return outcome

    def close(self) -> None:
        for transport in self.opened.values():
            transport.close()
        self.recorder.close()


def send_due(
    db: Database,
    settings: DeliverySettings,
    *,
    limit: int | None = None,
    transports: dict[str, Transport] | None = None,
    progress: Callable[[str], None] | None = None,
    rng: random.Random | None = None,
) -> SendReport:
    report = SendReport()
    with db.session(write=True) as session:
        report.unknown = outbox.mark_interrupted_submits(session, _now())
    run = _Run(db, settings, transports or transports_for(settings), rng or random.Random())
    try:
        for batch in _batches(run, limit):
            for outcome in _deliver_batch(run, batch):
                report.counts[outcome] += 1
                if progress is not None:
                    progress(outcome)
    finally:
        run.close()
    return report


def _deliver_batch(run: _Run, batch: list[Any]) -> Iterator[str]:
    """Deliver in order; each next message is built while the server takes in the current one
    (building costs a good part of what sending does)."""
    ahead: list[Prepared | DeliveryError] = [run.prepare(batch[0])]
    for index, row in enumerate(batch):
        prepared = ahead.pop()
        following = batch[index + 1] if index + 1 < len(batch) else None

        def build_next(following: Any = following) -> None:
            if following is not None and not ahead:
                ahead.append(run.prepare(following))

        yield run.deliver(row, prepared, build_next)
        build_next()  # when the transport failed before it could call it


def _batches(run: _Run, limit: int | None) -> Iterator[list[Any]]:
    """Due alerts, claimed a batch at a time, until none is due or the limit is reached."""
    remaining = limit
    while remaining is None or remaining > 0:
        size = run.settings.batch_size
        claimed = run.claim(size if remaining is None else min(size, remaining))
        if not claimed:
            return
        if remaining is not None:
            remaining -= len(claimed)
        yield claimed


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
