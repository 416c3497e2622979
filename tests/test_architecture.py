"""The layers hold, as docs/architecture.md draws them: the domain imports nothing of the
others, services never import the CLI, the CLI builds no SQL, no module imports itself back
through another, and no module or function grows past what a reader takes in at once."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "alertctl"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def imports(path: Path) -> set[str]:
    """Every module imported, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


MODULES = dict(modules())
GRAPH = {
    name: {i for i in imports(path) if i in MODULES and i != name} for name, path in MODULES.items()
}


def test_the_domain_imports_nothing_of_the_other_layers() -> None:
    for name, found in GRAPH.items():
        if name.startswith("alertctl.domain"):
            assert all(i.startswith(("alertctl.domain", "alertctl.errors")) for i in found), name


def test_services_never_import_the_cli_and_the_cli_builds_no_sql() -> None:
    for name, path in MODULES.items():
        if name.startswith("alertctl.services"):
            assert not any(i.startswith("alertctl.cli") for i in GRAPH[name]), name
        if name.startswith("alertctl.cli"):
            third_party = imports(path)
            assert not any(i.startswith(("sqlalchemy", "sqlmodel")) for i in third_party), name


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for other in sorted(GRAPH[name]):
            if state.get(other) == 1:
                cycle = [*trail[trail.index(other) :], other] if other in trail else [other]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other, [*trail, other])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_rooms_stay_small(name: str) -> None:
    path = MODULES[name]
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES, f"{name} is too long"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{name}.{node.name} has {length} lines"


def test_the_domain_spells_no_command() -> None:
    """It says what to change (`Fix`); the CLI spells the command (cli/fixes.py)."""
    for name, path in MODULES.items():
        if not name.startswith("alertctl.domain"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.startswith("alertctl "), f"{name}: {node.value!r}"
            if isinstance(node, ast.JoinedStr):
                first = node.values[0] if node.values else None
                text = first.value if isinstance(first, ast.Constant) else ""
                assert not str(text).startswith("alertctl "), f"{name} spells a command"


def test_the_lower_layers_import_neither_services_nor_the_cli() -> None:
    lower = ("alertctl.templates", "alertctl.transports", "alertctl.db")
    for name, found in GRAPH.items():
        if name.startswith(lower):
            assert not any(i.startswith(("alertctl.services", "alertctl.cli")) for i in found), name


def test_services_return_typed_results() -> None:
    """Only the few untyped mappings named in services/results.py (and the configuration
    document's container) remain; everything else a service returns is a dataclass or enum."""
    found = [
        f"{name}:{number}"
        for name, path in MODULES.items()
        if name.startswith("alertctl.services")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "dict[str, Any]" in line
    ]
    assert len(found) <= 5, found


MAX_ANY_LINES = 100
DOCS = PACKAGE.parents[1] / "docs" / "architecture.md"


def test_any_is_rare_and_each_module_that_keeps_it_says_why() -> None:
    """Types cross every boundary; the few places that keep `Any` are named, with their
    reason, in docs/architecture.md ("Types across the boundaries")."""
    section = DOCS.read_text(encoding="utf-8").split("## Types across the boundaries")[1]
    section = section.split("\n## ")[0]
    lines = 0
    for name, path in MODULES.items():
        using = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if re.search(r"\bAny\b", line) and not line.lstrip().startswith(("from ", "import "))
        ]
        lines += len(using)
        if using:
            short = name.removeprefix("alertctl.").replace(".", "/")
            last = short.rsplit("/", 1)[-1]
            assert f"{short}.py" in section or f"{last}.py" in section or f"{short}." in section, (
                f"{name} uses Any on {len(using)} lines; say why in docs/architecture.md"
            )
    assert lines <= MAX_ANY_LINES
