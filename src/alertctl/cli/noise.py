"""`alertctl noise ...`: what holds alerts to spare their readers (coalesced status changes,
quiet hours, digests, a cap per hour), by default, per client and per person."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json
from alertctl.cli.output import key_values, render
from alertctl.cli.state import state
from alertctl.domain.model import PersonKind

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.services.holds.settings import ClientNoise, NoiseDefaults, PersonNoise

noise_app = typer.Typer(
    help="Noise control: coalescing, quiet hours, digests, caps.", no_args_is_help=True
)

Idle = Annotated[
    str | None,
    typer.Option(help="How long a status change waits for another: 2m; off for none."),
]
Longest = Annotated[
    str | None, typer.Option(help="The longest it waits from the first change: 10m.")
]
Urgent = Annotated[
    str | None,
    typer.Option(help="Events that are never held, comma-separated: gti_breach,gtr_breach; none."),
]
QUIET = (
    "Quiet hours, in the zone: 'mon-fri 19:00-08:00; sat-sun 00:00-24:00' (weekdays before "
    "08:00 and from 19:00, and weekends); none."
)
Zone = Annotated[
    str | None, typer.Option(help="Time zone of quiet hours and digests: Europe/Paris.")
]
Cap = Annotated[
    str | None, typer.Option(help="Most mails an hour; more join the next summary; none.")
]


@noise_app.command("show")
def show(ctx: typer.Context, as_json: Json = False) -> None:
    """Show the defaults."""
    from alertctl.services.holds.settings import show_defaults

    render(show_defaults(state(ctx).db), as_json=as_json, human=_defaults)


@noise_app.command("set")
def set_(
    ctx: typer.Context,
    coalesce_idle: Idle = None,
    coalesce_max: Longest = None,
    contact_quiet_hours: Annotated[str | None, typer.Option(help=f"Contacts'. {QUIET}")] = None,
    collaborator_quiet_hours: Annotated[
        str | None, typer.Option(help=f"Collaborators'. {QUIET}")
    ] = None,
    zone: Zone = None,
    cap: Cap = None,
    urgent: Urgent = None,
    as_json: Json = False,
) -> None:
    """Change the defaults: every client's and person's unless they have their own."""
    from alertctl.services.holds.settings import NoiseChange, set_defaults

    change = NoiseChange(
        coalesce_idle=coalesce_idle,
        coalesce_max=coalesce_max,
        contact_quiet_hours=contact_quiet_hours,
        collaborator_quiet_hours=collaborator_quiet_hours,
        zone=zone,
        cap=cap,
        urgent=urgent,
    )
    render(set_defaults(state(ctx).db, change), as_json=as_json, human=_defaults)


@noise_app.command("client")
def client(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The client's code.")],
    coalesce_idle: Idle = None,
    coalesce_max: Longest = None,
    urgent: Urgent = None,
    as_json: Json = False,
) -> None:
    """Show a client's coalescing and urgent events, or change them ('default': the defaults')."""
    from alertctl.services.holds.settings import ClientNoiseChange, client_noise_settings

    given = (coalesce_idle, coalesce_max, urgent)
    change = ClientNoiseChange(*given) if any(v is not None for v in given) else None
    found = client_noise_settings(state(ctx).db, code, change)
    render(found, as_json=as_json, human=_client)


def _person_command(kind: PersonKind) -> None:
    @noise_app.command(kind.value)
    def person(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help=f"The {kind.value}'s code.")],
        quiet_hours: Annotated[str | None, typer.Option(help=QUIET)] = None,
        zone: Zone = None,
        digest: Annotated[
            str | None,
            typer.Option(help="immediate, 'daily 08:00' or 'weekly mon 08:00'."),
        ] = None,
        cap: Cap = None,
        as_json: Json = False,
    ) -> None:
        from alertctl.services.holds.settings import PersonNoiseChange, person_noise_settings

        given = (quiet_hours, zone, digest, cap)
        change = PersonNoiseChange(*given) if any(v is not None for v in given) else None
        found = person_noise_settings(state(ctx).db, kind, code, change)
        render(found, as_json=as_json, human=_person)

    person.__doc__ = (
        f"Show a {kind.value}'s quiet hours, zone, digest and cap, or change them "
        f"('default': their kind's)."
    )


_person_command(PersonKind.CONTACT)
_person_command(PersonKind.COLLABORATOR)


def _defaults(found: "NoiseDefaults") -> "RenderableType":
    return key_values(
        [
            ("Coalescing", _coalescing(found.coalesce_idle, found.coalesce_max)),
            ("Contacts' quiet hours", found.contact_quiet_hours or "none"),
            ("Collaborators' quiet hours", found.collaborator_quiet_hours or "none"),
            ("Zone", found.zone),
            ("Cap an hour", found.cap if found.cap is not None else "none"),
            ("Urgent", found.urgent),
        ]
    )


def _client(found: "ClientNoise") -> "RenderableType":
    own = _coalescing(found.coalesce_idle, found.coalesce_max)
    applied = _coalescing(found.applied_coalesce_idle, found.applied_coalesce_max)
    return key_values(
        [
            ("Client", found.client),
            ("Coalescing", _own(own, applied)),
            ("Urgent", _own(found.urgent, found.applied_urgent)),
        ]
    )


def _coalescing(idle: str, most: str) -> str:
    return "off" if idle == "off" else f"{idle} idle, {most} at most"


def _person(found: "PersonNoise") -> "RenderableType":
    return key_values(
        [
            (found.kind.capitalize(), found.code),
            ("Quiet hours", _own(found.quiet_hours, found.applied_quiet_hours)),
            ("Zone", _own(found.zone, found.applied_zone)),
            ("Delivery", found.digest),
            ("Cap an hour", _own(found.cap, found.applied_cap)),
        ]
    )


def _own(own: str, applied: str) -> str:
    """A setting of their own, or the default they take and what it is."""
    return applied if "default" not in own else f"{applied} (default)"


def register(app: typer.Typer) -> None:
    app.add_typer(noise_app, name="noise")
