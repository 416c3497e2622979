"""`alertctl config ...`: the whole configuration as one TOML file, and where settings come from."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl.cli.options import Json, Yes
from alertctl.cli.output import info, print_json, write_private
from alertctl.cli.state import confirm as confirm_removal
from alertctl.cli.state import state
from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from rich.text import Text

    from alertctl.services.configuration.plan import Plan

config_app = typer.Typer(
    help="The configuration as one file: export, plan, apply.", no_args_is_help=True
)


@config_app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[str, typer.Option("--output", "-o", help="A file, or - for stdout.")] = "-",
) -> None:
    """Write the whole configuration as TOML: sorted, keyed by codes, no secrets, no requests."""
    from alertctl.services.configuration.apply import export as run

    text = run(state(ctx).db)
    if output == "-":
        sys.stdout.write(text)
    else:
        write_private(Path(output), text)
        info(f"wrote {output}")


@config_app.command("apply")
def apply(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A TOML file, or - for stdin.")],
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove what the file does not name.")
    ] = False,
    yes: Yes = False,
    as_json: Json = False,
) -> None:
    """Check the whole file, show the plan, then apply it in one transaction."""
    from alertctl.errors import Invalid
    from alertctl.services.configuration.apply import apply_file
    from alertctl.services.configuration.plan import Plan

    current = state(ctx)
    if source == "-":
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(
                f"cannot read stdin: not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
        except AttributeError:  # a stdin of text only (an embedding program's)
            text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Invalid(f"cannot read {source}: {exc}") from None

    def confirm(result: Plan) -> None:
        _show(result, as_json)
        if result.count("-") and not current.dry_run:
            confirm_removal(f"Remove {counted(result.count('-'), 'object')}?", yes=yes)

    # One service call: the plan shown (and confirmed) is the plan applied. No progress bar
    # around it: the question of a removal is asked in the middle.
    done = apply_file(
        current.db,
        text,
        region=current.settings.default_region,
        prune=prune,
        confirm=confirm,
        impact_only=current.dry_run,
    )
    if done.plan is None:
        _show(Plan(), as_json)
        info("the same file as the last apply, and the configuration is unchanged since")
    elif done.plan.changes and not current.dry_run:
        info(f"applied: {done.plan.summary[len('Plan: ') :]}")


def _show(result: "Plan", as_json: bool) -> None:
    """The plan as lines of text, coloured on a terminal. A plan can hold tens of thousands
    of lines, so they are drawn as one Rich Text, not printed one call each."""
    if as_json:
        print_json(result.document())
        return
    from rich.text import Text

    from alertctl.cli.output import stdout

    text = Text()
    for change in result.changes:
        style = {"+": "green", "~": "yellow", "-": "red"}[change.op]
        text.append(f"{change.op} {change.kind} {change.key}\n", style=style)
        for name, (old, new) in change.fields.items():
            if change.op == "~" and _multiline(old, new):
                _append_diff(text, name, str(old or ""), str(new or ""))
                continue
            line = f"{_value(new)}" if change.op == "+" else f"{_value(old)} → {_value(new)}"
            text.append(f"    {name}: {line}\n")
    if result.impact is not None:
        for item in result.impact:
            for verb, people in (("starts", item.start), ("stops", item.stop)):
                for p in people:
                    text.append(
                        f"  {item.request} {item.event}: {p.kind} {p.code} "
                        f"{verb} receiving by {p.channel}\n",
                        style="green" if verb == "starts" else "red",
                    )
        if not result.impact:
            text.append("  no change in who is alerted for open requests\n")
    text.append(result.summary)
    stdout().print(text, highlight=False, soft_wrap=True)


def _value(value: object) -> str:
    """A value as the file writes it (`"Lucas Garnier"`, `true`, `["open", "resolution"]`);
    an absent one as `-`, a text of many lines by its length."""
    import tomli_w

    if value is None:
        return "-"
    if isinstance(value, str) and "\n" in value:
        return f"({len(value.splitlines())} lines)"
    if isinstance(value, list | tuple):  # on one line (tomli_w writes one item a line)
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()


def _multiline(old: object, new: object) -> bool:
    return any(isinstance(v, str) and "\n" in v for v in (old, new))


def _append_diff(text: "Text", name: str, old: str, new: str) -> None:
    """A text of many lines changed (a template's body): its unified diff, as `diff -u`."""
    import difflib

    text.append(f"    {name}:\n")
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
    for line in list(lines)[2:]:  # without the ---/+++ header: the field names the text
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        text.append(f"      {line}\n", style=style)


@config_app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the settings file in use, and whether it exists (on stderr)."""
    found = state(ctx).settings_as_found  # it names the file even when the file is wrong
    typer.echo(str(found.config_path))
    if found.problems:
        info(f"found, with {counted(len(found.problems), 'problem')}: alertctl check lists them")
    else:
        info("found" if found.config_found else "not found: defaults apply")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
