"""The pieces of Click that alertctl takes from the copy Typer carries (cli/click_api.py): an
upgrade of Typer that moves any of them fails here, by name, rather than somewhere in a command."""

import ast
from pathlib import Path

import typer

import alertctl
from alertctl.cli import click_api


def test_typer_is_of_the_versions_click_api_was_written_for() -> None:
    major, minor = (int(part) for part in typer.__version__.split(".")[:2])
    assert (major, minor) == (0, 29), (
        f"Typer {typer.__version__}: check cli/click_api.py against it, then widen the bound in "
        "pyproject.toml"
    )


def test_every_piece_taken_from_click_is_there() -> None:
    for name in click_api.__all__:
        assert getattr(click_api, name, None) is not None, f"click_api.{name} is gone"
    from alertctl.cli.commands import load

    show = load("client").commands["show"]  # type: ignore[attr-defined]
    code, as_json = (next(p for p in show.params if p.name == n) for n in ("code", "as_json"))
    assert isinstance(code, click_api.Parameter)
    assert code._custom_shell_complete is not None, "codes are completed no more"
    assert as_json._custom_shell_complete is None

    def nothing(*_: object) -> list[object]:
        return []

    try:
        click_api.complete_with(as_json, nothing)
        assert as_json._custom_shell_complete is nothing
    finally:
        as_json._custom_shell_complete = None  # the commands are built once per process


def test_only_click_api_reaches_into_typer_s_click() -> None:
    root = Path(alertctl.__file__).parent
    reaching = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import | ast.ImportFrom)
                else []
            )
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            if (
                module.startswith("typer._click")
                or "_click" in names
                or any(n.startswith("typer._click") for n in names)
            ):
                reaching.append(path.name)
    assert sorted(set(reaching)) == ["click_api.py"]
