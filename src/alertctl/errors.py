"""Typed errors raised by the domain and the services.

The CLI turns them into one `error:` line (and a `hint:` line) on stderr; nothing else
prints errors.
"""


class AlertctlError(Exception):
    """An error a user can act on: a message and, where there is one, the next command to run."""

    exit_code = 1

    def __init__(
        self, message: str, *, hint: str | None = None, details: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []  # one line each, shown under the error


class NotFound(AlertctlError):
    """A code names nothing."""


class Conflict(AlertctlError):
    """The change contradicts what is stored (a duplicate, a reference still in use)."""


class Invalid(AlertctlError):
    """A value is malformed (an address, a code, a control character)."""


class NotInitialised(AlertctlError):
    """The database is missing or behind the migrations this version ships."""


class Refused(AlertctlError):
    """A destructive command was not confirmed."""


class NotDelivered(AlertctlError):
    """A message was refused or could not be sent (`alerts test`)."""

    exit_code = 3
