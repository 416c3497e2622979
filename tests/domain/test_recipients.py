"""Each rule of docs/rules.md, each reason, and the properties of the pure resolution."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alertctl.cli.fixes import spell
from alertctl.domain.model import Channel, Event, PersonKind, Source
from alertctl.domain.person import Person, PersonKey
from alertctl.domain.recipients import (
    AlertSlice,
    Check,
    ClientAlert,
    Decision,
    Reason,
    check_person,
    most_specific,
    resolve,
)

E = Event.RESOLUTION
ALICE = Person(
    PersonKind.CONTACT,
    "alice",
    "Alice",
    email="alice@acme.example",
    fax="+33145000001",
    email_active=True,
    opt_ins=frozenset({E}),
    on_main_site=True,
    client="ACME",
)
JDU = Person(
    PersonKind.COLLABORATOR,
    "jdu",
    "Jean",
    email="jdu@support.example",
    email_active=True,
    opt_ins=frozenset(Event),
)


def make_slice(
    *people: Person, links: dict[str, set[Source]] | None = None, **changes: object
) -> AlertSlice:
    links = links or {p.code: {Source.CONTRACT} for p in people}
    base = AlertSlice(
        request="R1",
        client="ACME",
        contract="K1",
        settings={e: ClientAlert(True, "[ACME]", f"default-{e.value}-fr") for e in Event},
        enabled_sources=frozenset(Source),
        targets={Source.CONTRACT: "K1", Source.CLIENT: "ACME"},
        links={p.key: frozenset(links[p.code]) for p in people},
        people={p.key: p for p in people},
        main_site="ACME/PARIS",
        holder="ACME",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def outcome(
    alerts: AlertSlice, event: Event = E
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str | None]]]:
    decision = resolve(alerts, event)
    return (
        [(r.person.code, r.channel.value) for r in decision.recipients],
        [
            (x.person.code, x.reason.value, x.channel.value if x.channel else None)
            for x in decision.excluded
        ],
    )


def test_everything_holds_so_alice_receives_by_email_with_her_source() -> None:
    decision = resolve(make_slice(ALICE), E)
    assert [(r.person.code, r.channel, r.address, r.sources) for r in decision.recipients] == [
        ("alice", Channel.EMAIL, "alice@acme.example", (Source.CONTRACT,))
    ]
    assert decision.excluded == ()


def test_rule_1_no_contract() -> None:
    assert outcome(make_slice(ALICE, contract=None)) == ([], [("alice", "no_contract", None)])


def test_rule_2_event_not_enabled_and_no_keyword() -> None:
    off = {e: ClientAlert(False) for e in Event}
    assert outcome(make_slice(ALICE, settings=off)) == ([], [("alice", "event_not_enabled", None)])
    no_keyword = {e: ClientAlert(True, None, "t") for e in Event}
    assert outcome(make_slice(ALICE, settings=no_keyword))[1] == [
        ("alice", "event_not_enabled", None)
    ]


def test_rule_2_no_template() -> None:
    broken = {e: ClientAlert(True, "[K]", "t", template_problem="syntax error") for e in Event}
    assert outcome(make_slice(ALICE, settings=broken)) == ([], [("alice", "no_template", None)])


def test_rule_3_only_interlocutors_are_candidates() -> None:
    alerts = make_slice(ALICE)
    alerts = replace(alerts, people={**alerts.people, JDU.key: JDU})
    assert outcome(alerts) == ([("alice", "email")], [])


def test_rule_3_a_contact_hears_only_of_its_own_clients_requests() -> None:
    george = replace(ALICE, code="george", client="NORTHWIND")
    links = {"george": {Source.PRODUCT}}
    assert outcome(make_slice(george, links=links)) == ([], [("george", "other_client", None)])
    # Whatever links them, and before every later rule: no box, no opt-in changes it.
    everything = {"george": set(Source)}
    assert outcome(make_slice(george, links=everything, enabled_sources=frozenset())) == (
        [],
        [("george", "other_client", None)],
    )


def test_rule_3_the_holders_contacts_follow_their_beneficiaries_requests() -> None:
    # R is GLOBEX's, on ACME's contract K1: ACME's alice hears of it, GLOBEX's dan too.
    dan = replace(ALICE, code="dan", client="GLOBEX")
    alerts = make_slice(ALICE, dan, client="GLOBEX", holder="ACME")
    assert outcome(alerts) == ([("alice", "email"), ("dan", "email")], [])
    # R is ACME's own: GLOBEX, a beneficiary of K1, does not hear of it.
    assert outcome(make_slice(ALICE, dan)) == (
        [("alice", "email")],
        [("dan", "other_client", None)],
    )


def test_rule_3_collaborators_hear_of_every_client() -> None:
    assert outcome(make_slice(JDU, client="NORTHWIND", holder="NORTHWIND")) == (
        [("jdu", "email")],
        [],
    )


def test_explain_proposes_no_fix_to_a_contact_of_another_client() -> None:
    george = replace(ALICE, code="george", client="NORTHWIND", opt_ins=frozenset())
    alerts = make_slice(ALICE, enabled_sources=frozenset(), targets={Source.PRODUCT: "WMS"})
    checks = check_person(alerts, E, george)
    assert [c.reason for c in checks if not c.passed] == [
        None,  # not linked
        Reason.OTHER_CLIENT,
        # (rule 4 passes: with no link there is no box to tick; rule 3 is what fails)
        Reason.NOT_OPTED_IN,
    ]
    assert [c.fix for c in checks] == [None] * len(checks)


def test_explain_links_a_holders_contact_only_to_what_the_holder_shares() -> None:
    targets = {
        Source.PRODUCT: "ERP",
        Source.SITE: "GLOBEX/NYC",
        Source.CONTRACT: "K1",
        Source.CLIENT: "GLOBEX",
    }
    alerts = make_slice(JDU, client="GLOBEX", holder="ACME", targets=targets)
    hint = check_person(alerts, E, ALICE)[3].fix
    assert hint is not None and spell(hint) == "alertctl link product ERP --contact alice"
    no_product = replace(alerts, targets={k: v for k, v in targets.items() if k != Source.PRODUCT})
    hint = check_person(no_product, E, ALICE)[3].fix
    assert hint is not None and spell(hint) == "alertctl link contract K1 --contact alice"
    dan = replace(ALICE, code="dan", client="GLOBEX")
    hint = check_person(no_product, E, dan)[3].fix
    assert hint is not None and spell(hint) == "alertctl link site GLOBEX/NYC --contact dan"


def test_a_new_rule_is_one_check_and_one_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """`resolve` knows no rule by itself: a toy rule added to the checklist excludes by it."""
    from alertctl.domain import recipients

    def no_bobs(alerts: AlertSlice, event: Event, person: Person) -> list[Check]:
        ok = person.name != "Bob"
        return [Check(9, "the person is not called Bob", ok, person.name, None, Reason.INACTIVE)]

    monkeypatch.setattr(recipients, "RULES", (*recipients.RULES, no_bobs))
    bob = replace(ALICE, code="bob", name="Bob", fax_active=True)
    assert outcome(make_slice(ALICE, bob)) == ([("alice", "email")], [("bob", "inactive", None)])
    assert [c.rule for c in check_person(make_slice(bob), E, bob)][-1] == 9


def test_rule_4_source_disabled() -> None:
    alerts = make_slice(ALICE, enabled_sources=frozenset({Source.PRODUCT, Source.SITE}))
    assert outcome(alerts) == ([], [("alice", "source_disabled", None)])


def test_rule_4_one_enabled_source_is_enough_and_all_matching_are_recorded() -> None:
    alerts = make_slice(
        ALICE,
        links={"alice": {Source.PRODUCT, Source.SITE, Source.CONTRACT}},
        enabled_sources=frozenset({Source.SITE, Source.CONTRACT}),
    )
    assert resolve(alerts, E).recipients[0].sources == (Source.SITE, Source.CONTRACT)


def test_rule_5_client_level_contacts_must_be_on_the_main_site() -> None:
    away = replace(ALICE, on_main_site=False)
    assert outcome(make_slice(away, links={"alice": {Source.CLIENT}})) == (
        [],
        [("alice", "not_on_main_site", None)],
    )
    # Another source still reaches them, without the client source.
    both = make_slice(away, links={"alice": {Source.CLIENT, Source.PRODUCT}})
    assert resolve(both, E).recipients[0].sources == (Source.PRODUCT,)
    # Collaborators are exempt.
    assert outcome(make_slice(JDU, links={"jdu": {Source.CLIENT}})) == ([("jdu", "email")], [])


def test_rule_6_not_opted_in() -> None:
    assert outcome(make_slice(replace(ALICE, opt_ins=frozenset({Event.OPEN})))) == (
        [],
        [("alice", "not_opted_in", None)],
    )


def test_rule_7_reception_modes_and_addresses() -> None:
    silent = replace(ALICE, email_active=False, fax_active=False)
    assert outcome(make_slice(silent)) == ([], [("alice", "no_active_reception_mode", None)])
    both = replace(ALICE, fax_active=True)
    assert outcome(make_slice(both)) == ([("alice", "email"), ("alice", "fax")], [])
    bad_fax = replace(ALICE, fax_active=True, fax="123")
    assert outcome(make_slice(bad_fax)) == (
        [("alice", "email")],
        [("alice", "invalid_address", "fax")],
    )
    no_email = replace(ALICE, email=None)
    assert outcome(make_slice(no_email)) == ([], [("alice", "invalid_address", "email")])


def test_rule_8_inactive() -> None:
    assert outcome(make_slice(replace(ALICE, active=False))) == ([], [("alice", "inactive", None)])


def test_the_first_failing_rule_gives_the_reason() -> None:
    everything_wrong = replace(ALICE, active=False, opt_ins=frozenset(), email_active=False)
    alerts = make_slice(everything_wrong, enabled_sources=frozenset())
    assert outcome(alerts)[1] == [("alice", "source_disabled", None)]
    assert outcome(replace(alerts, enabled_sources=frozenset(Source)))[1] == [
        ("alice", "not_opted_in", None)
    ]


def test_superseded_keeps_the_most_specific_event_per_person_and_channel() -> None:
    alerts = make_slice(replace(ALICE, opt_ins=frozenset({E, Event.STATUS_CHANGE})), JDU)
    decisions = most_specific([resolve(alerts, Event.STATUS_CHANGE), resolve(alerts, E)])
    by_event = {d.event: d for d in decisions}
    assert {r.person.code for r in by_event[E].recipients} == {"alice", "jdu"}
    assert by_event[Event.STATUS_CHANGE].recipients == ()
    assert sorted(
        (x.person.code, x.reason.value) for x in by_event[Event.STATUS_CHANGE].excluded
    ) == [
        ("alice", "superseded"),
        ("jdu", "superseded"),
    ]


def test_explain_checks_are_the_eight_rules_in_order() -> None:
    checks = check_person(make_slice(ALICE), E, ALICE)
    assert [c.rule for c in checks] == [1, 2, 2, 3, 3, 4, 5, 6, 7, 8]
    assert all(c.passed for c in checks)
    quiet = replace(ALICE, opt_ins=frozenset())
    failed = check_person(make_slice(quiet), E, quiet)
    not_opted = next(c for c in failed if not c.passed)
    # The domain says what to change; the CLI spells it as the command.
    assert not_opted.rule == 6 and not_opted.fix is not None
    assert spell(not_opted.fix) == "alertctl contact alerts alice --on resolution"


# Properties ------------------------------------------------------------------------------------

people_strategy = st.builds(
    Person,
    kind=st.sampled_from(PersonKind),
    code=st.sampled_from([f"p{i}" for i in range(8)]),
    name=st.just("Someone"),
    email=st.sampled_from([None, "a@example.com", "bad@"]),
    fax=st.sampled_from([None, "+33145000001", "12"]),
    email_active=st.booleans(),
    fax_active=st.booleans(),
    active=st.booleans(),
    opt_ins=st.frozensets(st.sampled_from(Event)),
    on_main_site=st.booleans(),
    client=st.sampled_from(["C", "H", "X"]),
)


@st.composite
def slices(draw: st.DrawFn) -> AlertSlice:
    people = {p.key: p for p in draw(st.lists(people_strategy, max_size=8))}
    links = {
        key: draw(st.frozensets(st.sampled_from(Source), min_size=1))
        for key in people
        if draw(st.booleans())
    }
    settings = {
        e: ClientAlert(
            draw(st.booleans()),
            draw(st.sampled_from([None, "[K]"])),
            "t",
            draw(st.sampled_from([None, None, "broken"])),
        )
        for e in Event
    }
    return AlertSlice(
        request="R",
        client="C",
        contract=draw(st.sampled_from([None, "K", "K"])),
        settings=settings,
        enabled_sources=draw(st.frozensets(st.sampled_from(Source))),
        targets={Source.CLIENT: "C"},
        links=links,
        people=people,
        holder=draw(st.sampled_from(["C", "H"])),
    )


def _persons(decision: Decision) -> tuple[set[PersonKey], set[PersonKey]]:
    return {r.person.key for r in decision.recipients}, {x.person.key for x in decision.excluded}


@settings(max_examples=300)
@given(slices(), st.sampled_from(Event))
def test_recipients_and_excluded_are_disjoint_and_cover_the_candidates(
    alerts: AlertSlice, event: Event
) -> None:
    decision = resolve(alerts, event)
    receiving, left_out = _persons(decision)
    assert receiving | left_out == set(alerts.links)
    pairs = {(r.person.key, r.channel) for r in decision.recipients}
    for exclusion in decision.excluded:
        if exclusion.channel is None:
            assert exclusion.person.key not in receiving
        else:
            assert (exclusion.person.key, exclusion.channel) not in pairs
    assert len(pairs) == len(decision.recipients)
    for recipient in decision.recipients:
        assert recipient.sources and set(recipient.sources) <= alerts.enabled_sources


@settings(max_examples=300)
@given(slices(), st.sampled_from(Event))
def test_no_contact_hears_of_another_clients_request(alerts: AlertSlice, event: Event) -> None:
    """Rule 3 (docs/rules.md): a contact receives a request's alert only when its client is the
    request's client or holds the contract; everyone else of a client is `other_client`."""
    for recipient in resolve(alerts, event).recipients:
        person = recipient.person
        assert person.kind is PersonKind.COLLABORATOR or person.client in (
            alerts.client,
            alerts.holder,
        )
    for person in alerts.candidates():
        checks = check_person(alerts, event, person)
        if person.kind is PersonKind.CONTACT and person.client not in (
            alerts.client,
            alerts.holder,
        ):
            assert all(c.fix is None for c in checks)


@settings(max_examples=300)
@given(slices())
def test_one_alert_per_person_and_channel_per_save(alerts: AlertSlice) -> None:
    decisions = most_specific(resolve(alerts, e) for e in Event)
    pairs = [(r.person.key, r.channel) for d in decisions for r in d.recipients]
    assert len(pairs) == len(set(pairs))
    before = {(r.person.key, r.channel) for e in Event for r in resolve(alerts, e).recipients}
    assert set(pairs) == before


@settings(max_examples=200)
@given(slices(), st.sampled_from(Event))
def test_a_decision_depends_on_the_configuration_not_on_the_request(
    alerts: AlertSlice, event: Event
) -> None:
    """What lets a feed resolve each event once per configuration (`decide`), for every
    request of that configuration."""
    assert resolve(alerts, event) == resolve(replace(alerts, request="OTHER-9"), event)


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_is_reachable(reason: Reason) -> None:
    """Each reason of the fixed list of docs/rules.md comes out of some configuration above."""
    examples = {
        Reason.NO_CONTRACT: make_slice(ALICE, contract=None),
        Reason.EVENT_NOT_ENABLED: make_slice(ALICE, settings={e: ClientAlert() for e in Event}),
        Reason.NO_TEMPLATE: make_slice(
            ALICE, settings={e: ClientAlert(True, "k", "t", "bad") for e in Event}
        ),
        Reason.OTHER_CLIENT: make_slice(replace(ALICE, client="GLOBEX")),
        Reason.SOURCE_DISABLED: make_slice(ALICE, enabled_sources=frozenset()),
        Reason.NOT_ON_MAIN_SITE: make_slice(
            replace(ALICE, on_main_site=False), links={"alice": {Source.CLIENT}}
        ),
        Reason.NOT_OPTED_IN: make_slice(replace(ALICE, opt_ins=frozenset())),
        Reason.NO_ACTIVE_RECEPTION_MODE: make_slice(replace(ALICE, email_active=False)),
        Reason.INVALID_ADDRESS: make_slice(replace(ALICE, email="nope")),
        Reason.INACTIVE: make_slice(replace(ALICE, active=False)),
    }
    if reason is Reason.SUPERSEDED:
        alerts = make_slice(replace(ALICE, opt_ins=frozenset(Event)))
        decisions = most_specific([resolve(alerts, Event.OPEN), resolve(alerts, E)])
        found = {x.reason for d in decisions for x in d.excluded}
    else:
        found = {x.reason for x in resolve(examples[reason], E).excluded}
    assert found == {reason}
