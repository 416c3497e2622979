"""A help desk's export of request saves: one JSON object per line, each line its own outcome."""

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from alertctl.db.engine import Database, hold_loaded, serialise_saves
from alertctl.errors import AlertctlError
from alertctl.services.saves.feed_lines import (
    LINE_FAULTS,
    LineFailure,
    Naming,
    Parsed,
    fault,
    parse,
)
from alertctl.services.saves.feed_memory import FeedMemory
from alertctl.services.saves.fields import SaveInput
from alertctl.services.saves.requests import (
    SaveResult,
    before_save,
    put_back,
    remember_ahead,
    remember_save,
    save,
)
from alertctl.services.saves.save_alerts import LeftOut
from alertctl.services.saves.staging import Staging


@dataclass
class LineFaults:
    """The alerts one line's save left out by a fault."""

    line: int
    reference: str
    faults: list[LeftOut]


@dataclass
class IngestReport:
    saves: int = 0
    replayed: int = 0
    alerts: int = 0
    failures: list[LineFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    faults: list[LineFaults] = field(default_factory=list)


# Lines applied in one transaction, their rows staged and written at its end: a commit per line
# would cost more than the save itself, and a longer transaction would hold the write lock
# longer.
CHUNK_LINES = 500

# What a live source yields when its next line is not there yet: what was applied is committed
# (and reported, and delivered) before the wait, never held in an open transaction.
PAUSE = None

Outcome = SaveResult | LineFailure


def ingest(
    db: Database,
    lines: Iterable[str | bytes | None],
    *,
    feed: str | None = None,
    progress: Callable[[int], None] | None = None,
    after: Callable[[int, Outcome], None] | None = None,
    committed: Callable[[], None] | None = None,
) -> IngestReport:
    """Apply every line it can, as it comes; a bad line (bad JSON, bad UTF-8, a bad field) is
    reported with its number and does not stop the others. Lines are applied in transactions
    of up to CHUNK_LINES lines, whose rows are staged and written when the transaction ends
    (services/saves/staging.py); a line that fails stages nothing. A source yields PAUSE
    when it would wait for its next line, and what it gave is committed before the wait.
    `after` sees each line's outcome once its transaction has committed, and the report counts
    only what was committed; `committed` is called after each transaction, once `after` has
    seen its lines.

    How a save is told from a replay: a line's `save_id` names it. A line without one but with
    a `time` is named by its content and how many times that content came before in the feed:
    the same line at the same time is the same save, in any file. A line with neither is named
    by its content, its occurrence, and the feed it came in (`feed`: the digest of a file's
    bytes), so replaying the same file changes nothing while the same line in another file is a
    new save; from a stream (`feed` None) such a line is always a new save."""
    db.check_schema()  # a missing database is one error, not one per line
    report = IngestReport()
    naming = Naming(feed if feed is not None else uuid.uuid4().hex)
    numbered = _numbered(lines)
    item: Item = next(numbered, _END)
    while item is not _END:
        if item is PAUSE:
            item = next(numbered, _END)
            continue
        assert isinstance(item, tuple)
        chunk, item = _read_chunk(item, numbered, naming)
        try:
            done = _apply_chunk(db, chunk, progress, staged=True)
        except _Refused:  # the database refused a staged row: find its line, one at a time
            done = _apply_chunk(db, chunk, progress, staged=False)
        for number, outcome in done:
            _account(report, number, outcome)
            if after is not None:
                after(number, outcome)
        if committed is not None:
            committed()
    return report


class _End:
    """Where a feed's lines end."""


_END = _End()
Numbered = tuple[int, str | bytes]
Item = Numbered | None | _End  # a line, a pause, or the end


def _numbered(lines: Iterable[str | bytes | None]) -> Iterator[tuple[int, str | bytes] | None]:
    number = 0
    for raw in lines:
        if raw is PAUSE:
            yield PAUSE
        else:
            number += 1
            yield number, raw


def _read_chunk(
    item: tuple[int, str | bytes],
    numbered: Iterator[tuple[int, str | bytes] | None],
    naming: Naming,
) -> tuple[list[tuple[int, Parsed]], Item]:
    """The lines of one transaction: up to CHUNK_LINES that are not blank, read up to a pause
    or the end; and the item after them."""
    chunk: list[tuple[int, Parsed]] = []
    filled = 0
    current: Item = item
    while isinstance(current, tuple) and filled < CHUNK_LINES:
        ahead, current = _read_ahead(current, numbered, naming, CHUNK_LINES - filled)
        chunk += ahead
        filled += sum(1 for _, parsed in ahead if parsed is not None)
    return chunk, current


class _Refused(Exception):
    """The database refused a row a staged transaction wrote at its end."""


def _apply_chunk(
    db: Database,
    chunk: list[tuple[int, Parsed]],
    progress: Callable[[int], None] | None,
    *,
    staged: bool,
) -> list[tuple[int, Outcome]]:
    """The lines of one transaction. `staged`: their rows are written when the transaction
    ends (services/saves/staging.py), and a refusal then raises `_Refused`, the transaction
    rolled back; otherwise each line writes its own in a savepoint, and fails alone."""
    done: list[tuple[int, Outcome]] = []
    with db.session(write=True) as session:
        serialise_saves(session)
        memory = FeedMemory(held=hold_loaded(session))
        if staged:
            memory.staging = Staging(session)
        remember_ahead(session, memory, [c for _, c in chunk if isinstance(c, SaveInput)])
        # A staged transaction writes nothing until its end: no query may flush the session.
        apply = _apply_staged if staged else _apply
        with session.no_autoflush if staged else nullcontext():
            for number, parsed in chunk:
                if progress is not None:
                    progress(number)
                outcome = apply(session, memory, number, parsed)
                if outcome is not None:
                    done.append((number, outcome))
            if memory.staging is not None:
                try:
                    memory.staging.write(session)
                except Exception as exc:
                    raise _Refused from exc
    return done


def _read_ahead(
    item: tuple[int, str | bytes],
    numbered: Iterator[tuple[int, str | bytes] | None],
    naming: Naming,
    most: int,
) -> tuple[list[tuple[int, Parsed]], Item]:
    """Up to `most` lines, parsed, from `item` on, and the item after them: their save ids
    are then looked up in one query rather than one per line. Reading stops at a pause, so a
    live source is never waited for with lines left to apply."""
    ahead: list[tuple[int, Parsed]] = []
    current: Item = item
    while isinstance(current, tuple) and len(ahead) < most:
        number, raw = current
        ahead.append((number, parse(number, raw, naming)))
        current = next(numbered, _END)
    return ahead, current


# What the database says of a row it will not store: the line fails alone, in its savepoint.
# (Every other error of the database, such as one it cannot write at all, ends the feed.)
REFUSALS = (IntegrityError, DataError)


def _apply(session: Session, memory: FeedMemory, number: int, parsed: Parsed) -> Outcome | None:
    """One line in its own savepoint: its failure rolls back that line only."""
    if not isinstance(parsed, SaveInput):
        return parsed
    try:
        with session.begin_nested():
            result = save(session, parsed, memory)
    except (AlertctlError, *LINE_FAULTS) as exc:
        return _failure(number, exc)
    # A row of the line that a constraint or trigger of the database refuses.
    except REFUSALS as exc:
        return LineFailure(number, f"refused by the database: {str(exc.orig)[:200]}")
    remember_save(memory, result)
    return result


def _failure(number: int, exc: Exception) -> LineFailure:
    """A line's own failure: a refusal of ours, or a value the line holds that nothing could
    store."""
    if isinstance(exc, AlertctlError):
        return LineFailure(number, exc.message)
    return LineFailure(number, f"cannot be applied: {fault(exc)}")


def _apply_staged(
    session: Session, memory: FeedMemory, number: int, parsed: Parsed
) -> Outcome | None:
    """One line of a staged transaction: its rows are staged once it has succeeded; a failure
    puts its request back as it was, and stages nothing."""
    if not isinstance(parsed, SaveInput):
        return parsed
    assert memory.staging is not None
    before = before_save(session, parsed, memory)
    line = memory.staging.begin_line()
    try:
        result = save(session, parsed, memory)
    except (AlertctlError, *LINE_FAULTS) as exc:
        put_back(session, memory, before)
        return _failure(number, exc)
    memory.staging.take(line)
    remember_save(memory, result)
    return result


def _account(report: IngestReport, number: int, outcome: Outcome) -> None:
    if isinstance(outcome, LineFailure):
        report.failures.append(outcome)
        return
    report.warnings.extend(f"line {number}: {w}" for w in outcome.warnings)
    if outcome.faults:
        report.faults.append(LineFaults(number, outcome.reference, outcome.faults))
    if outcome.replayed:
        report.replayed += 1
    else:
        report.saves += 1
        report.alerts += len(outcome.alerts)
