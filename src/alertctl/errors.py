"""Typed errors raised by the domain and the services.

The CLI turns them into one `error:` line (and a `hint:` line) on stderr; nothing else
prints errors.
"""

import re

# A quoted value, or a run without spaces, longer than an error line should echo. A quote
# opens a value only after a space or a bracket, and closes it only before one: the
# apostrophe of "server's" neither opens nor closes anything.
_LONG_QUOTED = re.compile(
    r"""(?<![\w'"])'(?:[^'\\]|\\.){60,}'(?!\w)"""
    r"""|(?<![\w'"])"(?:[^"\\]|\\.){60,}"(?!\w)|\S{120,}"""
)


def shorten_values(text: str) -> str:
    """Every value an error echoes stays short: a long one becomes its start, an ellipsis and
    its length, so a 100 KB code gives a one-line error, not a 100 KB one."""

    def excerpt(found: re.Match[str]) -> str:
        value = found.group(0)
        quote = value[0] if value[0] in "'\"" else ""
        inner = value[1:-1] if quote else value
        return f"{quote}{inner[:40]}…{quote} ({len(inner):,} characters)"

    return _LONG_QUOTED.sub(excerpt, text)


class AlertctlError(Exception):
    """An error a user can act on: a message and, where there is one, the next command to run."""

    exit_code = 1

    def __init__(
        self, message: str, *, hint: str | None = None, details: list[str] | None = None
    ) -> None:
        message = shorten_values(message)
        super().__init__(message)
        self.message = message
        self.hint = shorten_values(hint) if hint is not None else None
        # one line each, shown under the error
        self.details = [shorten_values(d) for d in details or []]


class NotFound(AlertctlError):
    """A code names nothing."""


class Conflict(AlertctlError):
    """The change contradicts what is stored (a duplicate, a reference still in use)."""


class Invalid(AlertctlError):
    """A value is malformed (an address, a code, a control character)."""


class Unreadable(Invalid):
    """A value not in the form it takes (a number, a time, a duration, a schedule, a name from
    a list): bad usage, exit 2, as when the command line's parser refuses a value, so that one
    kind of mistake has one exit code whichever part of alertctl reads the value."""

    exit_code = 2


class NotInitialised(AlertctlError):
    """The database is missing or behind the migrations this version ships."""


class Refused(AlertctlError):
    """A destructive command was not confirmed."""


class NotDelivered(AlertctlError):
    """A message was refused or could not be sent (`alerts test`)."""

    exit_code = 3


class BadUsage(Invalid):
    """A command line that does not parse (in a batch: one of its lines)."""

    exit_code = 2
