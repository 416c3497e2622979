"""`alertctl check`: every fault that makes alerts go nowhere or fail, in the configuration, the
settings and the queue. Ordinary rules (someone not opted in, a box left unticked on purpose for
one source) are not faults; what can never work, or has already failed, is."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from alertctl.config import Settings
from alertctl.db.engine import Database
from alertctl.db.tables import (
    Client,
    Contract,
    Person,
    Site,
    contract_beneficiary,
    contract_product,
    interlocutor_tables,
)
from alertctl.domain.model import Channel, PersonKind
from alertctl.domain.recipients import address_is_valid
from alertctl.domain.wording import counted
from alertctl.services.common import opted_in_events
from alertctl.services.configuration import template_use
from alertctl.services.delivery.health import QueueHealth, SenderSeen, queue_health, senders
from alertctl.services.operations.check_settings import (
    Area,
    Problem,
    connection_problems,
    settings_problems,
    settings_warnings,
)

# Recorded faults this recent make `check` fail: long enough for a monitor to see them, short
# enough that a fixed fault stops failing the check by itself.
FAULT_WINDOW = timedelta(hours=24)
# Alerts due and no sender round its loop for this long: no sender is running.
SENDER_SILENCE_SECONDS = 300.0


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    problems: tuple[Problem, ...]
    queue: QueueHealth
    # What works, but likely not as meant: shown, and the check still passes.
    warnings: tuple[Problem, ...] = ()
    senders: tuple[SenderSeen, ...] = ()


def check(
    db: Database,
    settings: Settings,
    *,
    connect: bool = False,
    max_age: float | None = None,
    max_silence: float = SENDER_SILENCE_SECONDS,
) -> CheckReport:
    problems: list[Problem] = []
    delivery = settings_problems(settings, problems)
    warnings = settings_warnings(settings, delivery)
    if connect and delivery is not None:
        problems += connection_problems(delivery)
    with db.session(write=False) as session:
        problems += _template_problems(session)
        problems += _contract_problems(session)
        problems += _people_problems(session, settings.default_region)
        problems += _cross_client_problems(session)
        problems += _client_problems(session)
        now = datetime.now(UTC)
        queue = queue_health(session, now, FAULT_WINDOW)
        seen = senders(session)
        clocks = _clock_problems(session, now, max_silence)
    problems += _queue_problems(queue, max_age)
    problems += _sender_problems(queue, seen, now, max_silence)
    problems += clocks
    return CheckReport(not problems, tuple(problems), queue, tuple(warnings), tuple(seen))


def _clock_problems(session: Session, now: datetime, max_silence: float) -> list[Problem]:
    """SLA clocks due and not checked for longer than `max_silence`: their warnings and
    breaches would never be raised, and nothing else would say so."""
    from alertctl.services.sla.index import overdue

    late = overdue(session, now - timedelta(seconds=max_silence))
    if not late:
        return []
    message = (
        f"{counted(late, 'request')} with SLA clocks due for more than {max_silence:g} s and "
        "not checked: no watcher or cron job checks them"
    )
    return [Problem(Area.QUEUE, "SLA clocks", message, "alertctl alerts send --watch")]


def _template_problems(session: Session) -> list[Problem]:
    """Each switched-on event: a keyword, and a template that exists and renders on a sample
    request and on one with none of the optional parts."""
    return [
        Problem(Area.TEMPLATE, f"client {p.client} {p.event.value}", p.message, p.fix)
        for p in template_use.problems(session)
    ]


def _contract_problems(session: Session) -> list[Problem]:
    """Contracts with every box unticked while people are linked where its requests reach."""
    contracts = session.execute(select(Contract).order_by(col(Contract.code))).scalars().all()
    closed = [c for c in contracts if not any(getattr(c, f"source_{s}") for s in _SOURCES)]
    if not closed:
        return []
    ids = [c.id for c in closed]
    linked: dict[int, int] = {}
    for contract_id, count in _people_reached(session, ids):
        linked[contract_id] = linked.get(contract_id, 0) + count
    return [
        Problem(
            Area.CONTRACT,
            f"contract {c.code}",
            f"{counted(linked[c.id], 'interlocutor link')} to its requests, and no box is "
            "ticked: nobody is ever alerted",
            f"alertctl contract enable {c.code}",
        )
        for c in closed
        if c.id is not None and linked.get(c.id)
    ]


_SOURCES = ("product", "site", "contract", "service", "client")


def _people_reached(session: Session, contract_ids: list[int | None]) -> list[tuple[int, int]]:
    """(contract id, number of links) through each of the five sources, one query each."""
    from alertctl.db.tables import Service

    links = interlocutor_tables
    clients = (
        select(col(Contract.id).label("contract_id"), col(Contract.client_id).label("client_id"))
        .where(col(Contract.id).in_(contract_ids))
        .union_all(
            select(contract_beneficiary.c.contract_id, contract_beneficiary.c.client_id).where(
                contract_beneficiary.c.contract_id.in_(contract_ids)
            )
        )
        .subquery()
    )
    queries = [
        select(links["contract"].c.target_id, func.count())
        .where(links["contract"].c.target_id.in_(contract_ids))
        .group_by(links["contract"].c.target_id),
        select(col(Service.contract_id), func.count())
        .join(links["service"], links["service"].c.target_id == Service.id)
        .where(col(Service.contract_id).in_(contract_ids))
        .group_by(col(Service.contract_id)),
        select(contract_product.c.contract_id, func.count())
        .join(links["product"], links["product"].c.target_id == contract_product.c.product_id)
        .where(contract_product.c.contract_id.in_(contract_ids))
        .group_by(contract_product.c.contract_id),
        select(clients.c.contract_id, func.count())
        .join(links["client"], links["client"].c.target_id == clients.c.client_id)
        .group_by(clients.c.contract_id),
        select(clients.c.contract_id, func.count())
        .join(Site, col(Site.client_id) == clients.c.client_id)
        .join(links["site"], links["site"].c.target_id == Site.id)
        .group_by(clients.c.contract_id),
    ]
    found: list[tuple[int, int]] = []
    for query in queries:
        found += [(int(a), int(b)) for a, b in session.execute(query).all()]
    return found


def _people_problems(session: Session, region: str) -> list[Problem]:
    """Active people opted in to an event who can never receive it."""
    problems = []
    for person in session.execute(
        select(Person).where(col(Person.active)).order_by(col(Person.kind), col(Person.code))
    ).scalars():
        if not opted_in_events(person):
            continue
        noun = person.kind
        subject = f"{noun} {person.code}"
        modes = [
            (channel, address)
            for channel, active, address in (
                (Channel.EMAIL, person.email_active, person.email),
                (Channel.FAX, person.fax_active, person.fax),
            )
            if active
        ]
        if not modes:
            problems.append(
                Problem(
                    Area.PERSON,
                    subject,
                    "opted in to alerts with no active reception mode: receives nothing",
                    f"alertctl {noun} reception {person.code} --email on",
                )
            )
        for channel, address in modes:
            if not address_is_valid(channel, address, region):
                problems.append(
                    Problem(
                        Area.PERSON,
                        subject,
                        f"{channel.value} is on with an invalid address {address or '(none)'!r}",
                        f"alertctl {noun} update {person.code} --{channel.value} ADDRESS",
                    )
                )
    return problems


def _cross_client_problems(session: Session) -> list[Problem]:
    """Links that rule 3 makes useless (a contact on another client's site, client, contract or
    service): they look like a way to reach the contact and never are."""
    from alertctl.domain.confidentiality import cross_client_link_message
    from alertctl.services.configuration.links import cross_client_links

    return [
        Problem(
            Area.PERSON,
            f"contact {link.code}",
            cross_client_link_message(
                link.code, link.client, link.source, link.target, link.target_clients
            )
            + ": never alerted through this link",
            f"alertctl unlink {link.source.value} {link.target} --contact {link.code}",
        )
        for link in cross_client_links(session)
    ]


def _client_problems(session: Session) -> list[Problem]:
    """Clients whose client-level contacts can never be reached: there is no main site."""
    links = interlocutor_tables["client"]
    main = select(col(Site.client_id)).where(col(Site.is_main))
    rows = session.execute(
        select(col(Client.code), func.count())
        .join(links, links.c.target_id == Client.id)
        .join(Person, col(Person.id) == links.c.person_id)
        .where(col(Person.kind) == PersonKind.CONTACT.value, col(Client.id).not_in(main))
        .group_by(col(Client.code))
        .order_by(col(Client.code))
    ).all()
    return [
        Problem(
            Area.CLIENT,
            f"client {code}",
            f"{counted(count, 'contact')} linked at the client level and no main site: "
            "never alerted through the client",
            f"alertctl site main {code} SITE",
        )
        for code, count in rows
    ]


def _queue_problems(queue: QueueHealth, max_age: float | None) -> list[Problem]:
    problems = []
    if queue.dead:
        problems.append(
            Problem(
                Area.QUEUE,
                "outbox",
                f"{counted(queue.dead, 'dead alert')}: not sent unless retried",
                "alertctl alerts list --status dead, then alertctl alerts retry --dead",
            )
        )
    if queue.unknown:
        problems.append(
            Problem(
                Area.QUEUE,
                "outbox",
                f"{counted(queue.unknown, 'alert')} whose fax submit was interrupted: "
                "outcome unknown",
                "alertctl alerts list --status unknown",
            )
        )
    if queue.recent_faults:
        problems.append(
            Problem(
                Area.QUEUE,
                "saves",
                f"{counted(queue.recent_faults, 'alert')} left out by faults in the last 24 hours",
                "fix the cause (alertctl alerts stats), then alertctl alerts recover",
            )
        )
    if (
        max_age is not None
        and queue.oldest_due_seconds is not None
        and queue.oldest_due_seconds > max_age
    ):
        problems.append(
            Problem(
                Area.QUEUE,
                "outbox",
                f"the oldest due alert has waited {queue.oldest_due_seconds:g} s "
                f"(more than {max_age:g} s): is a sender running?",
                "alertctl alerts send --watch",
            )
        )
    return problems


def _sender_problems(
    queue: QueueHealth, seen: list[SenderSeen], now: datetime, max_silence: float
) -> list[Problem]:
    """Alerts due, and no sender has gone round its loop for longer than `max_silence`: the
    sender died, hangs, or was never started (a cron line that stopped running). With no
    sender ever seen, the silence is how long the oldest due alert has waited."""
    if not queue.due:
        return []
    silence = seen[0].silent_seconds(now) if seen else (queue.oldest_due_seconds or 0.0)
    if silence <= max_silence:
        return []
    due = counted(queue.due, "alert")
    if seen:
        last = seen[0]
        at = last.last_loop_at.isoformat(timespec="seconds")
        message = (
            f"{due} due and no sender has looped for {silence:.0f} s (more than "
            f"{max_silence:g} s); last seen: {'watcher' if last.watching else 'sender'} "
            f"{last.host} pid {last.pid} at {at}"
        )
    else:
        message = (
            f"{due} due for {silence:.0f} s (more than {max_silence:g} s) and no sender has run"
        )
    return [Problem(Area.QUEUE, "senders", message, "alertctl alerts send --watch")]
