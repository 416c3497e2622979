"""Which events a save raises (domain.md, "The five events"): old + new request -> events."""

from dataclasses import dataclass

from alertctl.domain.model import Event, StatusType

# A recipient gets one alert per save and channel: the first of these that they would receive.
PRECEDENCE: tuple[Event, ...] = (
    Event.OPEN,
    Event.CLOSURE_EXTERNAL,
    Event.CLOSURE_INTERNAL,
    Event.RESOLUTION,
    Event.STATUS_CHANGE,
)


@dataclass(frozen=True)
class Snapshot:
    """What event detection needs to know of a request, before or after a save."""

    status: str
    status_type: StatusType
    external_description: str | None
    open_fired: bool = False


def has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def detect_events(before: Snapshot | None, after: Snapshot) -> list[Event]:
    """The events of one save, most specific first; `before` is None for a request's first save.

    - `open` fires at the first save at which the external description is not blank, once.
    - `status_change` fires when the status changes (a change of state alone is not one).
    - `resolution` fires when the status moves into a `resolved` type from another type, so a
      reopened request that is resolved again fires it again.
    - `closure_external` / `closure_internal` fire when the status changes to one of that type.
    """
    events: set[Event] = set()
    already_opened = before is not None and before.open_fired
    if not already_opened and has_text(after.external_description):
        events.add(Event.OPEN)
    if before is not None and before.status != after.status:
        events.add(Event.STATUS_CHANGE)
        if after.status_type is StatusType.CLOSED_EXTERNAL:
            events.add(Event.CLOSURE_EXTERNAL)
        if after.status_type is StatusType.CLOSED_INTERNAL:
            events.add(Event.CLOSURE_INTERNAL)
        if (
            after.status_type is StatusType.RESOLVED
            and before.status_type is not StatusType.RESOLVED
        ):
            events.add(Event.RESOLUTION)
    return [event for event in PRECEDENCE if event in events]
