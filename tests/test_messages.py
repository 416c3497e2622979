"""Every error alertctl raises reads as one sentence: one line, lowercase at its start (it
follows `error: `), no full stop at its end, brackets closed, single spaces."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "alertctl"
ERRORS = {"Invalid", "Conflict", "NotFound", "Refused", "NotDelivered", "AlertctlError"}


def _text(node: ast.expr) -> str | None:
    """A message as written, each `{...}` of an f-string standing as `{}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        left, right = _text(node.left), _text(node.right)
        return None if left is None or right is None else left + right
    return None


def messages() -> list[tuple[str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            text = _text(node.args[0]) if name in ERRORS else None
            if text is not None:
                found.append((f"{path.relative_to(PACKAGE)}:{node.lineno}", text))
    return found


MESSAGES = messages()


def test_the_messages_are_found() -> None:
    assert len(MESSAGES) > 100


@pytest.mark.parametrize(("where", "text"), MESSAGES, ids=[w for w, _ in MESSAGES])
def test_an_error_is_one_well_formed_sentence(where: str, text: str) -> None:
    assert "\n" not in text, "one line"
    assert not text[:1].isupper(), "it follows `error: `: lowercase"
    assert not text.endswith("."), "no full stop"
    assert text.count("(") == text.count(")") and text.count("[") == text.count("]")
    assert "  " not in text and text == text.strip()
