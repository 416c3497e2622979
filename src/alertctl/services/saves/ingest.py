"""A help desk's export of request saves: one JSON object per line, each line its own outcome."""

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from alertctl.db.engine import Database, hold_loaded, serialise_saves
from alertctl.errors import AlertctlError, Invalid
from alertctl.services.results import Table
from alertctl.services.saves.feed_memory import FeedMemory
from alertctl.services.saves.fields import SaveInput
from alertctl.services.saves.requests import (
    SaveResult,
    remember_ahead,
    remember_save,
    save,
)
from alertctl.services.saves.save_alerts import LeftOut


@dataclass
class LineFailure:
    line: int
    message: str


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


# Lines applied in one transaction, each in its own savepoint: a commit per line would cost more
# than the save itself, and a longer transaction would hold the write lock longer.
CHUNK_LINES = 500

# What a live source yields when its next line is not there yet: what was applied is committed
# (and reported, and delivered) before the wait, never held in an open transaction.
PAUSE = None

Outcome = SaveResult | LineFailure


@dataclass
class _Naming:
    """How a line without a save id is named (see `ingest`)."""

    feed_id: str
    # Digests of the lines seen without a save id, with how many times: the only state that
    # grows with the feed, and only with such lines.
    seen: Counter[bytes] = field(default_factory=Counter)


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
    of up to CHUNK_LINES lines, each line in a savepoint of its own; a source yields PAUSE
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
    naming = _Naming(feed if feed is not None else uuid.uuid4().hex)
    numbered = _numbered(lines)
    item = next(numbered, _END)
    while item is not _END:
        if item is PAUSE:
            item = next(numbered, _END)
            continue
        done: list[tuple[int, Outcome]] = []
        with db.session(write=True) as session:
            serialise_saves(session)
            memory = FeedMemory(held=hold_loaded(session))
            while isinstance(item, tuple) and len(done) < CHUNK_LINES:
                ahead, item = _read_ahead(item, numbered, naming, CHUNK_LINES - len(done))
                remember_ahead(session, memory, [c for _, c in ahead if isinstance(c, SaveInput)])
                for number, parsed in ahead:
                    if progress is not None:
                        progress(number)
                    outcome = _apply(session, memory, number, parsed)
                    if outcome is not None:
                        done.append((number, outcome))
        for number, outcome in done:
            _account(report, number, outcome)
            if after is not None:
                after(number, outcome)
        if committed is not None:
            committed()
    return report


_END = object()


def _numbered(lines: Iterable[str | bytes | None]) -> Iterator[tuple[int, str | bytes] | None]:
    number = 0
    for raw in lines:
        if raw is PAUSE:
            yield PAUSE
        else:
            number += 1
            yield number, raw


Parsed = SaveInput | LineFailure | None


def _read_ahead(
    item: tuple[int, str | bytes],
    numbered: Iterator[tuple[int, str | bytes] | None],
    naming: _Naming,
    most: int,
) -> tuple[list[tuple[int, Parsed]], Any]:
    """Up to `most` lines, parsed, from `item` on, and the item after them: their save ids
    are then looked up in one query rather than one per line. Reading stops at a pause, so a
    live source is never waited for with lines left to apply."""
    ahead: list[tuple[int, Parsed]] = []
    current: Any = item
    while isinstance(current, tuple) and len(ahead) < most:
        number, raw = current
        ahead.append((number, _parse(number, raw, naming)))
        current = next(numbered, _END)
    return ahead, current


def _parse(number: int, raw: str | bytes, naming: _Naming) -> Parsed:
    if len(raw) > MAX_LINE_BYTES:  # cut short by the reader (cli/feed.py)
        return LineFailure(
            number,
            f"line too long: over {MAX_LINE_BYTES:,} bytes, at most {MAX_LINE_CHARS:,} characters",
        )
    try:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        return LineFailure(
            number, f"not UTF-8: byte 0x{exc.object[exc.start]:02x} at column {exc.start + 1}"
        )
    if not line.strip():
        return None
    try:
        return _parse_line(line, naming)
    except AlertctlError as exc:
        return LineFailure(number, exc.message)
    except LINE_FAULTS as exc:
        return LineFailure(number, f"cannot be read: {_fault(exc)}")


# What a hostile line can raise besides a refusal of ours: each fails that line alone.
LINE_FAULTS = (ValueError, OverflowError, RecursionError, UnicodeError, TypeError)


def _fault(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"{type(exc).__name__}: {str(exc)[:100]}"


def _apply(session: Session, memory: FeedMemory, number: int, parsed: Parsed) -> Outcome | None:
    """One line in its own savepoint: its failure rolls back that line only."""
    if not isinstance(parsed, SaveInput):
        return parsed
    try:
        with session.begin_nested():
            result = save(session, parsed, memory)
    except AlertctlError as exc:
        return LineFailure(number, exc.message)
    except LINE_FAULTS as exc:  # a value the line holds that nothing could store
        return LineFailure(number, f"cannot be applied: {_fault(exc)}")
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


# A save is a few fields, the longest a 20,000-character description: a longer line is not one.
MAX_LINE_CHARS = 100_000
# The most a line's characters take in UTF-8: a reader keeps no more of a line than this.
MAX_LINE_BYTES = 4 * MAX_LINE_CHARS


def _parse_line(line: str, naming: _Naming) -> SaveInput:
    if len(line) > MAX_LINE_CHARS:
        # A longer line is read no further than its start (cli/feed.py): its length is a floor.
        raise Invalid(f"line too long: {len(line):,} characters, at most {MAX_LINE_CHARS:,}")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Invalid(f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise Invalid("not a save: nested too deeply") from None
    if not isinstance(data, dict):
        raise Invalid("not a JSON object")
    for key, value in data.items():
        if isinstance(value, str) and not _is_text(value):
            raise Invalid(f"field {key[:40]!r} holds a lone surrogate (such as \\ud800): not text")
    change = save_input_from(data)
    if change.save_id is None:
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(canonical.encode()).digest()
        naming.seen[key] += 1
        named = f"{canonical}#{naming.seen[key]}"
        if change.time is None:
            named = f"{naming.feed_id}\n{named}"
        change.save_id = f"feed-{hashlib.sha256(named.encode()).hexdigest()[:32]}"
    return change


def _is_text(value: str) -> bool:
    """Whether a string can be stored: JSON's \\u escapes can make half a character."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# The fields of a save, as `request open/update` and the JSON Lines feed name them.
SAVE_FIELDS = (
    "reference",
    "contract",
    "client",
    "site",
    "product",
    "service",
    "title",
    "external_description",
    "status",
    "state",
    "requester",
    "save_id",
    "time",
    "move",
)


def save_input_from(data: Table) -> SaveInput:
    """A save from one JSON object of the feed; unknown fields are refused by name."""
    unknown = sorted(set(data) - set(SAVE_FIELDS))
    if unknown:
        raise Invalid(f"unknown field {unknown[0]!r}")
    values: Table = {}
    for spec in fields(SaveInput):
        if spec.name not in data or data[spec.name] is None:
            continue
        value = data[spec.name]
        if spec.name == "time":
            values["time"] = parse_time(value)
        elif spec.name == "move":
            if not isinstance(value, bool):
                raise Invalid("field 'move' must be true or false")
            values["move"] = value
        elif not isinstance(value, str):
            raise Invalid(f"field {spec.name!r} must be a string")
        else:
            values[spec.name] = value
    if "reference" not in values:
        raise Invalid("missing field 'reference'")
    return SaveInput(**values)


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Invalid("field 'time' must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"field 'time' is not an ISO 8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise Invalid(f"field 'time' {value[:40]!r} has no UTC offset: add Z or one such as +01:00")
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:
        utc = None
    # A time far from now is a help desk's mistake: one dated 9999 would make every later save
    # of the request "before" it.
    if utc is None or not EARLIEST_TIME <= utc <= datetime.now(UTC) + LATEST_AHEAD:
        raise Invalid(
            f"field 'time' {value[:40]!r} is out of range: from {EARLIEST_TIME.year} to one day "
            "from now"
        )
    return parsed


EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=1)
