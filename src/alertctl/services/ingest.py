"""A help desk's export of request saves: one JSON object per line, one transaction each."""

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from alertctl.db.engine import Database
from alertctl.errors import AlertctlError
from alertctl.services.requests import SaveResult, save, save_input_from


@dataclass
class LineFailure:
    line: int
    message: str


@dataclass
class LineFaults:
    """The alerts one line's save left out by a fault."""

    line: int
    reference: str
    faults: list[dict[str, Any]]


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
    lines: Iterable[str],
    *,
    progress: Callable[[int], None] | None = None,
    after: Callable[[int, SaveResult | LineFailure], None] | None = None,
) -> IngestReport:
    """Apply every line it can, as it comes (a stream is applied line by line, not at its end);
    a bad line is reported with its number and does not stop the others. `after` sees each
    line's outcome once its transaction has committed. A line without a `save_id` gets one
    derived from its content and how many times that content came before in the feed, so
    ingesting the same file twice enqueues nothing twice."""
    report = IngestReport()
    seen: Counter[str] = Counter()
    for number, line in enumerate(lines, start=1):
        if progress is not None:
            progress(number)
        if not line.strip():
            continue
        try:
            result = _ingest_line(db, line, seen)
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


def _ingest_line(db: Database, line: str, seen: Counter[str]) -> SaveResult:
    from alertctl.errors import Invalid

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
        digest = hashlib.sha256(f"{canonical}#{seen[canonical]}".encode()).hexdigest()[:32]
        change.save_id = f"feed-{digest}"
    with db.session(write=True) as session:
        return save(session, change)
