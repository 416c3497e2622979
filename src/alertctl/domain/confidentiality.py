"""Rule 3's second half (docs/rules.md): a contact hears only of its own client's requests, or
of its beneficiaries' when its client holds the contract. Collaborators, the support team's
own people, hear of every client. The same rule refuses links that could never be of use."""

from collections.abc import Iterable

from alertctl.domain.model import PersonKind, Source
from alertctl.domain.person import Person


def hears_of(person: Person, request_client: str, holder: str | None) -> bool:
    """Whether a person may hear of a request of `request_client` on a contract of `holder`.
    A contact whose client is unknown hears of nothing."""
    if person.kind is PersonKind.COLLABORATOR:
        return True
    return person.client is not None and person.client in (request_client, holder)


def own_client_facts(
    person: Person, request_client: str, holder: str | None, contract: str | None
) -> str:
    """The facts rule 3 weighs, as `alerts explain` shows them."""
    if person.kind is PersonKind.COLLABORATOR:
        return "collaborators hear of every client"
    whose = f"the request is {request_client}'s"
    if holder and holder != request_client:
        whose += f", on {holder}'s contract {contract}"
    return f"client {person.client or 'none'}; {whose}"


def contact_may_link(source: Source, contact_client: str, target_clients: Iterable[str]) -> bool:
    """Whether a link of a contact could ever make it hear of a request. A product is shared by
    every client; a site or a client concerns that client's requests only; a contract or its
    service, its holder's and its beneficiaries' (`target_clients`)."""
    return source is Source.PRODUCT or contact_client in target_clients


def cross_client_link_message(
    code: str, contact_client: str, source: Source, target: str, target_clients: Iterable[str]
) -> str:
    """Why a contact is not linked to a target of other clients only."""
    whose = " and ".join(sorted(target_clients)) or "no client"
    return (
        f"contact {code!r} belongs to {contact_client} and {source.value} {target} concerns "
        f"{whose} only: a contact hears only of the requests of its own client"
    )
