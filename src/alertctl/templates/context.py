"""What a template sees: plain data, named here field by field.

The README's template section lists the same names for the people who write templates; a
request's facts
come from alert_slice.load, the recipient's from decide, and the samples that `template check`
renders on from template_use.
"""

from typing import TypedDict


class StatusFacts(TypedDict):
    code: str
    label: str
    type: str


class Named(TypedDict):
    code: str
    name: str


class RequestFacts(TypedDict):
    reference: str
    title: str
    external_description: str
    status: StatusFacts | None
    previous_status: StatusFacts | None
    state: str | None
    opened_at: str
    updated_at: str


class RecipientFacts(TypedDict):
    kind: str
    code: str
    name: str
    channel: str
    address: str


class RequestContext(TypedDict):
    """The part of a context that is the same for every recipient of a request."""

    request: RequestFacts
    client: Named
    site: Named | None
    contract: Named | None
    service: Named | None
    product: Named | None


class ClockFacts(TypedDict):
    """An SLA clock, in an SLA event's alert: business time spelt "2 h 30 min"."""

    name: str  # GTI or GTR
    target: str
    # Local time on the contract's calendar, as the alert's language writes it:
    # "1 décembre 2026 à 14 h 00 (Europe/Paris)", "1 December 2026, 14:00 (Europe/Paris)".
    due: str
    used: str
    left: str  # "0 min" once missed
    overdue: str  # "0 min" until missed


class TemplateContext(RequestContext):
    recipient: RecipientFacts
    event: str
    clock: ClockFacts | None  # the SLA events' only
