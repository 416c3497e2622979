"""Bounds on everything a template can use to build a big string, checked before the work.

The output of a render is capped, but a single filter call or operation can build a huge value
in one step (`'a'|center(999999999)`, `'%0999999999d' % 1`), long before the output is looked at,
and a deadline cannot interrupt one C call. So every way to grow a value is checked from its
arguments first: the filters that pad, indent, wrap, repeat, join or replace; the string methods
that do the same; `%`, `format`, `*`, `+`, `~` and `**`; and the buffers that capture output
(`{% set %}` blocks, macros, `{% filter %}`). Each is refused with a SecurityError past
MAX_CHARS; Jinja2's sandbox has no such bounds of its own (it guards attributes, not sizes).
"""

import re
import string
from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from jinja2.exceptions import SecurityError

MAX_CHARS = 200_000  # the largest value or output a template may build
MAX_ITEMS = 10_000  # the most items a template may make (range, batch, slice)
MAX_INT_BITS = 100_000  # integers beyond this are refused before multiplying
MAX_JSON_INDENT = 16

# printf-style directives: width and precision may be digits or '*'.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_NUMBER = re.compile(r"\d+")


def refuse(what: str) -> SecurityError:
    return SecurityError(f"{what} would be too large for a template (more than {MAX_CHARS:,})")


def _size(value: object) -> int:
    """What a value weighs once written out: a string its length, a list or a mapping its items
    and what they weigh (a list of 200,000 copies of one long string weighs all of them, which
    is what `|string` or `|tojson` would build), anything else its text. Counting stops past
    MAX_CHARS, so weighing costs at most that much."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple | dict):
        items = value.items() if isinstance(value, dict) else value
        total = len(value)
        for item in items:
            total += _size(item)
            if total > MAX_CHARS:
                break
        return total
    if isinstance(value, int | float | bool) or value is None:
        return 8
    return len(str(value))


def check_total(parts: Iterable[object], what: str = "the result") -> None:
    total = 0
    for part in parts:
        total += _size(part)
        if total > MAX_CHARS:
            raise refuse(what)


def check_width(width: object, what: str) -> None:
    if isinstance(width, int) and width > MAX_CHARS:
        raise refuse(what)


def check_printf(template: str, args: object) -> None:
    """`'%0999999999d' % 1`, `'%*d' % (n, 1)`, and the format filter."""
    for width, precision in _PRINTF.findall(template):
        for number in (width, precision):
            if number == "*":
                raise SecurityError("'*' widths are not allowed in templates")
            if number and int(number) > MAX_CHARS:
                raise refuse("a formatted value")
    if isinstance(args, tuple | list):
        check_total([template, *args])
    elif isinstance(args, dict):
        check_total([template, *args.values()])
    else:
        check_total([template, args])


def check_format_string(
    template: str, args: tuple[object, ...], kwargs: Mapping[str, object]
) -> None:
    """`'{:>999999999}'.format(1)`: widths in format specs, and no nested specs."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise SecurityError(f"bad format string: {exc}") from None
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            raise SecurityError("nested format specs are not allowed in templates")
        for number in _NUMBER.findall(spec or ""):
            if int(number) > MAX_CHARS:
                raise refuse("a formatted value")
    check_total([template, *args, *kwargs.values()])


def check_binop(operator: str, left: object, right: object) -> None:
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if not (isinstance(seq, str | list | tuple) and isinstance(times, int)):
                continue
            if _size(seq) * times > MAX_CHARS:
                raise refuse("a repetition")
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() + right.bit_length() > MAX_INT_BITS
        ):
            raise SecurityError("number too large for a template")
    elif operator == "**" and isinstance(right, int):
        if abs(right) > 64:
            raise SecurityError("exponent too large for a template")
        if isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS:
            raise SecurityError("number too large for a template")
    elif operator == "+":
        both = (str, list, tuple)
        if isinstance(left, both) and isinstance(right, both):
            check_total([left, right])
    elif operator == "%" and isinstance(left, str):
        check_printf(left, right)


def check_str_method(
    name: str, owner: str, args: tuple[object, ...], kwargs: dict[str, object]
) -> tuple[object, ...]:
    """Called before a string method runs; returns the arguments to call it with (an iterable
    given to `join` is read once here, so it is passed on as a list)."""
    if name in ("center", "ljust", "rjust", "zfill"):
        check_width(args[0] if args else kwargs.get("width"), f"str.{name}")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and owner.count("\t") * size + len(owner) > MAX_CHARS:
            raise refuse("str.expandtabs")
    elif name == "join" and args:
        items = _listed(args[0])
        _check_joined(items, owner)
        return (items, *args[1:])
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((_size(v) for v in args[0].values() if v is not None), default=1)
        if len(owner) * longest > MAX_CHARS:
            raise refuse("str.translate")
    elif name in ("format", "format_map"):
        values = args[0] if name == "format_map" and args else kwargs
        named = dict(values) if isinstance(values, Mapping) else {}
        check_format_string(owner, args if name == "format" else (), named)
    return args


def _check_replace(value: str, old: object, new: object, count: object) -> None:
    if not (isinstance(old, str) and isinstance(new, str)):
        return
    found = value.count(old) if old else len(value) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    if len(value) + found * (len(new) - len(old)) > MAX_CHARS:
        raise refuse("replace")


# Filters: each check sees the filter's own arguments (without a context argument), and may
# return new ones.
def _center(value: object, width: object = 80, *rest: object, **kw: object) -> None:
    check_width(width, "center")


def _indent(value: object, width: object = 4, *rest: object, **kw: object) -> None:
    lines = str(value).count("\n") + 1
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    if len(str(value)) + lines * step > MAX_CHARS:
        raise refuse("indent")


def _wordwrap(value: object, width: object = 79, *rest: object, **kw: object) -> None:
    wrapstring = kw.get("wrapstring", rest[1] if len(rest) > 1 else None) or "\n"
    size = len(str(value))
    breaks = size // max(width, 1) + 1 if isinstance(width, int) else size
    if size + breaks * len(str(wrapstring)) > MAX_CHARS:
        raise refuse("wordwrap")


def _format(value: object, *args: object, **kwargs: object) -> None:
    check_printf(str(value), kwargs or args)


def _join(value: object, d: object = "", *rest: object, **kw: object) -> tuple[object, ...]:
    items = _listed(value)
    _check_joined(items, str(d))
    return (items, d, *rest)


def _listed(value: object) -> list[object]:
    if not isinstance(value, Iterable):
        raise TypeError(f"can only join an iterable, not {type(value).__name__}")
    return list(value)


def _check_joined(items: list[object], joiner: str) -> None:
    if len(joiner) * max(len(items) - 1, 0) > MAX_CHARS:
        raise refuse("a join")
    check_total([*items, joiner * max(len(items) - 1, 0)], "a join")


def _replace(
    value: object, old: object, new: object, count: object = None, *rest: object, **kw: object
) -> None:
    _check_replace(str(value), old, new, -1 if count is None else count)


def _items(value: object, count: object, *rest: object, **kw: object) -> None:
    if isinstance(count, int) and count > MAX_ITEMS:
        raise SecurityError(f"more than {MAX_ITEMS:,} items for a template")


def _tojson(value: object, indent: object = None, *rest: object, **kw: object) -> None:
    if isinstance(indent, int) and indent > MAX_JSON_INDENT:
        raise SecurityError(f"a JSON indent above {MAX_JSON_INDENT} is not allowed")


def _sum(value: object, *rest: object, **kw: object) -> None:
    start = kw.get("start", rest[1] if len(rest) > 1 else 0)
    if not isinstance(start, int | float):
        raise SecurityError("sum() of anything but numbers is not allowed in templates")


# A check returns None, or the filter's arguments to use instead.
FilterCheck = Callable[..., Iterable[object] | None]
FILTER_CHECKS: dict[str, FilterCheck] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "format": _format,
    "join": _join,
    "replace": _replace,
    "batch": _items,
    "slice": _items,
    "tojson": _tojson,
    "sum": _sum,
}


def bounded_filter(original: Callable[..., object], check: FilterCheck) -> Callable[..., object]:
    """The filter, with its arguments checked first. A filter that takes a context (Jinja2's
    `pass_environment` and the like) keeps it, and keeps its marker so Jinja2 still passes it."""
    passes_context = getattr(original, "jinja_pass_arg", None) is not None

    @wraps(original)
    def bounded(*args: object, **kwargs: object) -> object:
        head, own = (args[:1], args[1:]) if passes_context else ((), args)
        checked = check(*own, **kwargs)
        if checked is not None:
            own = tuple(checked)
        return original(*head, *own, **kwargs)

    return bounded
