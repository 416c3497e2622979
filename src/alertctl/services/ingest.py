"""A help desk's export of request saves: one JSON object per line, one transaction each."""

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from alertctl.db.engine import Database
from alertctl.errors import AlertctlError, Invalid
from alertctl.services.requests import SaveInput, SaveResult, save
from alertctl.services.results import Table
from alertctl.services.save_alerts import LeftOut


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


def ingest(
    db: Database,
    lines: Iterable[str | bytes],
    *,
    feed: str | None = None,
    progress: Callable[[int], None] | None = None,
    after: Callable[[int, SaveResult | LineFailure], None] | None = None,
) -> IngestReport:
    """Apply every line it can, as it comes (a stream is applied line by line, not at its end);
    a bad line (bad JSON, bad UTF-8, a bad field) is reported with its number and does not stop
    the others. `after` sees each line's outcome once its transaction has committed.

    How a save is told from a replay: a line's `save_id` names it. A line without one but with
    a `time` is named by its content and how many times that content came before in the feed:
    the same line at the same time is the same save, in any file. A line with neither is named
    by its content, its occurrence, and the feed it came in (`feed`: the digest of a file's
    bytes), so replaying the same file changes nothing while the same line in another file is a
    new save; from a stream (`feed` None) such a line is always a new save."""
    db.check_schema()  # a missing database is one error, not one per line
    report = IngestReport()
    seen: Counter[str] = Counter()
    feed_id = feed if feed is not None else uuid.uuid4().hex
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            failure = LineFailure(
                number, f"not UTF-8: byte 0x{exc.object[exc.start]:02x} at column {exc.start + 1}"
            )
            report.failures.append(failure)
            if after is not None:
                after(number, failure)
            continue
        if progress is not None:
            progress(number)
        if not line.strip():
            continue
        try:
            result = _ingest_line(db, line, seen, feed_id)
        except AlertctlError as exc:
            failure = LineFailure(number, exc.message)
            report.failures.append(failure)
            if after is not None:
                after(number, failure)
            continue
        report.warnings.extend(f"line {number}: {w}" for w in result.warnings)
        if result.faults:
            report.faults.append(LineFaults(number, result.reference, result.faults))
        if result.replayed:
            report.replayed += 1
        else:
            report.saves += 1
            report.alerts += len(result.alerts)
        if after is not None:
            after(number, result)
    return report


# A save is a few fields, the longest a 20,000-character description: a longer line is not one.
MAX_LINE_CHARS = 100_000


def _ingest_line(db: Database, line: str, seen: Counter[str], feed_id: str) -> SaveResult:
    from alertctl.errors import Invalid

    if len(line) > MAX_LINE_CHARS:
        raise Invalid(f"line too long: {len(line):,} characters, at most {MAX_LINE_CHARS:,}")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Invalid(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise Invalid("not a JSON object")
    change = save_input_from(data)
    if change.save_id is None:
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        seen[canonical] += 1
        named = f"{canonical}#{seen[canonical]}"
        if change.time is None:
            named = f"{feed_id}\n{named}"
        change.save_id = f"feed-{hashlib.sha256(named.encode()).hexdigest()[:32]}"
    with db.session(write=True) as session:
        return save(session, change)


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
    return parsed
