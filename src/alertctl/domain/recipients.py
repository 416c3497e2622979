"""Who receives an alert, and why everyone else does not (docs/rules.md, "The eight conditions").

`check_person` lays out the rules as a checklist for one person, one check after another in the
order of `RULES`; `resolve` reads every decision off that checklist and knows no rule by itself,
so a preview, an explanation and the alerts actually written can never tell different stories,
and a new rule is one function in `RULES` and one `Reason`.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache

from alertctl.domain.confidentiality import hears_of, own_client_facts
from alertctl.domain.events import PRECEDENCE
from alertctl.domain.model import (
    Channel,
    Event,
    Fix,
    FixKind,
    MailFormat,
    PersonKind,
    Source,
)
from alertctl.domain.person import Person, PersonKey
from alertctl.errors import Invalid


class Reason(StrEnum):
    """Why a candidate is left out, in the order of the rules that give them."""

    NO_CONTRACT = "no_contract"
    EVENT_NOT_ENABLED = "event_not_enabled"
    NO_TEMPLATE = "no_template"
    OTHER_CLIENT = "other_client"
    SOURCE_DISABLED = "source_disabled"
    NOT_ON_MAIN_SITE = "not_on_main_site"
    NOT_OPTED_IN = "not_opted_in"
    NO_ACTIVE_RECEPTION_MODE = "no_active_reception_mode"
    INVALID_ADDRESS = "invalid_address"
    INACTIVE = "inactive"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class ClientAlert:
    """One event of the request's client's alert settings."""

    enabled: bool = False
    keyword: str | None = None
    template: str | None = None
    template_problem: str | None = None  # why the template cannot be used, when it cannot
    mail_format: MailFormat = MailFormat.TEXT


@dataclass(frozen=True)
class AlertSlice:
    """The part of the configuration that applies to one request: all `resolve` needs."""

    request: str
    client: str
    contract: str | None
    settings: Mapping[Event, ClientAlert]
    enabled_sources: frozenset[Source]
    # The request's own target of each source that applies, as `alertctl link` names it.
    targets: Mapping[Source, str]
    # Every candidate, with the sources of the request that link them.
    links: Mapping[PersonKey, frozenset[Source]]
    people: Mapping[PersonKey, Person]
    main_site: str | None = None  # CLIENT/SITE, for hints
    # The client that holds the contract: its contacts follow its beneficiaries' requests too.
    holder: str | None = None

    def candidates(self) -> list[Person]:
        return [self.people[key] for key in sorted(self.links)]


@dataclass(frozen=True)
class Recipient:
    person: Person
    channel: Channel
    address: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Exclusion:
    person: Person
    reason: Reason
    detail: str
    channel: Channel | None = None


@dataclass(frozen=True)
class Decision:
    event: Event
    recipients: tuple[Recipient, ...] = ()
    excluded: tuple[Exclusion, ...] = ()


@dataclass(frozen=True)
class Check:
    """One rule of docs/rules.md for one person: passed or not, the facts, and how to change it."""

    rule: int
    title: str
    passed: bool
    facts: str
    fix: Fix | None = None
    reason: Reason | None = None
    channel: Channel | None = None


@dataclass
class _Channels:
    usable: list[tuple[Channel, str]] = field(default_factory=list)
    failed: list[Check] = field(default_factory=list)


@lru_cache(maxsize=65_536)
def address_is_valid(channel: Channel, address: str | None, region: str = "FR") -> bool:
    from alertctl.domain.validation import normalize_email, normalize_fax

    if not address:
        return False
    try:
        if channel is Channel.EMAIL:
            normalize_email(address)
        else:
            normalize_fax(address, region)
    except Invalid:
        return False
    return True


Rule = Callable[["AlertSlice", Event, Person], list[Check]]


def check_person(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
    """The rules for one person and one event, in order; rule 7 once per channel. A contact of
    another client gets no fix at all: no setting would let them hear of this request."""
    checks = [check for rule in RULES for check in rule(alerts, event, person)]
    if any(c.reason is Reason.OTHER_CLIENT and not c.passed for c in checks):
        return [replace(check, fix=None) for check in checks]
    return checks


def _request_checks(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
    """Rules 1 and 2: the request's contract, the client's setting and its template."""
    setting = alerts.settings.get(event, ClientAlert())
    return [
        Check(
            1,
            "the request has a contract",
            alerts.contract is not None,
            f"contract: {alerts.contract or 'none'}",
            None if alerts.contract else Fix(FixKind.REQUEST_CONTRACT, alerts.request),
            Reason.NO_CONTRACT,
        ),
        Check(
            2,
            f"the client has {event.value} switched on, with a keyword and a template",
            setting.enabled and bool(setting.keyword),
            f"client {alerts.client}: {event.value} "
            + (f"on, keyword {setting.keyword!r}" if setting.enabled else "off"),
            None if setting.enabled else Fix(FixKind.CLIENT_EVENT, alerts.client, event.value),
            Reason.EVENT_NOT_ENABLED,
        ),
        Check(
            2,
            "the event's template is usable",
            setting.template_problem is None,
            f"template {setting.template or '(none)'}"
            + (f": {setting.template_problem}" if setting.template_problem else ""),
            None
            if setting.template_problem is None
            else Fix(FixKind.TEMPLATE, setting.template or ""),
            Reason.NO_TEMPLATE,
        ),
    ]


def _source_checks(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
    """Rules 3 to 5: linked through a source, of the request's client (or the contract's
    holder), its box ticked, the main site for the client source."""
    noun, code = person.kind.value, person.code
    linking = alerts.links.get(person.key, frozenset())
    on = linking & alerts.enabled_sources
    matched = _matched_sources(alerts, person)
    return [
        Check(
            3,
            f"the {noun} is an interlocutor of a source of the request",
            bool(linking),
            "linked through: " + (", ".join(sorted(s.value for s in linking)) or "nothing"),
            None if linking else _link_hint(alerts, person),
            # Not a reason: a person linked to nothing is not a candidate at all.
            None,
        ),
        Check(
            3,
            "a contact hears only of its own client's requests",
            hears_of(person, alerts.client, alerts.holder),
            own_client_facts(person, alerts.client, alerts.holder, alerts.contract),
            None,
            Reason.OTHER_CLIENT,
        ),
        Check(
            4,
            "the contract's box is ticked for a source that links them",
            bool(on) or not linking,  # linked to nothing: rule 3 fails, not this one
            "ticked: " + (", ".join(sorted(s.value for s in alerts.enabled_sources)) or "none"),
            None
            if on or not linking
            else Fix(
                FixKind.CONTRACT_SOURCES,
                alerts.contract or "",
                ",".join(sorted(s.value for s in linking)),
            ),
            Reason.SOURCE_DISABLED,
        ),
        Check(
            5,
            "a contact reached only through the client is on the client's main site",
            bool(matched) or not on,
            _main_site_facts(alerts, person, on),
            None
            if matched or not on
            else Fix(FixKind.MAIN_SITE, code, _main_site_code(alerts), person.kind, code),
            Reason.NOT_ON_MAIN_SITE,
        ),
    ]


def _opt_in_check(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
    noun, code = person.kind.value, person.code
    check = Check(
        6,
        f"the {noun} opted in to {event.value}",
        event in person.opt_ins,
        "opted in to: "
        + (", ".join(e.value for e in Event if e in person.opt_ins) or "nothing"),  # one order
        None
        if event in person.opt_ins
        else Fix(FixKind.OPT_IN, code, event.value, person.kind, code),
        Reason.NOT_OPTED_IN,
    )
    return [check]


def _active_check(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
    noun, code = person.kind.value, person.code
    check = Check(
        8,
        f"the {noun} is active",
        person.active,
        "active" if person.active else "has left",
        None if person.active else Fix(FixKind.ACTIVE, code, None, person.kind, code),
        Reason.INACTIVE,
    )
    return [check]


def _channel_checks(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
    code = person.code
    active = [c for c in Channel if person.mode_active(c)]
    if not active:
        return [
            Check(
                7,
                "a reception mode is active",
                False,
                "e-mail off, fax off",
                Fix(FixKind.RECEPTION, code, Channel.EMAIL.value, person.kind, code),
                Reason.NO_ACTIVE_RECEPTION_MODE,
            )
        ]
    checks = []
    for channel in active:
        address = person.address(channel)
        valid = address_is_valid(channel, address)
        checks.append(
            Check(
                7,
                f"the {channel.value} address is valid",
                valid,
                f"{channel.value}: {address or 'no address'}",
                None if valid else Fix(FixKind.ADDRESS, code, channel.value, person.kind, code),
                Reason.INVALID_ADDRESS,
                channel,
            )
        )
    return checks


def _matched_sources(alerts: AlertSlice, person: Person) -> tuple[Source, ...]:
    """The ticked sources that reach the person, the client source only via the main site."""
    on = alerts.links.get(person.key, frozenset()) & alerts.enabled_sources
    if person.kind is PersonKind.CONTACT and not person.on_main_site:
        on = on - {Source.CLIENT}
    return tuple(s for s in Source if s in on)


def _main_site_facts(alerts: AlertSlice, person: Person, on: frozenset[Source]) -> str:
    if person.kind is PersonKind.COLLABORATOR:
        return "collaborators are exempt"
    if Source.CLIENT not in on:
        return "not reached through the client source"
    where = f"the main site {alerts.main_site}" if alerts.main_site else "the main site"
    return f"{'on' if person.on_main_site else 'not on'} {where}"


def _main_site_code(alerts: AlertSlice) -> str:
    return (alerts.main_site or "CLIENT/MAIN").split("/")[-1]


def _link_hint(alerts: AlertSlice, person: Person) -> Fix | None:
    """The first source of the request that the person could be linked to: a contact of the
    contract's holder only to what the holder shares (the product, the contract, its service),
    not to the beneficiary's own site or client."""
    own_only = person.kind is PersonKind.CONTACT and person.client != alerts.client
    for source, target in alerts.targets.items():
        if own_only and source in (Source.SITE, Source.CLIENT):
            continue
        return Fix(FixKind.LINK, f"{source.value}:{target}", None, person.kind, person.code)
    return None


def resolve(alerts: AlertSlice, event: Event) -> Decision:
    """Every candidate of the request either receives the event on a channel or is left out with
    the reason of the first check that fails. On each channel the checks of that channel and
    those of every channel count; a person who fails on every channel for one check of every
    channel is left out once, with no channel."""
    recipients: list[Recipient] = []
    excluded: list[Exclusion] = []
    for person in alerts.candidates():
        checks = [c for c in check_person(alerts, event, person) if c.reason is not None]
        channels: list[Channel | None] = [c.channel for c in checks if c.channel is not None]
        channels = channels or [None]
        first_failed = {
            channel: next(
                (c for c in checks if not c.passed and c.channel in (None, channel)), None
            )
            for channel in channels
        }
        failed = set(first_failed.values())
        if len(failed) == 1 and (only := failed.pop()) is not None and only.channel is None:
            excluded.append(Exclusion(person, _reason(only), only.facts))
            continue
        for channel, check in first_failed.items():
            assert channel is not None, "a person passes every check only on some channel"
            if check is not None:
                excluded.append(Exclusion(person, _reason(check), check.facts, channel))
                continue
            address = person.address(channel)
            assert address is not None
            recipients.append(Recipient(person, channel, address, _matched_sources(alerts, person)))
    return Decision(event, tuple(recipients), tuple(excluded))


def _reason(check: Check) -> Reason:
    assert check.reason is not None
    return check.reason


# The rules, in the order of docs/rules.md: the first check that fails gives the reason.
RULES: tuple[Rule, ...] = (
    _request_checks,
    _source_checks,
    _opt_in_check,
    _channel_checks,
    _active_check,
)


def most_specific(decisions: Iterable[Decision]) -> list[Decision]:
    """One alert per person and channel per save: the most specific event wins, and the others
    are recorded as `superseded` (docs/rules.md, "The five events of a save")."""
    ordered = sorted(decisions, key=lambda d: PRECEDENCE.index(d.event))
    taken: dict[tuple[PersonKey, Channel], Event] = {}
    result = []
    for decision in ordered:
        kept: list[Recipient] = []
        excluded = list(decision.excluded)
        for recipient in decision.recipients:
            key = (recipient.person.key, recipient.channel)
            if key in taken:
                excluded.append(
                    Exclusion(
                        recipient.person,
                        Reason.SUPERSEDED,
                        f"receives {taken[key].value} of the same save instead",
                        recipient.channel,
                    )
                )
            else:
                taken[key] = decision.event
                kept.append(recipient)
        result.append(replace(decision, recipients=tuple(kept), excluded=tuple(excluded)))
    return result
