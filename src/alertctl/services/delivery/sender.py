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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alertctl.config import DeliverySettings
from alertctl.db import outbox
from alertctl.db.engine import Database
from alertctl.db.outbox import Claimed
from alertctl.domain.model import AlertStatus
from alertctl.services.delivery.reports import BatchReport, SendReport
from alertctl.services.holds.release import release_some
from alertctl.transports import transports_for
from alertctl.transports.base import (
    DeliveryError,
    OutcomeUnknown,
    Outgoing,
    PermanentFailure,
    Prepared,
    Transport,
    Unreachable,
    list_id_for,
    message_id_for,
)


@dataclass
class Lease:
    """The claims of one batch that this sender holds, and until when (on this machine's
    monotonic clock, read before the claim was written, so never later than the lease in the
    database). A claim is sent only while the lease covers the longest a message may take
    (`DeliverySettings.message_deadline`); short of that, the batch's untried claims are
    renewed together, and a claim lost meanwhile is dropped, never sent nor counted."""

    rows: list[Claimed]
    held: set[int]
    until: float

    def covers(self, seconds: float) -> bool:
        return time.monotonic() + seconds < self.until


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
        self.recorder = outbox.Recorder(db.engine, self.owner)

    def recover(self) -> list[int]:
        """Submits interrupted by a sender that died become `unknown`."""
        with self.db.session(write=True) as session:
            return outbox.mark_interrupted_submits(session, _now())

    def claim(self, size: int, *, due_at: datetime, ids: Sequence[int] | None = None) -> Lease:
        started = time.monotonic()
        with self.db.session(write=True) as session:
            now = _now()
            # Held alerts due are released in the claim's transaction (services/holds/release).
            release_some(session, now)
            rows = outbox.claim(
                session,
                owner=self.owner,
                now=now,
                due_at=due_at,
                lease_seconds=self.settings.lease_seconds,
                limit=size,
                ids=ids,
            )
        return Lease(rows, {r.id for r in rows}, started + self.settings.lease_seconds)

    def renew(self, lease: Lease, rows: Sequence[Claimed]) -> None:
        """Renew the lease on these claims (the batch's untried ones); those lost meanwhile
        leave `lease.held`."""
        started = time.monotonic()
        with self.db.session(write=True) as session:
            lease.held = outbox.renew(
                session,
                [r.id for r in rows if r.id in lease.held],
                owner=self.owner,
                now=_now(),
                lease_seconds=self.settings.lease_seconds,
            )
        lease.until = started + self.settings.lease_seconds

    def release(self, rows: Sequence[Claimed], *, retry_in: float | None = None) -> int:
        """Hand claims back untried: as they were, or as `retry` after `retry_in` seconds."""
        if not rows:
            return 0
        later = None if retry_in is None else _now() + timedelta(seconds=retry_in)
        with self.db.session(write=True) as session:
            return outbox.release(session, [r.id for r in rows], owner=self.owner, retry_at=later)

    def next_due(self) -> datetime | None:
        with self.db.session(write=False) as session:
            return outbox.next_due(session)

    def prepare(self, row: Claimed) -> Prepared | DeliveryError:
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
            in_reply_to=None
            if row.thread_key == row.key
            else message_id_for(row.thread_key, self.settings.sender),
            list_id=list_id_for(row.client, self.settings.sender),
        )
        try:
            return self.transports[row.channel].prepare(message)
        except DeliveryError as failure:
            return failure
        except Exception as exc:  # any fault of this one message fails it alone
            return PermanentFailure(f"cannot build the message: {_describe(exc)}")

    def deliver(
        self,
        row: Claimed,
        prepared: Prepared | DeliveryError,
        handed_over: Callable[[], None] | None = None,
    ) -> tuple[str | None, DeliveryError | None]:
        """Send one claimed alert and record its outcome; the outcome is None when the claim
        was lost before it could be recorded (the lease ran out while the server took it): that
        alert is not counted here, and is logged by the caller."""
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
        recorded = self.recorder.record(
            row.id,
            now=now,
            outcome=AlertStatus.SENT,
            reply=accepted.reply,
            sent_at=now,
            message_id=prepared.message.message_id,
            raw=accepted.raw,
        )
        return (AlertStatus.SENT if recorded else None), None

    def _marking_hand_over(
        self, row: Claimed, then: Callable[[], None] | None
    ) -> Callable[[], None]:
        def handed_over() -> None:
            self.recorder.mark_submitting(row.id, _now())
            if then is not None:
                then()

        return handed_over

    def failed(self, row: Claimed, failure: DeliveryError) -> str | None:
        """A 5xx or the last attempt is final (`dead`); an outcome that is not known waits
        for an operator (`unknown`); anything else is tried again later."""
        if isinstance(failure, OutcomeUnknown):
            outcome = AlertStatus.UNKNOWN
        elif isinstance(failure, PermanentFailure) or row.attempts >= self.settings.max_attempts:
            outcome = AlertStatus.DEAD
        else:
            outcome = AlertStatus.RETRY
        now = _now()
        later = None
        if outcome is AlertStatus.RETRY:
            later = now + timedelta(seconds=backoff(row.attempts, self.settings, self.rng))
        recorded = self.recorder.record(
            row.id, now=now, outcome=outcome, reply=failure.reply, next_attempt_at=later
        )
        return outcome if recorded else None

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
        for lease in _batches(self, limit, ids, _now()):
            clock = time.monotonic()
            result = self.deliver_batch(lease, stop=stop, progress=progress)
            report.add(result)
            if on_batch is not None:
                on_batch(result, time.monotonic() - clock)
            if report.unreachable is not None or (stop is not None and stop.is_set()):
                break
        return report

    def deliver_batch(
        self,
        lease: Lease,
        *,
        stop: threading.Event | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> BatchReport:
        """Deliver in order; each next message is built while the server takes in the current
        one (building costs a good part of what sending does). A claim is sent only under a
        lease that covers the message (see `Lease`). Whatever happens, no claim of this batch
        is left behind: what was not tried is handed back."""
        batch = lease.rows
        report = BatchReport(claimed=len(batch))
        done = 0
        try:
            ahead: list[Prepared | DeliveryError] = [self.prepare(batch[0])]
            for index, row in enumerate(batch):
                if stop is not None and stop.is_set():
                    break
                prepared = ahead.pop()
                following = batch[index + 1] if index + 1 < len(batch) else None

                def build_next(following: Claimed | None = following) -> None:
                    if following is not None and not ahead:
                        ahead.append(self.prepare(following))

                outcome, failure = self._deliver_held(lease, index, prepared, build_next)
                done = index + 1
                if outcome is None:
                    report.lost.append(row.id)
                    build_next()
                    continue
                report.add(row, outcome, failure)
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

    def _deliver_held(
        self,
        lease: Lease,
        index: int,
        prepared: Prepared | DeliveryError,
        handed_over: Callable[[], None],
    ) -> tuple[str | None, DeliveryError | None]:
        """Deliver the batch's claim at `index` if the lease still holds it, renewing the lease
        first when it would not cover the message; (None, None) for a claim lost meanwhile."""
        if not lease.covers(self.settings.message_deadline()):
            self.renew(lease, lease.rows[index:])
        row = lease.rows[index]
        if row.id not in lease.held:
            return None, None
        return self.deliver(row, prepared, handed_over)

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
    from alertctl.services.delivery.health import beat

    started = datetime.now(UTC)
    sender = Sender(db, settings, transports, rng)
    try:
        unknown = sender.recover()
        report = sender.send(limit, ids, stop=stop, progress=progress, on_batch=on_batch)
        report.unknown = unknown + report.unknown
        if ids is None:  # a run over the whole queue: a sender's loop, as a watcher's
            beat(db, sender.owner, watching=False, started_at=started)
    finally:
        sender.close()
    return report


def _batches(
    sender: Sender, limit: int | None, ids: Sequence[int] | None, started: datetime
) -> Iterator[Lease]:
    """Due alerts, claimed a batch at a time, until none is due or the limit is reached. Due at
    the run's start: an alert it failed and rescheduled waits for the next run, however short
    the backoff."""
    size = sender.settings.batch_size
    if ids is not None:
        for start in range(0, len(ids), size):
            chunk = list(ids[start : start + size])
            lease = sender.claim(len(chunk), due_at=started, ids=chunk)
            if lease.rows:
                yield lease
        return
    remaining = limit
    while remaining is None or remaining > 0:
        lease = sender.claim(size if remaining is None else min(size, remaining), due_at=started)
        if not lease.rows:
            return
        if remaining is not None:
            remaining -= len(lease.rows)
        yield lease


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _now() -> datetime:
    return datetime.now(UTC)
