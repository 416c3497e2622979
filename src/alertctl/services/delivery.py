"""`alerts send`: claim due alerts, deliver them, record each outcome.

No write transaction is held while a server is being talked to: a claim is one short transaction,
each outcome another, recorded the moment it is known. A sender that dies leaves its claims to
expire, and they are claimed again: e-mail is delivered at least once, and a message received
twice (the sender died between the server's acceptance and its record) carries the same
Message-ID. A fax submit cannot be taken back: one started by a sender that died becomes
`unknown` for the operator, and is never repeated by itself.

One alert fails alone: whatever goes wrong while building or sending it is recorded on it, and
the batch goes on. A transport that cannot work at all (the server cannot be reached or refuses
the login) ends the batch at its first failure: the other claims go back to `retry` at once.
A sender asked to stop finishes the message in flight and hands back what it has not sent.
"""

import contextlib
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from alertctl.config import DeliverySettings
from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.tables import Alert
from alertctl.domain.model import AlertStatus
from alertctl.transports import transports_for
from alertctl.transports.base import (
    DeliveryError,
    Outgoing,
    PermanentFailure,
    Prepared,
    Transport,
    Unreachable,
    message_id_for,
)


@dataclass(frozen=True)
class Failed:
    """One delivery that did not go through: tried again later (`retry`) or given up (`dead`),
    with the server's reply or the error."""

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
    released: int = 0
    # The reply of a transport that could not work, when one ended the batch.
    unreachable: str | None = None
    failed: list[Failed] = field(default_factory=list)


@dataclass
class SendReport:
    counts: Counter[str] = field(default_factory=Counter)
    unknown: list[int] = field(default_factory=list)
    released: int = 0
    unreachable: str | None = None
    failed: list[Failed] = field(default_factory=list)

    @property
    def all_sent(self) -> bool:
        return (
            not self.unknown
            and self.unreachable is None
            and all(k == AlertStatus.SENT for k, n in self.counts.items() if n)
        )

    def add(self, part: "BatchReport | SendReport") -> None:
        self.counts.update(part.counts)
        self.released += part.released
        self.unreachable = part.unreachable or self.unreachable
        self.failed += part.failed
        if isinstance(part, SendReport):
            self.unknown += part.unknown


def backoff(attempts: int, settings: DeliverySettings, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform between 0 and min(cap, base * 2^(n-1))."""
    ceiling = min(settings.backoff_cap, settings.backoff_base * 2 ** max(attempts - 1, 0))
    return rng.uniform(0, ceiling)


def sender_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(32):08x}"


class Sender:
    """One sender: its lease owner, transports, and outcome recorder, for one or many batches."""

    def __init__(
        self,
        db: Database,
        settings: DeliverySettings,
        transports: dict[str, Transport] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db, self.settings = db, settings
        self.transports = transports if transports is not None else transports_for(settings)
        self.rng = rng or random.Random()
        self.owner = sender_id()
        self.opened: dict[int, Transport] = {}
        self.recorder = outbox.recorder(db.engine, self.owner)

    def recover(self) -> list[int]:
        """Submits interrupted by a sender that died become `unknown`."""
        with self.db.session(write=True) as session:
            return outbox.mark_interrupted_submits(session, _now())

    def claim(self, size: int, *, due_at: datetime, ids: Sequence[int] | None = None) -> list[Any]:
        with self.db.session(write=True) as session:
            return outbox.claim(
                session,
                owner=self.owner,
                now=_now(),
                due_at=due_at,
                lease_seconds=self.settings.lease_seconds,
                limit=size,
                ids=ids,
            )

    def release(self, rows: Sequence[Any], *, retry_in: float | None = None) -> int:
        """Hand claims back untried: as they were, or as `retry` after `retry_in` seconds."""
        if not rows:
            return 0
        later = None if retry_in is None else _now() + timedelta(seconds=retry_in)
        with self.db.session(write=True) as session:
            return outbox.release(session, [r.id for r in rows], owner=self.owner, retry_at=later)

    def next_due(self) -> datetime | None:
        with self.db.session(write=False) as session:
            return outbox.next_due(session)

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
        except Exception as exc:  # any fault of this one message fails it alone
            return PermanentFailure(f"cannot build the message: {_describe(exc)}")

    def deliver(
        self,
        row: Any,
        prepared: Prepared | DeliveryError,
        handed_over: Callable[[], None] | None = None,
    ) -> tuple[str, DeliveryError | None]:
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
            return self.failed(row, failure), failure
        except Exception as exc:  # a transport's own bug must not stop the batch
            self._discard(transport)
            broken = PermanentFailure(f"cannot send the message: {_describe(exc)}")
            return self.failed(row, broken), broken
        now = _now()
        self.recorder.record(
            row.id,
            now=now,
            outcome=AlertStatus.SENT,
            reply=accepted.reply,
            sent_at=now,
            message_id=prepared.message.message_id,
            raw=accepted.raw,
        )
        return AlertStatus.SENT, None

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
        outcome = AlertStatus.DEAD if dead else AlertStatus.RETRY
        self.recorder.record(
            row.id, now=now, outcome=outcome, reply=failure.reply, next_attempt_at=later
        )
        return outcome

    def send_ids(self, ids: Sequence[int], *, stop: threading.Event | None = None) -> SendReport:
        """Deliver these alerts, those of them that are due, batch after batch."""
        return self.send(None, ids, stop=stop)

    def send(
        self,
        limit: int | None,
        ids: Sequence[int] | None,
        *,
        stop: threading.Event | None = None,
        progress: Callable[[str], None] | None = None,
        on_batch: Callable[[BatchReport, float], None] | None = None,
    ) -> SendReport:
        """Batch after batch of what is due (or of `ids`), until nothing is due, the limit is
        reached, a transport cannot work, or `stop` is set; `on_batch` sees each batch's
        outcome and how long it took."""
        report = SendReport()
        for batch in _batches(self, limit, ids, _now()):
            clock = time.monotonic()
            result = self.deliver_batch(batch, stop=stop, progress=progress)
            report.add(result)
            if on_batch is not None:
                on_batch(result, time.monotonic() - clock)
            if report.unreachable is not None or (stop is not None and stop.is_set()):
                break
        return report

    def deliver_batch(
        self,
        batch: list[Any],
        *,
        stop: threading.Event | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> BatchReport:
        """Deliver in order; each next message is built while the server takes in the current
        one (building costs a good part of what sending does). Whatever happens, no claim of
        this batch is left behind: what was not tried is handed back."""
        report = BatchReport(claimed=len(batch))
        done = 0
        try:
            ahead: list[Prepared | DeliveryError] = [self.prepare(batch[0])]
            for index, row in enumerate(batch):
                if stop is not None and stop.is_set():
                    break
                prepared = ahead.pop()
                following = batch[index + 1] if index + 1 < len(batch) else None

                def build_next(following: Any = following) -> None:
                    if following is not None and not ahead:
                        ahead.append(self.prepare(following))

                outcome, failure = self.deliver(row, prepared, build_next)
                done = index + 1
                report.counts[outcome] += 1
                if failure is not None:
                    report.failed.append(
                        Failed(
                            row.id, row.channel, AlertStatus(outcome), row.attempts, failure.reply
                        )
                    )
                if progress is not None:
                    progress(outcome)
                if isinstance(failure, Unreachable):
                    report.unreachable = failure.reply
                    rest = batch[done:]
                    report.released = self.release(
                        rest, retry_in=backoff(row.attempts, self.settings, self.rng)
                    )
                    report.counts[AlertStatus.RETRY] += len(rest)
                    return report
                build_next()  # when the transport failed before it could call it
        finally:
            if done < len(batch) and report.unreachable is None:
                report.released = self.release(batch[done:])
        return report

    def _discard(self, transport: Transport) -> None:
        """A transport in an unknown state is closed, and opened again by the next message."""
        self.opened.pop(id(transport), None)
        with contextlib.suppress(Exception):
            transport.close()

    def close(self) -> None:
        for transport in self.opened.values():
            with contextlib.suppress(Exception):
                transport.close()
        self.opened.clear()
        self.recorder.close()


def send_due(
    db: Database,
    settings: DeliverySettings,
    *,
    limit: int | None = None,
    ids: Sequence[int] | None = None,
    transports: dict[str, Transport] | None = None,
    progress: Callable[[str], None] | None = None,
    rng: random.Random | None = None,
    stop: threading.Event | None = None,
    on_batch: Callable[[BatchReport, float], None] | None = None,
) -> SendReport:
    """Deliver what is due now (or only the alerts `ids`, when due), batch after batch, until
    nothing is due, the limit is reached, a transport cannot work, or `stop` is set; `on_batch`
    sees each batch's outcome and how long it took."""
    sender = Sender(db, settings, transports, rng)
    try:
        unknown = sender.recover()
        report = sender.send(limit, ids, stop=stop, progress=progress, on_batch=on_batch)
        report.unknown = unknown + report.unknown
    finally:
        sender.close()
    return report


def _batches(
    sender: Sender, limit: int | None, ids: Sequence[int] | None, started: datetime
) -> Iterator[list[Any]]:
    """Due alerts, claimed a batch at a time, until none is due or the limit is reached. Due at
    the run's start: an alert it failed and rescheduled waits for the next run, however short
    the backoff."""
    size = sender.settings.batch_size
    if ids is not None:
        for start in range(0, len(ids), size):
            chunk = list(ids[start : start + size])
            claimed = sender.claim(len(chunk), due_at=started, ids=chunk)
            if claimed:
                yield claimed
        return
    remaining = limit
    while remaining is None or remaining > 0:
        claimed = sender.claim(size if remaining is None else min(size, remaining), due_at=started)
        if not claimed:
            return
        if remaining is not None:
            remaining -= len(claimed)
        yield claimed


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
        query = select(Alert).where(outbox.due_condition(_now())).order_by(col(Alert.id))
        if limit is not None:
            query = query.limit(limit)
        return [
            DueAlert(a.id or 0, a.channel, a.address, a.subject, a.attempts)
            for a in session.exec(query).all()
        ]


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _now() -> datetime:
    return datetime.now(UTC)
