"""`alertctl product ...` and `alertctl status ...`."""

from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json, Yes, list_command
from alertctl.cli.output import info, key_values, make_table, render, updated
from alertctl.cli.state import confirm, state
from alertctl.domain.model import StatusType

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.output import Column
    from alertctl.services.configuration.catalog import (
        ProductDetail,
        ProductRow,
        StatusDetail,
        StatusRow,
    )


product_app = typer.Typer(help="Maintained products.", no_args_is_help=True)
status_app = typer.Typer(
    help="Configurable statuses, each of a fixed status type.", no_args_is_help=True
)

PRODUCT_COLUMNS: "list[Column[ProductRow]]" = [
    ("Code", lambda r: r.code),
    ("Name", lambda r: r.name),
]
STATUS_COLUMNS: "list[Column[StatusRow]]" = [
    ("Code", lambda r: r.code),
    ("Label", lambda r: r.label),
    ("Label (en)", lambda r: r.label_en),
    ("Type", lambda r: r.type),
]


@product_app.command("add")
def product_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The product's code.")],
    name: Annotated[str | None, typer.Option(help="Display name (the code when omitted).")] = None,
) -> None:
    """Add a maintained product."""
    from alertctl.services.configuration.catalog import add_product

    add_product(state(ctx).db, code=code, name=name)
    info(f"added product {code}")


@product_app.command("update")
def product_update(
    ctx: typer.Context,
    code: str,
    name: Annotated[str, typer.Option(help="New display name.")],
    as_json: Json = False,
) -> None:
    """Rename a product."""
    from alertctl.services.configuration.catalog import update_product

    row = update_product(state(ctx).db, code=code, name=name)
    updated(f"product {code}", row, as_json=as_json)


list_command(
    product_app,
    lister="alertctl.services.configuration.catalog:list_products",
    columns=PRODUCT_COLUMNS,
    noun="product",
    help="List maintained products.",
)


@product_app.command("show")
def product_show(ctx: typer.Context, code: str, as_json: Json = False) -> None:
    """Show a product and its interlocutors."""
    from alertctl.services.configuration.catalog import show_product

    def human(doc: "ProductDetail") -> "list[RenderableType]":
        people = make_table(
            doc.interlocutors,
            [("Kind", lambda r: r.kind), ("Code", lambda r: r.code), ("Name", lambda r: r.name)],
            title="Interlocutors",
        )
        return [key_values([("Product", doc.code), ("Name", doc.name)]), people]

    render(show_product(state(ctx).db, code=code), as_json=as_json, human=human)


@product_app.command("remove")
def product_remove(ctx: typer.Context, code: str, yes: Yes = False) -> None:
    """Remove a product that nothing refers to any more."""
    from alertctl.services.configuration.catalog import remove_product

    confirm(f"Remove product {code}?", yes=yes)
    remove_product(state(ctx).db, code=code)
    info(f"removed product {code}")


@status_app.command("add")
def status_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The status's code.")],
    status_type: Annotated[StatusType, typer.Option("--type", help="Its fixed status type.")],
    label: Annotated[
        str | None, typer.Option(help="Label shown to users (the code when omitted).")
    ] = None,
    label_en: Annotated[
        str | None, typer.Option(help="Its label in English alerts (the label when omitted).")
    ] = None,
) -> None:
    """Add a status."""
    from alertctl.services.configuration.catalog import add_status

    add_status(state(ctx).db, code=code, label=label, status_type=status_type, label_en=label_en)
    info(f"added status {code} ({status_type.value})")


@status_app.command("update")
def status_update(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The status's code.")],
    label: Annotated[str | None, typer.Option(help="New label shown to users.")] = None,
    status_type: Annotated[
        StatusType | None, typer.Option("--type", help="New status type.")
    ] = None,
    label_en: Annotated[str | None, typer.Option(help="New label in English alerts.")] = None,
    as_json: Json = False,
) -> None:
    """Change a status's labels or type."""
    from alertctl.services.configuration.catalog import update_status

    row = update_status(
        state(ctx).db, code=code, label=label, status_type=status_type, label_en=label_en
    )
    updated(f"status {code}", row, as_json=as_json)


list_command(
    status_app,
    lister="alertctl.services.configuration.catalog:list_statuses",
    columns=STATUS_COLUMNS,
    noun="status",
    plural="statuses",
    help="List statuses in the order of their types.",
)


@status_app.command("show")
def status_show(ctx: typer.Context, code: str, as_json: Json = False) -> None:
    """Show a status and how many requests are in it."""
    from alertctl.services.configuration.catalog import show_status

    def human(doc: "StatusDetail") -> "RenderableType":
        return key_values(
            [
                ("Status", doc.code),
                ("Label", doc.label),
                ("Label (en)", doc.label_en),
                ("Type", doc.type),
                ("Requests", doc.requests),
            ]
        )

    render(show_status(state(ctx).db, code=code), as_json=as_json, human=human)


@status_app.command("remove")
def status_remove(ctx: typer.Context, code: str, yes: Yes = False) -> None:
    """Remove a status that no request uses."""
    from alertctl.services.configuration.catalog import remove_status

    confirm(f"Remove status {code}?", yes=yes)
    remove_status(state(ctx).db, code=code)
    info(f"removed status {code}")


def register(app: typer.Typer) -> None:
    app.add_typer(product_app, name="product")
    app.add_typer(status_app, name="status")
