"""A feed's lines read as saves: one JSON object a line, its fields checked, and a line
without a save id named by its content (see `services/saves/ingest.ingest`)."""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from alertctl.errors import AlertctlError, Invalid
from alertctl.services.results import Table
from alertctl.services.saves.fields import SaveInput


@dataclass
class LineFailure:
    line: int
    message: str


@dataclass
class Naming:
    """How a line without a save id is named (see `ingest`)."""

    feed_id: str
    # Digests of the lines seen without a save id, with how many times: the only state that
    # grows with the feed, and only with such lines.
    seen: Counter[bytes] = field(default_factory=Counter)


Parsed = SaveInput | LineFailure | None


def parse(number: int, raw: str | bytes, naming: Naming) -> Parsed:
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
        return LineFailure(number, f"cannot be read: {fault(exc)}")


# What a hostile line can raise besides a refusal of ours: each fails that line alone.
LINE_FAULTS = (ValueError, OverflowError, RecursionError, UnicodeError, TypeError)


def fault(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"{type(exc).__name__}: {str(exc)[:100]}"


# A save is a few fields, the longest a 20,000-character description: a longer line is not one.
MAX_LINE_CHARS = 100_000
# The most a line's characters take in UTF-8: a reader keeps no more of a line than this.
MAX_LINE_BYTES = 4 * MAX_LINE_CHARS


def _parse_line(line: str, naming: Naming) -> SaveInput:
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
