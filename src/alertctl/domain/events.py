"""Which events a save raises (docs/rules.md, "The five events of a save"): old and new
request -> events."""

from dataclasses import dataclass

from alertctl.domain.model import Event, StatusType

# A recipient gets one alert per save and channel: the first of these that they would receive.
PRECEDENCE: tuple[Event, ...] = (
    Event.OPEN,
    Event.CLOSURE_EXTERNAL,
    Event.CLOSURE_INTERNAL,
    Event.RESOLUTION,
    Event.STATUS_CHANGE,
    # Raised alone, by the clock check: their order matters only to read the list.
    Event.GTI_BREACH,
    Event.GTI_WARNING,
    Event.GTR_BREACH,
    Event.GTR_WARNING,
)


@dataclass(frozen=True)
class Snapshot:
    """What event detection needs to know of a request, before or after a save."""

    status: str
    status_type: StatusType
    external_description: str | None
    open_fired: bool = False
    state: str | None = None


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


@dataclass(frozen=True)
class NotNow:
    """Why a request cannot raise an event at its next save, and whether it ever can again."""

    why: str
    never_again: bool


def cannot_fire(request: Snapshot, event: Event) -> NotNow | None:
    """Whether the request, as it is, cannot raise `event` at its next save. Only `open` can be
    out of reach: it waits for the first external description and never fires twice; the other
    events belong to status changes, which a save can always make."""
    if event is not Event.OPEN:
        return None
    if request.open_fired:
        return NotNow("open already fired for this request, and never fires twice", True)
    if not has_text(request.external_description):
        return NotNow(
            "open waits for the request's first external description: it fires at the save "
            "that adds one",
            False,
        )
    return None


def why_no_event(before: Snapshot | None, after: Snapshot) -> str:
    """Why a save raised no event, in the words of the rules."""
    reasons = []
    if before is not None:
        reasons.append(
            "only the state changed, which is not a status change"
            if before.state != after.state
            else "the status did not change"
        )
    reasons.append(
        "open fired at an earlier save"
        if before is not None and before.open_fired
        else "open waits for a first external description"
    )
    return "; ".join(reasons)
