"""Text laid out for where it is read: a mail's text part as RFC 3676 `format=flowed`, a fax's
text as a page.

Templates write paragraphs as single lines (a description of 400 characters is one line). A
mail reader that knows `format=flowed` (most do) joins the soft-broken lines back and wraps them
to its window; one that does not shows lines of 72 columns. Lines are broken at spaces only: an
address, a link or a reference has none, and is never cut. Written by hand: the standard
library's textwrap neither marks soft breaks nor space-stuffs, as RFC 3676 asks.
"""

WIDTH = 72  # columns of a mail line, as RFC 3676 recommends (at most 78)
PAGE_WIDTH = 72  # columns of a fax page in a fixed-width font
SIGNATURE = "-- "  # the signature separator, kept as it is


def flowed(text: str, width: int = WIDTH) -> str:
    """The text as `format=flowed`: each line longer than `width` broken after a space (the
    trailing space marks the break as soft); trailing spaces of hard lines removed, and lines
    that start with a space, `>` or `From ` stuffed with one space."""
    out: list[str] = []
    for line in text.split("\n"):
        if line == SIGNATURE:
            out.append(line)
            continue
        out += _broken(line.rstrip(" "), width, soft=True)
    return "\n".join(_stuffed(line) for line in out)


def page(text: str, width: int = PAGE_WIDTH) -> str:
    """The text as a fax prints it: lines broken at spaces within `width`, hard breaks."""
    return "\n".join(
        part.rstrip(" ") for line in text.split("\n") for part in _broken(line, width, False)
    )


def _broken(line: str, width: int, soft: bool) -> list[str]:
    parts: list[str] = []
    while len(line) > width:
        cut = line.rfind(" ", 1, width + 1)
        if cut <= 0:  # one word longer than the line (a link): left whole, broken after it
            cut = line.find(" ", width)
            if cut < 0:
                break
        parts.append(line[: cut + 1] if soft else line[:cut])
        line = line[cut + 1 :]
    parts.append(line)
    return parts


def _stuffed(line: str) -> str:
    return " " + line if line.startswith((" ", ">", "From ")) else line
