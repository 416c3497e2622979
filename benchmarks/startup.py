"""How fast `alertctl --help` and `--version` answer, next to `python -c "import typer"`.

Each command runs REPEAT times in a fresh interpreter; the median wall time is reported, and the
ratio to the bare Typer import (the floor for any Typer CLI). A second part checks that neither
answer imports the database or template stack.

    python benchmarks/startup.py [--repeat 20]
"""

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "jinja2", "phonenumbers", "email_validator")

COMMANDS: dict[str, list[str]] = {
    'python -c "import typer"': [sys.executable, "-c", "import typer"],
    "alertctl --version": [sys.executable, "-m", "alertctl", "--version"],
    "alertctl --help": [sys.executable, "-m", "alertctl", "--help"],
    "alertctl contract --help": [sys.executable, "-m", "alertctl", "contract", "--help"],
}


def median_seconds(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_imports(args: list[str]) -> list[str]:
    probe = (
        "import sys\nfrom alertctl.cli.app import run\n"
        f"run({args!r})\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    found = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return [m for m in found.split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat

    baseline = median_seconds(COMMANDS['python -c "import typer"'], repeat)
    print(f"{'command':<28} {'median ms':>10} {'x typer':>8}  heavy imports")
    for name, argv in COMMANDS.items():
        seconds = baseline if name.startswith("python") else median_seconds(argv, repeat)
        heavy = "-" if name.startswith("python") else ", ".join(heavy_imports(argv[3:])) or "none"
        print(f"{name:<28} {seconds * 1000:>10.1f} {seconds / baseline:>8.2f}  {heavy}")


if __name__ == "__main__":
    main()
