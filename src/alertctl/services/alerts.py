"""`alerts preview` and `alerts explain`: the decision a save would make now, writing nothing."""

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from alertctl.db.engine import Database
from alertctl.domain.model import Event, Fix, FixKind, PersonKind
from alertctl.domain.recipients import Check, Exclusion, Reason, Recipient, check_person
from alertctl.services.alert_slice import Loaded, get_request, load, person_facts
from alertctl.services.common import get_person
from alertctl.services.decide import Outcome, decide


def preview(db: Database, *, reference: str, event: Event | None = None) -> dict[str, Any]:
    """For one event, or each of the five, who would be alerted if it fired now, and who would
    not and why. Each event is previewed alone, as if it were the only one of its save."""
    with db.session(write=False) as session:
        loaded = _load(session, reference)
        events = [event] if event else list(Event)
        outcomes = [decide(loaded, [e])[0] for e in events]
        return {"request": reference, "events": [_event_document(o) for o in outcomes]}


def _event_document(outcome: Outcome) -> dict[str, Any]:
    return {
        "event": outcome.decision.event.value,
        "recipients": [
            recipient_document(r, outcome.message(r).subject) for r in outcome.decision.recipients
        ],
        "excluded": [exclusion_document(x) for x in outcome.decision.excluded],
    }


def recipient_document(recipient: Recipient, subject: str) -> dict[str, Any]:
    return {
        "kind": recipient.person.kind.value,
        "code": recipient.person.code,
        "name": recipient.person.name,
        "channel": recipient.channel.value,
        "address": recipient.address,
        "sources": [s.value for s in recipient.sources],
        "subject": subject,
    }


def exclusion_document(exclusion: Exclusion) -> dict[str, Any]:
    return {
        "kind": exclusion.person.kind.value,
        "code": exclusion.person.code,
        "name": exclusion.person.name,
        "reason": exclusion.reason.value,
        "detail": exclusion.detail,
        "channel": exclusion.channel.value if exclusion.channel else None,
    }


def explain(
    db: Database, *, reference: str, kind: PersonKind, code: str, event: Event | None = None
) -> dict[str, Any]:
    """The eight rules as a checklist for one person, and what the decision is for each event."""
    with db.session(write=False) as session:
        request = get_request(session, reference)
        loaded = load(session, request)
        person = get_person(session, kind, code)
        facts = person_facts(session, request, person)
        if facts.key not in loaded.slice.people:
            people = {**loaded.slice.people, facts.key: facts}
            loaded = replace(loaded, slice=replace(loaded.slice, people=people))
        documents = []
        for current in [event] if event else list(Event):
            outcome = decide(loaded, [current])[0]
            received = [r for r in outcome.decision.recipients if r.person.key == facts.key]
            excluded = [x for x in outcome.decision.excluded if x.person.key == facts.key]
            documents.append(
                {
                    "event": current.value,
                    "candidate": facts.key in loaded.slice.links,
                    "receives": [
                        recipient_document(r, outcome.message(r).subject) for r in received
                    ],
                    "excluded": [exclusion_document(x) for x in excluded],
                    "checks": [
                        {
                            "rule": c.rule,
                            "title": c.title,
                            "passed": c.passed,
                            "facts": c.facts,
                            "fix": c.fix,
                            "channel": c.channel.value if c.channel else None,
                        }
                        for c in _with_render_failure(
                            check_person(loaded.slice, current, facts),
                            excluded,
                            Fix(
                                FixKind.TEMPLATE_ON_REQUEST,
                                loaded.slice.settings[current].template or "",
                                person=kind,
                                code=code,
                                request=reference,
                                event=current.value,
                            ),
                        )
                    ],
                }
            )
        return {
            "request": reference,
            "person": {"kind": kind.value, "code": code, "name": person.name},
            "events": documents,
        }


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


def _load(session: Session, reference: str) -> Loaded:
    return load(session, get_request(session, reference))
