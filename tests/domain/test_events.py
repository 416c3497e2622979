"""Event detection against the table of docs/rules.md, by example and against a small model."""

from hypothesis import given, settings
from hypothesis import strategies as st

from alertctl.domain.events import Snapshot, detect_events
from alertctl.domain.model import Event, StatusType

T = StatusType
OPEN_S = Snapshot("OPEN", T.CREATED, None)


def snap(status: str, kind: StatusType, text: str | None = "x", opened: bool = True) -> Snapshot:
    return Snapshot(status, kind, text, open_fired=opened)


def test_open_fires_on_creation_with_an_external_description() -> None:
    assert detect_events(None, snap("OPEN", T.CREATED, "It fails", opened=False)) == [Event.OPEN]


def test_open_fires_late_at_the_save_that_adds_the_description_and_never_twice() -> None:
    created = snap("OPEN", T.CREATED, None, opened=False)
    assert detect_events(None, created) == []
    assert detect_events(created, snap("OPEN", T.CREATED, "   ", opened=False)) == []
    described = snap("OPEN", T.CREATED, "It fails", opened=False)
    assert detect_events(created, described) == [Event.OPEN]
    fired = snap("OPEN", T.CREATED, "It fails", opened=True)
    assert detect_events(fired, snap("OPEN", T.CREATED, "Changed", opened=True)) == []


def test_a_state_change_alone_is_not_a_status_change() -> None:
    assert detect_events(snap("WIP", T.IN_PROGRESS), snap("WIP", T.IN_PROGRESS)) == []


def test_resolution_is_also_a_status_change_and_fires_again_after_reopening() -> None:
    wip, resolved = snap("WIP", T.IN_PROGRESS), snap("RESOLVED", T.RESOLVED)
    assert detect_events(wip, resolved) == [Event.RESOLUTION, Event.STATUS_CHANGE]
    assert detect_events(resolved, wip) == [Event.STATUS_CHANGE]
    assert detect_events(wip, resolved) == [Event.RESOLUTION, Event.STATUS_CHANGE]


def test_moving_between_two_resolved_statuses_is_no_resolution() -> None:
    other = snap("RESOLVED_2", T.RESOLVED)
    assert detect_events(snap("RESOLVED", T.RESOLVED), other) == [Event.STATUS_CHANGE]


def test_closures() -> None:
    resolved = snap("RESOLVED", T.RESOLVED)
    assert detect_events(resolved, snap("CLOSED_EXT", T.CLOSED_EXTERNAL)) == [
        Event.CLOSURE_EXTERNAL,
        Event.STATUS_CHANGE,
    ]
    assert detect_events(resolved, snap("CLOSED", T.CLOSED_INTERNAL)) == [
        Event.CLOSURE_INTERNAL,
        Event.STATUS_CHANGE,
    ]


def test_one_save_can_raise_open_and_a_status_change_together() -> None:
    created = snap("OPEN", T.CREATED, None, opened=False)
    after = snap("RESOLVED", T.RESOLVED, "Described at last", opened=False)
    assert detect_events(created, after) == [Event.OPEN, Event.RESOLUTION, Event.STATUS_CHANGE]


STATUSES = {
    "OPEN": T.CREATED,
    "WIP": T.IN_PROGRESS,
    "WAIT": T.SUSPENDED,
    "RESOLVED": T.RESOLVED,
    "RESOLVED_2": T.RESOLVED,
    "CLOSED_EXT": T.CLOSED_EXTERNAL,
    "CLOSED": T.CLOSED_INTERNAL,
}
SAVES = st.lists(
    st.tuples(st.sampled_from(sorted(STATUSES)), st.sampled_from([None, "", " ", "described"])),
    min_size=1,
    max_size=12,
)


def model(saves: list[tuple[str, str | None]]) -> list[set[str]]:
    """The table of docs/rules.md, read literally, over a whole request's life."""
    fired: list[set[str]] = []
    opened = False
    previous: str | None = None
    for status, text in saves:
        events: set[str] = set()
        if not opened and text is not None and text.strip():
            events.add("open")
            opened = True
        if previous is not None and status != previous:
            events.add("status_change")
            if STATUSES[status] == T.RESOLVED and STATUSES[previous] != T.RESOLVED:
                events.add("resolution")
            if STATUSES[status] == T.CLOSED_EXTERNAL:
                events.add("closure_external")
            if STATUSES[status] == T.CLOSED_INTERNAL:
                events.add("closure_internal")
        fired.append(events)
        previous = status
    return fired


@settings(max_examples=500)
@given(SAVES)
def test_any_sequence_of_saves_raises_what_the_model_predicts(
    saves: list[tuple[str, str | None]],
) -> None:
    before: Snapshot | None = None
    opened = False
    observed = []
    for status, text in saves:
        after = Snapshot(status, STATUSES[status], text, open_fired=opened)
        events = detect_events(before, after)
        opened = opened or Event.OPEN in events
        after = Snapshot(status, STATUSES[status], text, open_fired=opened)
        observed.append({e.value for e in events})
        before = after
    assert observed == model(saves)
    assert sum("open" in e for e in observed) <= 1
