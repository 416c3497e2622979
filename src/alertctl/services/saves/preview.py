"""`alerts preview` and `alerts explain`: the decision a save would make now, writing nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlmodel import Session

from alertctl.db.engine import Database
from alertctl.db.tables import Request
from alertctl.domain.events import Snapshot, cannot_fire
from alertctl.domain.holds import tell_carried, tell_hold
from alertctl.domain.model import Channel, Event, Fix, FixKind, Language, PersonKind, Source
from alertctl.domain.person import Person as PersonFacts
from alertctl.domain.person import PersonKey
from alertctl.domain.recipients import Check, Exclusion, Reason, Recipient, check_person
from alertctl.services.common import get_person, ident
from alertctl.services.holds.hold import Holding
from alertctl.services.holds.rules import rules_for
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
    # Whether it would be held, why and until when (docs/rules.md, "Holding alerts").
    held: str | None = field(default=None, metadata={"omit_if_none": True})


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
        people = [loaded.person_ids[r.person.key] for o in outcomes for r in o.decision.recipients]
        holds = _Holds(session, request, people)
        return Preview(
            reference,
            tuple(
                _event_preview(
                    o, _why_not(session, request, now, o.decision.event), holds, loaded.person_ids
                )
                for o in outcomes
            ),
        )


class _Holds:
    """What previews say of holds: whether each alert would be held, why and until when."""

    def __init__(self, session: Session, request: Request, people: list[int]) -> None:
        rules = rules_for(session, people, request.client_id)
        self.holding = Holding(session, ident(request.id), rules, datetime.now(UTC))

    def said(self, person: int, recipient: Recipient, event: Event) -> str | None:
        channel = recipient.channel.value
        waiting = self.holding.waiting(person, channel)
        hold = self.holding.hold(person, channel, event)
        if hold is None:
            return tell_carried(waiting) if waiting and event is not Event.STATUS_CHANGE else None
        rules = self.holding.rules[person]
        return tell_hold(
            hold, waiting=waiting, zone=rules.zone, now=self.holding.now, cap=rules.cap_per_hour
        )


def _why_not(session: Session, request: Request, snapshot: Snapshot, event: Event) -> str | None:
    if event.is_sla:
        return no_clock(session, request, event)
    blocked = cannot_fire(snapshot, event)
    return blocked.why if blocked else None


def _event_preview(
    outcome: Outcome, why_not: str | None, holds: _Holds, ids: dict[PersonKey, int]
) -> EventPreview:
    event = outcome.decision.event
    return EventPreview(
        event,
        why_not,
        tuple(
            _recipient(r, outcome.message(r), holds.said(ids[r.person.key], r, event))
            for r in outcome.decision.recipients
        ),
        tuple(_exclusion(x) for x in outcome.decision.excluded),
    )


def _recipient(recipient: Recipient, message: Message, held: str | None = None) -> RecipientView:
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
        held,
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
        holds = _Holds(session, request, [ident(person.id)])
        explained = tuple(
            _explain_event(
                with_clock(session, loaded, request, current),
                facts,
                current,
                reference,
                _why_not(session, request, now, current),
                lambda r, e: holds.said(ident(person.id), r, e),
            )
            for current in ([event] if event else events_of(session, request))
        )
        return Explanation(reference, PersonRef(kind, code, person.name), explained)


def _explain_event(
    loaded: Loaded,
    facts: PersonFacts,
    current: Event,
    reference: str,
    why_not: str | None,
    held: Callable[[Recipient, Event], str | None],
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
        tuple(_recipient(r, outcome.message(r), held(r, current)) for r in received),
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
