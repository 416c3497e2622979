"""`alertctl contract ...` and `alertctl service ...`."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import All, Json, Limit, Yes, rows_wanted
from alertctl.cli.output import info, render, render_all_of, updated
from alertctl.cli.state import confirm, state
from alertctl.domain.model import Source, parse_enum_list

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from alertctl.cli.output import Column
    from alertctl.services.configuration.contracts import (
        ContractDetail,
        ContractRow,
        ServiceDetail,
        ServiceRow,
    )
    from alertctl.services.configuration.links import Interlocutor


Gti = Annotated[
    str | None,
    typer.Option(help="GTI: business time to take a request in hand: 4h, 90m ('none')."),
]
Gtr = Annotated[
    str | None,
    typer.Option(help="GTR: business time to resolve a request: 16h, 1h30m ('none')."),
]
contract_app = typer.Typer(
    help="Engagement contracts and their alert sources.", no_args_is_help=True
)
service_app = typer.Typer(
    help="Contract services, such as premium maintenance.", no_args_is_help=True
)

CONTRACT_COLUMNS: "list[Column[ContractRow]]" = [
    ("Code", lambda r: r.code),
    ("Name", lambda r: r.name),
    ("Client", lambda r: r.client),
    ("Beneficiaries", lambda r: r.beneficiaries),
    ("Products", lambda r: r.products),
    ("Services", lambda r: [s.code for s in r.services]),
    ("Sources on", lambda r: r.enabled_sources),
]
SERVICE_COLUMNS: "list[Column[ServiceRow]]" = [
    ("Contract", lambda r: r.contract),
    ("Code", lambda r: r.code),
    ("Name", lambda r: r.name),
]


@contract_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The contract's code.")],
    client: Annotated[str, typer.Option(help="The client holding the contract.")],
    name: Annotated[str | None, typer.Option(help="Display name (the code when omitted).")] = None,
    product: Annotated[
        list[str] | None, typer.Option(help="A product covered (repeatable).")
    ] = None,
    beneficiary: Annotated[
        list[str] | None, typer.Option(help="A beneficiary client (repeatable).")
    ] = None,
) -> None:
    """Add a contract; every alert source starts switched off."""
    from alertctl.services.configuration.contracts import add_contract

    add_contract(
        state(ctx).db,
        code=code,
        client=client,
        name=name,
        products=product or [],
        beneficiaries=beneficiary or [],
    )
    info(f"added contract {code} (alert sources off: alertctl contract enable {code})")


@contract_app.command("update")
def update(
    ctx: typer.Context,
    code: str,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    product: Annotated[
        list[str] | None,
        typer.Option(help="Products covered, replacing the old ones (repeatable)."),
    ] = None,
    beneficiary: Annotated[
        list[str] | None,
        typer.Option(help="Beneficiary clients, replacing the old ones (repeatable)."),
    ] = None,
    no_products: Annotated[bool, typer.Option("--no-products", help="Cover no product.")] = False,
    no_beneficiaries: Annotated[
        bool, typer.Option("--no-beneficiaries", help="Have no beneficiary client.")
    ] = False,
    gti: Gti = None,
    gtr: Gtr = None,
    calendar: Annotated[
        str | None,
        typer.Option(help="The calendar its clocks count on ('none': every hour counts)."),
    ] = None,
    warn_percent: Annotated[
        str | None,
        typer.Option(help="Warn when this share of a target is used (default 75)."),
    ] = None,
    warn_left: Annotated[
        str | None,
        typer.Option(help="Warn when this business time is left (default 2h)."),
    ] = None,
) -> None:
    """Rename a contract, replace its products or beneficiaries, or set its SLA terms."""
    from alertctl.services.configuration.contracts import update_contract
    from alertctl.services.sla.targets import SlaChange

    update_contract(
        state(ctx).db,
        code=code,
        name=name,
        products=[] if no_products else product,
        beneficiaries=[] if no_beneficiaries else beneficiary,
        sla=SlaChange(gti, gtr, calendar, warn_percent, warn_left),
    )
    info(f"updated contract {code}")


@contract_app.command("list")
def list_(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option(help="Contracts of this client only.")] = None,
    limit: Limit = None,
    every: All = False,
    as_json: Json = False,
) -> None:
    """List contracts."""
    from alertctl.services.configuration.contracts import list_contracts

    rows = list_contracts(state(ctx).db, client=client)
    render_all_of(
        rows,
        CONTRACT_COLUMNS,
        as_json=as_json,
        noun="contract",
        limit=rows_wanted(limit, every),
    )


@contract_app.command("show")
def show(ctx: typer.Context, code: str, as_json: Json = False) -> None:
    """Draw the contract: each source with its checkbox, and who is wired under it."""
    from alertctl.services.configuration.contracts import show_contract

    render(show_contract(state(ctx).db, code=code), as_json=as_json, human=contract_tree)


def contract_tree(doc: "ContractDetail") -> "RenderableType":
    from rich.text import Text
    from rich.tree import Tree

    head = Text.assemble((f"Contract {doc.code}", "bold"), f" {doc.name} - client {doc.client}")
    if doc.beneficiaries:
        head.append(f", beneficiaries {', '.join(doc.beneficiaries)}")
    if doc.sla is not None:
        head.append(
            f"\nSLA: GTI {doc.sla.gti or '-'}, GTR {doc.sla.gtr or '-'}, calendar "
            f"{doc.sla.calendar}, warning {doc.sla.warning}"
        )
    tree = Tree(head)
    for source in doc.sources:
        box = "[x]" if source.enabled else "[ ]"
        branch = tree.add(Text(f"{box} {source.source}", style="bold" if source.enabled else "dim"))
        if not source.targets:
            branch.add(Text("(nothing to link to)", style="dim"))
        for target in source.targets:
            node = branch.add(Text(target.target))
            for person in target.interlocutors:
                node.add(_person_line(person, source.source))
    return tree


def _person_line(person: "Interlocutor", source: str) -> "Text":
    from rich.text import Text

    line = Text(f"{person.kind} {person.code} ({person.name})")
    channels = ", ".join(f"{c} {a or '(no address)'}" for c, a in person.channels.items())
    line.append(f"  {channels or 'no reception mode'}")
    line.append(f"  alerts: {', '.join(person.alerts) or 'none'}")
    if not person.active:
        line.append("  left", style="red")
    if source == "client" and person.on_main_site is False:
        line.append("  not on the main site", style="yellow")
    return line


@contract_app.command("remove")
def remove(ctx: typer.Context, code: str, yes: Yes = False) -> None:
    """Remove a contract that nothing refers to any more."""
    from alertctl.services.configuration.contracts import remove_contract

    confirm(f"Remove contract {code}?", yes=yes)
    remove_contract(state(ctx).db, code=code)
    info(f"removed contract {code}")


SourcesOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        "-s",
        help="Sources, comma-separated: product,site,contract,service,client (all when omitted).",
    ),
]


def _sources(text: str | None) -> list[Source]:
    return list(Source) if text is None else parse_enum_list(Source, text, "source")


@contract_app.command("enable")
def enable(ctx: typer.Context, code: str, source: SourcesOpt = None) -> None:
    """Tick the contract's alert checkboxes: which sources' interlocutors are alerted."""
    from alertctl.services.configuration.contracts import set_sources

    row = set_sources(state(ctx).db, code=code, sources=_sources(source), enabled=True)
    info(f"contract {code} alerts through: {', '.join(row.enabled_sources) or 'no source'}")


@contract_app.command("disable")
def disable(ctx: typer.Context, code: str, source: SourcesOpt = None) -> None:
    """Untick the contract's alert checkboxes."""
    from alertctl.services.configuration.contracts import set_sources

    row = set_sources(state(ctx).db, code=code, sources=_sources(source), enabled=False)
    info(f"contract {code} alerts through: {', '.join(row.enabled_sources) or 'no source'}")


@service_app.command("add")
def service_add(
    ctx: typer.Context,
    contract: Annotated[str, typer.Argument(help="The contract's code.")],
    code: Annotated[str, typer.Argument(help="The service's code, unique within the contract.")],
    name: Annotated[str | None, typer.Option(help="Display name (the code when omitted).")] = None,
) -> None:
    """Add a service to a contract."""
    from alertctl.services.configuration.contracts import add_service

    add_service(state(ctx).db, contract=contract, code=code, name=name)
    info(f"added service {contract}/{code}")


@service_app.command("list")
def service_list(
    ctx: typer.Context,
    contract: Annotated[str | None, typer.Argument()] = None,
    limit: Limit = None,
    every: All = False,
    as_json: Json = False,
) -> None:
    """List services, of one contract or of all."""
    from alertctl.services.configuration.contracts import list_services

    rows = list_services(state(ctx).db, contract=contract)
    render_all_of(
        rows,
        SERVICE_COLUMNS,
        as_json=as_json,
        noun="service",
        limit=rows_wanted(limit, every),
    )


@service_app.command("update")
def service_update(
    ctx: typer.Context,
    contract: str,
    code: str,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    gti: Gti = None,
    gtr: Gtr = None,
    as_json: Json = False,
) -> None:
    """Rename a service, or set its own GTI and GTR (they win over the contract's)."""
    from alertctl.services.configuration.contracts import update_service
    from alertctl.services.sla.targets import SlaChange

    row = update_service(
        state(ctx).db, contract=contract, code=code, name=name, sla=SlaChange(gti, gtr)
    )
    updated(f"service {contract}/{code}", row, as_json=as_json)


@service_app.command("show")
def service_show(ctx: typer.Context, contract: str, code: str, as_json: Json = False) -> None:
    """Show a service and its interlocutors."""
    from alertctl.cli.output import key_values, make_table
    from alertctl.services.configuration.contracts import show_service

    def human(doc: "ServiceDetail") -> "list[RenderableType]":
        people = make_table(
            doc.interlocutors,
            [("Kind", lambda r: r.kind), ("Code", lambda r: r.code), ("Name", lambda r: r.name)],
            title="Interlocutors",
        )
        return [
            key_values(
                [
                    ("Service", f"{doc.contract}/{doc.code}"),
                    ("Name", doc.name),
                    ("GTI", doc.sla.gti if doc.sla else None),
                    ("GTR", doc.sla.gtr if doc.sla else None),
                ]
            ),
            people,
        ]

    render(show_service(state(ctx).db, contract=contract, code=code), as_json=as_json, human=human)


@service_app.command("remove")
def service_remove(ctx: typer.Context, contract: str, code: str, yes: Yes = False) -> None:
    """Remove a service that nothing refers to any more."""
    from alertctl.services.configuration.contracts import remove_service

    confirm(f"Remove service {contract}/{code}?", yes=yes)
    remove_service(state(ctx).db, contract=contract, code=code)
    info(f"removed service {contract}/{code}")


def register(app: typer.Typer) -> None:
    app.add_typer(contract_app, name="contract")
    app.add_typer(service_app, name="service")
