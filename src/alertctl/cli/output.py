"""The one way commands print: data on stdout (Rich or JSON), everything else on stderr."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from alertctl.domain.wording import counted

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from alertctl.services.results import Page

T = TypeVar("T")
R = TypeVar("R")
# A table's column: its header, and what it shows of a row (a typed result's item).
Column = tuple[str, Callable[[T], object]]


def stdout() -> Console:
    from rich.console import Console

    # Rich draws for 80 columns when stdout is not a terminal; a pipe or a file should get whole
    # lines instead, unless COLUMNS says otherwise.
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, soft_wrap=False, width=200 if wide else None)


def print_json(document: object) -> None:
    sys.stdout.write(json_text(document))


def json_text(document: object) -> str:
    from alertctl.services.results import to_json

    return json.dumps(to_json(document), ensure_ascii=False, indent=2) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only, whole or not at all: into a temporary file
    beside it, flushed to disk, then renamed over it. A full disk or a crash leaves the file
    as it was, never a truncated copy."""
    import tempfile

    from alertctl.errors import Invalid

    target = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise Invalid(
            f"cannot write {target}: {exc.strerror or exc}; it was left as it was"
        ) from None


def info(message: str) -> None:
    """A message for the person at the terminal, never for a pipe; one line, never wrapped."""
    sys.stderr.write(message + "\n")


def updated(what: str, row: object, *, as_json: bool) -> None:
    """After an `update`: the row as it now is with --json, else one line for the person."""
    if as_json:
        print_json(row)
    else:
        info(f"updated {what}")


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def text_of(value: object) -> str:
    """A value as a table cell shows it: what its JSON document holds, in words."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | frozenset):
        return ", ".join(_plain(v) for v in value) or "-"
    return _plain(value)


def _plain(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        # To the second, with the time zone: what a person reads in a table (--json keeps all).
        return value.isoformat(timespec="seconds")
    return str(value)


def make_table(
    rows: Sequence[T],
    columns: Sequence[Column[T]],
    title: str | None = None,
    empty: str = "none",
) -> RenderableType:
    """A table; a titled one with no row is its title and what it would hold, in words (an
    empty grid of headers says nothing)."""
    from rich.table import Table
    from rich.text import Text

    if title is not None and not rows:
        return Text(f"{title}\n  {empty}")
    table = Table(title=title, title_justify="left")
    for header, _ in columns:
        # Folded, never cut: an address, a code or a reference is worth nothing with an "…".
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(Text(text_of(get(row))) for _, get in columns))
    return table


def render(
    data: T,
    *,
    as_json: bool,
    human: Callable[[T], RenderableType | Sequence[RenderableType]],
) -> None:
    """Print `data` (a typed result) as one JSON document, or as what `human` draws of it."""
    if as_json:
        print_json(data)
        return
    drawn = human(data)
    console = stdout()
    for renderable in drawn if isinstance(drawn, list | tuple) else [drawn]:
        console.print(renderable)


def render_rows(
    rows: Sequence[T], columns: Sequence[Column[T]], *, as_json: bool, empty: str
) -> None:
    if as_json:
        print_json(list(rows))
        return
    if not rows:
        info(empty)
    else:
        stdout().print(make_table(rows, columns))


def render_all_of(
    rows: Sequence[T],
    columns: Sequence[Column[T]],
    *,
    as_json: bool,
    noun: str,
    limit: int | None,
    plural: str | None = None,
) -> None:
    """A list read in full (configuration: clients, contacts...), shown as a page."""
    from alertctl.services.results import Page

    render_page(Page.of(rows, limit), columns, as_json=as_json, noun=noun, plural=plural)


def render_page(
    page: Page[T],
    columns: Sequence[Column[T]],
    *,
    as_json: bool,
    noun: str,
    plural: str | None = None,
) -> None:
    """The rows of a page, then on stderr how many the limit left out (the JSON holds the
    rows shown, so that a script piping it never mistakes part of a list for the whole)."""
    render_rows(page.rows, columns, as_json=as_json, empty=f"no {plural or noun + 's'}")
    if page.left_out:
        info(
            f"{len(page.rows):,} of {counted(page.total, noun, plural)} shown, "
            f"{page.left_out:,} left out: --limit N or --all for more"
        )


def key_values(pairs: Sequence[tuple[str, object]]) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold", overflow="fold")
    table.add_column(overflow="fold")
    for key, value in pairs:
        table.add_row(key, Text(text_of(value)))
    return table


def with_progress(
    label: str, work: Callable[[Callable[[object], None] | None], R], total: int | None = None
) -> R:
    """Run `work(progress)` with a progress bar on a terminal (stderr), silently elsewhere.

    `progress` takes a count done (when `total` is known) or a step (when it is not); work
    that has no count passes it nothing and gets a spinner.
    """
    if not sys.stderr.isatty():
        return work(None)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def progress(done: object = None) -> None:
            if total is not None and isinstance(done, int):
                bar.update(task, completed=done)
            else:
                bar.advance(task)

        return work(progress)
