"""`alerts preview` and `alerts explain`: the decision a save would make now, writing nothing."""

from dataclasses import dataclass, replace

from sqlmodel import Session

from alertctl.db.engine import Database
from alertctl.db.tables import Request
from alertctl.domain.events import Snapshot, cannot_fire
from alertctl.domain.model import Channel, Event, Fix, FixKind, Language, PersonKind, Source
from alertctl.domain.person import Person as PersonFacts
from alertctl.domain.recipients import Check, Exclusion, Reason, Recipient, check_person
from alertctl.services.common import get_person
from alertctl.services.saves.alert_slice import Loaded, get_request, load, person_facts
from alertctl.services.saves.decide import Message, Outcome, decide
from alertctl.services.saves.requests import snapshot
from alertctl.services.sla.clocks import events_of, no_clock, with_clock


@dataclass(frozen=True)
class RecipientView:
    kind: PersonKind
    code: str
    name: str
    channel: Channel
    address: str
    sources: tuple[Source, ...]
    subject: str
    language: Language
    template: str


@dataclass(frozen=True)
class ExclusionView:
    kind: PersonKind
    code: str
    name: str
    reason: Reason
    detail: str
    channel: Channel | None


@dataclass(frozen=True)
class EventPreview:
    event: Event
    # Why the request cannot raise the event at its next save (None: it can): the people below
    # are who it would reach if it fired.
    cannot_fire: str | None
    recipients: tuple[RecipientView, ...]
    excluded: tuple[ExclusionView, ...]


@dataclass(frozen=True)
class Preview:
    request: str
    events: tuple[EventPreview, ...]


@dataclass(frozen=True)
class CheckView:
    rule: int
    title: str
    passed: bool
    facts: str
    fix: Fix | None
    channel: Channel | None


@dataclass(frozen=True)
class EventExplanation:
    event: Event
    cannot_fire: str | None
    candidate: bool
    receives: tuple[RecipientView, ...]
    excluded: tuple[ExclusionView, ...]
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class PersonRef:
    kind: PersonKind
    code: str
    name: str


@dataclass(frozen=True)
class Explanation:
    request: str
    person: PersonRef
    events: tuple[EventExplanation, ...]


def preview(db: Database, *, reference: str, event: Event | None = None) -> Preview:
    """For one event, or each of the five, who would be alerted if it fired now, and who would
    not and why. Each event is previewed alone, as if it were the only one of its save."""
    with db.session(write=False) as session:
        request = get_request(session, reference)
        loaded = load(session, request)
        now = snapshot(session, request)
        events = [event] if event else events_of(session, request)
        outcomes = [decide(with_clock(session, loaded, request, e), [e])[0] for e in events]
        return Preview(
            reference,
            tuple(
                _event_preview(o, _why_not(session, request, now, o.decision.event))
                for o in outcomes
            ),
        )


def _why_not(session: Session, request: Request, snapshot: Snapshot, event: Event) -> str | None:
    if event.is_sla:
        return no_clock(session, request, event)
    blocked = cannot_fire(snapshot, event)
    return blocked.why if blocked else None


def _event_preview(outcome: Outcome, why_not: str | None) -> EventPreview:
    return EventPreview(
        outcome.decision.event,
        why_not,
        tuple(_recipient(r, outcome.message(r)) for r in outcome.decision.recipients),
        tuple(_exclusion(x) for x in outcome.decision.excluded),
    )


def _recipient(recipient: Recipient, message: Message) -> RecipientView:
    person = recipient.person
    return RecipientView(
        person.kind,
        person.code,
        person.name,
        recipient.channel,
        recipient.address,
        tuple(recipient.sources),
        message.subject,
        message.language,
        message.template,
    )


def _exclusion(exclusion: Exclusion) -> ExclusionView:
    person = exclusion.person
    return ExclusionView(
        person.kind,
        person.code,
        person.name,
        exclusion.reason,
        exclusion.detail,
        exclusion.channel,
    )


def explain(
    db: Database, *, reference: str, kind: PersonKind, code: str, event: Event | None = None
) -> Explanation:
    """The eight rules as a checklist for one person, and what the decision is for each event."""
    with db.session(write=False) as session:
        request = get_request(session, reference)
        loaded = load(session, request)
        person = get_person(session, kind, code)
        facts = person_facts(session, request, person)
        if facts.key not in loaded.slice.people:
            people = {**loaded.slice.people, facts.key: facts}
            loaded = replace(loaded, slice=replace(loaded.slice, people=people))
        now = snapshot(session, request)
        explained = tuple(
            _explain_event(
                with_clock(session, loaded, request, current),
                facts,
                current,
                reference,
                _why_not(session, request, now, current),
            )
            for current in ([event] if event else events_of(session, request))
        )
        return Explanation(reference, PersonRef(kind, code, person.name), explained)


def _explain_event(
    loaded: Loaded, facts: PersonFacts, current: Event, reference: str, why_not: str | None
) -> EventExplanation:
    outcome = decide(loaded, [current])[0]
    received = [r for r in outcome.decision.recipients if r.person.key == facts.key]
    excluded = [x for x in outcome.decision.excluded if x.person.key == facts.key]
    on_request = Fix(
        FixKind.TEMPLATE_ON_REQUEST,
        loaded.slice.settings[current].template or "",
        person=facts.kind,
        code=facts.code,
        request=reference,
        event=current.value,
    )
    checks = _with_render_failure(check_person(loaded.slice, current, facts), excluded, on_request)
    return EventExplanation(
        current,
        why_not,
        facts.key in loaded.slice.links,
        tuple(_recipient(r, outcome.message(r)) for r in received),
        tuple(_exclusion(x) for x in excluded),
        tuple(CheckView(c.rule, c.title, c.passed, c.facts, c.fix, c.channel) for c in checks),
    )


def _with_render_failure(checks: list[Check], excluded: list[Exclusion], fix: Fix) -> list[Check]:
    """A template whose syntax is fine may still fail to render for this request: then the
    template rule is the one that fails, with the render error."""
    failed = next(
        (x for x in excluded if x.reason is Reason.NO_TEMPLATE and x.channel is not None), None
    )
    if failed is None:
        return checks
    error = failed.detail.split("does not render: ", 1)[-1]
    return [
        replace(
            c,
            passed=False,
            facts=f"template {fix.target}: does not render for this request: {error}",
            fix=fix,
        )
        if c.reason is Reason.NO_TEMPLATE
        else c
        for c in checks
    ]
