"""The project describes itself: every reason of the code is in docs/rules.md and every reason
there is in the code; every ALERTCTL_* variable the code or the tests read is in docs/."""

import re
from pathlib import Path

from alertctl.domain.recipients import Reason

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def test_every_reason_of_the_code_is_described_and_every_described_reason_exists() -> None:
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    table = rules.split("## Reasons for leaving someone out", 1)[1].split("\n## ", 1)[0]
    described = set(re.findall(r"^\| `(\w+)` \|", table, flags=re.MULTILINE))
    assert described == {r.value for r in Reason}


def test_every_environment_variable_is_named_in_the_docs() -> None:
    read = set()
    for folder in ("src", "tests", ".ci"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", "") and "__pycache__" not in str(path):
                read |= set(
                    re.findall(r"_?ALERTCTL_[A-Z][A-Z_]*[A-Z]", path.read_text(errors="ignore"))
                )
    assert read, "no variable found: the search itself is broken"
    missing = sorted(name for name in read if f"`{name}`" not in DOCS)
    assert missing == []


def test_the_project_cites_only_itself() -> None:
    cited = [
        str(path.relative_to(ROOT))
        for folder in ("src", "tests", "docs", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if "domain.md" in path.read_text(encoding="utf-8")
    ]
    assert cited == [str(Path(__file__).relative_to(ROOT))]  # this test names what it looks for
