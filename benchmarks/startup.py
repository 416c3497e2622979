"""What one alertctl command costs in CPU, next to the floor of the stack it is built on.

Each command runs in a fresh interpreter, the commands taking turns (so that a busy moment of
the machine falls on all of them alike); the median CPU time (user + system, of the child) is
reported with its ratio to its floor:

- `alertctl --help` and `--version` against `python -c "import typer"`;
- `alertctl client list` (a database command: settings, schema check, one query, a drawn
  table) against `python -c "import typer, sqlmodel"`, and beside it `sqlite-utils rows` on
  the same file, when sqlite-utils is on PATH (`pipx install sqlite-utils`);
- a TAB of shell completion that reads codes from the database, against the same floor.

A last part lists, for each command, which heavy modules it imported at all.

    python benchmarks/startup.py [--repeat 21]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HEAVY = (
    "sqlalchemy",
    "alembic",
    "jinja2",
    "rich",
    "phonenumbers",
    "email_validator",
    "psycopg",
    "prometheus_client",
)
ALERTCTL = [sys.executable, "-m", "alertctl"]
NO_GC_FLOOR = "  the same, collector off"


def cpu_seconds(argv: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, capture_output=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heavy_imports(args: list[str], env: dict[str, str]) -> str:
    probe = (
        "import sys, io, contextlib\nfrom alertctl.cli.app import run\n"
        f"with contextlib.redirect_stdout(io.StringIO()): run({args!r})\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return last.replace(",", ", ") or "none"


def sample_database(folder: Path, env: dict[str, str]) -> Path:
    setup = Path(__file__).resolve().parent.parent / "sample-data" / "setup.batch"
    for args in (["init"], ["batch", str(setup)]):
        subprocess.run(ALERTCTL + args, check=True, capture_output=True, env=env)
    return folder / "alertctl.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    repeat = parser.parse_args().repeat

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "alertctl.db"
        env = {**os.environ, "ALERTCTL_DB": str(db)}
        env.pop("ALERTCTL_CONFIG", None)
        # As installed: pip compiles every dependency's bytecode at install time, and Python
        # caches alertctl's own at its first run. With the cache switched off, alertctl alone
        # would be compiled from source on every run, and the floors would not.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        sample_database(Path(folder), env)
        completion = {**env, "_ALERTCTL_COMPLETE": "complete_bash", "COMP_CWORD": "3"}
        commands: dict[str, tuple[list[str], dict[str, str], str | None]] = {
            'python -c "import typer"': ([sys.executable, "-c", "import typer"], env, None),
            "alertctl --version": ([*ALERTCTL, "--version"], env, 'python -c "import typer"'),
            "alertctl --help": ([*ALERTCTL, "--help"], env, 'python -c "import typer"'),
            'python -c "import typer, sqlmodel"': (
                [sys.executable, "-c", "import typer, sqlmodel"],
                env,
                None,
            ),
            # alertctl holds its collector while it imports (cli/collector.py): the same floor
            # without the collector shows how much of the difference that makes.
            NO_GC_FLOOR: (
                [sys.executable, "-c", "import gc; gc.disable(); import typer, sqlmodel"],
                env,
                None,
            ),
            "alertctl client list": (
                [*ALERTCTL, "client", "list"],
                env,
                'python -c "import typer, sqlmodel"',
            ),
            "TAB after `alertctl contact show `": (
                ALERTCTL,
                {**completion, "COMP_WORDS": "alertctl contact show "},
                'python -c "import typer, sqlmodel"',
            ),
        }
        sqlite_utils = shutil.which("sqlite-utils")
        if sqlite_utils:
            commands["sqlite-utils rows DB client"] = (
                [sqlite_utils, "rows", str(db), "client"],
                env,
                "alertctl client list",
            )
        for argv, command_env, _floor in commands.values():  # a first run fills the caches
            cpu_seconds(argv, command_env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, (argv, command_env, _floor) in commands.items():
                times[name].append(cpu_seconds(argv, command_env))
        medians = {name: statistics.median(values) for name, values in times.items()}

        print(f"{'command':<38} {'CPU ms':>8}  {'ratio':>24}")
        for name, (_argv, _env, floor) in commands.items():
            ratio = (
                ""
                if floor is None
                else f"{medians[name] / medians[floor]:.2f} x {floor.split(' -c ')[-1]}"
                if not name.startswith("sqlite-utils")
                else f"alertctl is {medians[floor] / medians[name]:.2f} x this"
            )
            print(f"{name:<38} {medians[name] * 1000:>8.1f}  {ratio}")
        print(
            f"(alertctl client list is {medians['alertctl client list'] / medians[NO_GC_FLOOR]:.2f}"
            " x the floor with its collector off)"
        )
        if not sqlite_utils:
            print("(sqlite-utils is not on PATH: `pipx install sqlite-utils` to compare with it)")

        print("\nheavy modules imported")
        for args in (["--version"], ["--help"], ["client", "list"], ["client", "list", "--json"]):
            print(f"  alertctl {' '.join(args):<24} {heavy_imports(args, env)}")


if __name__ == "__main__":
    main()
