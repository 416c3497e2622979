"""Points in time as a user writes them on a command line."""

import re
from datetime import UTC, datetime, timedelta

from alertctl.errors import Unreadable

_AGO = re.compile(r"(\d{1,6})\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`30m`, `12h`, `7d`, `2w` before `now`, or an ISO 8601 date or time (`2026-11-28`,
    `2026-11-28T09:30`, with or without an offset: without one, the local time of this
    machine). The result is in UTC, as every time is stored."""
    value = text.strip()
    ago = _AGO.fullmatch(value)
    try:
        if ago:
            return now - timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
        moment = datetime.fromisoformat(value)
        return moment.astimezone(UTC)
    except ValueError:
        raise Unreadable(
            f"cannot read the time {text!r}: give 30m, 12h, 7d, 2w, or an ISO 8601 date or "
            "time such as 2026-11-28 or 2026-11-28T09:30"
        ) from None
    except OverflowError:
        raise Unreadable(f"the time {text[:40]!r} is out of range: before year 1") from None
