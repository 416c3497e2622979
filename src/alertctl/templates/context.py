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


class TemplateContext(RequestContext):
    recipient: RecipientFacts
    event: str
