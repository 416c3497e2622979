"""Rendering alert templates in Jinja2's immutable sandbox.

Templates are written by admins and fed with request data typed by clients, so rendering is
bounded: no access to Python internals (the sandbox), no mutation (immutable), no silent blanks
(StrictUndefined), HTML escaped, and limits on output size and render time.
"""

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from copy import copy
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, Template, TemplateError, meta
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import Call, Concat, EnvironmentAttribute, For
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from alertctl.templates import bounds
from alertctl.templates.context import TemplateContext

MAX_OUTPUT_CHARS = bounds.MAX_CHARS
MAX_SECONDS = 1.0
MAX_RANGE = bounds.MAX_ITEMS
# Loop steps one render may take, all loops together: ten times the items one loop may have.
MAX_LOOP_STEPS = 10 * bounds.MAX_ITEMS
MAX_SUBJECT_CHARS = 250

# The names a template may use; everything under them is plain data (templates/context.py).
CONTEXT_NAMES = frozenset(
    {"request", "client", "site", "contract", "service", "product", "recipient", "event", "clock"}
)


class RenderError(Exception):
    """The template cannot be used: a syntax error, an unknown variable, a limit reached."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise RenderError(f"rendering took more than {MAX_SECONDS:g} s")


class _BoundedCodeGenerator(CodeGenerator):
    """Two places where Jinja2's generated code builds strings without asking the environment:
    `a ~ b` (here routed through `environment.checked_join`, which measures the parts before
    joining them) and the buffers that capture output for `{% set %}` blocks, macros and
    `{% filter %}` (here a list that counts what it holds as it grows)."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.bounded_buffer()")

    def visit_For(self, node: For, frame: Frame) -> None:
        """Every loop goes through `environment.iterate`, which counts its steps: a loop that
        writes nothing (`{% for a in x %}{% for b in x %}{% endfor %}{% endfor %}`) is bounded
        like one that writes."""
        bounded = copy(node)
        bounded.iter = Call(EnvironmentAttribute("iterate"), [node.iter], [], None, None)
        super().visit_For(bounded, frame)

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.checked_join({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Checks the deadline on every call, loop step of `range` and arithmetic, and the size of
    everything that can grow a value before it grows (templates/bounds.py)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    deadline: _Deadline | None = None
    steps = 0  # loop steps of the render under way

    def tick(self) -> None:
        if self.deadline is not None:
            self.deadline.check()

    def iterate(self, sequence: Iterable[object]) -> Iterator[object]:
        """The items of a loop, counted against the render's MAX_LOOP_STEPS, with the deadline
        looked at as it goes."""
        for item in sequence:
            self.steps += 1
            if self.steps > MAX_LOOP_STEPS:
                raise SecurityError(f"more than {MAX_LOOP_STEPS:,} loop steps in one template")
            if not self.steps % 1024:
                self.tick()
            yield item

    def call(self, __context: Context, __obj: object, *args: object, **kwargs: object) -> object:
        self.tick()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            args = bounds.check_str_method(getattr(__obj, "__name__", ""), owner, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: object, right: object) -> object:
        self.tick()
        bounds.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def concat(self, parts: Iterable[str]) -> str:
        """Captured output ({% set %} blocks, macros, {% filter %}) measured before joined."""
        listed = list(parts)
        bounds.check_total(listed, "captured output")
        return "".join(listed)

    def bounded_buffer(self) -> "_Buffer":
        return _Buffer()

    def wrap_str_format(self, value: Callable[..., object]) -> Callable[..., str] | None:
        """`str.format` reaches templates through this wrapper, not through `call`."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        owner, name = getattr(value, "__self__", ""), getattr(value, "__name__", "")

        def checked(*args: object, **kwargs: object) -> str:
            bounds.check_str_method(name, owner, args, kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def checked_join(
        self, join: Callable[[tuple[object, ...]], str], parts: tuple[object, ...]
    ) -> str:
        bounds.check_total(parts, "a ~ concatenation")
        return join(parts)


class _Buffer(list[str]):
    """Captured output, refused as soon as it holds more than a template may build."""

    size = 0

    def _grow(self, parts: Iterable[str]) -> None:
        self.size += sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts)
        if self.size > bounds.MAX_CHARS:
            raise bounds.refuse("captured output")

    def append(self, part: str) -> None:
        self._grow((part,))
        super().append(part)

    def extend(self, parts: Iterable[str]) -> None:
        listed = list(parts)
        self._grow(listed)
        super().extend(listed)


def _bounded_range(env: _BoundedEnvironment) -> object:
    def bounded(*args: int) -> Iterator[int]:
        values = range(*args)
        if len(values) > MAX_RANGE:
            raise SecurityError(f"range() of more than {MAX_RANGE} items")
        for value in values:
            env.tick()
            yield value

    return bounded


def _environment(*, html: bool) -> _BoundedEnvironment:
    env = _BoundedEnvironment(
        undefined=StrictUndefined, autoescape=html, trim_blocks=True, keep_trailing_newline=True
    )
    env.globals = {"range": _bounded_range(env)}
    for name, check in bounds.FILTER_CHECKS.items():
        env.filters[name] = bounds.bounded_filter(env.filters[name], check)
    return env


_TEXT = _environment(html=False)
_HTML = _environment(html=True)


def check_syntax(source: str, *, html: bool = False) -> None:
    """Parse the template and refuse names outside the context."""
    problem = _syntax_problem(source, html)
    if problem is not None:
        raise RenderError(problem)


@lru_cache(maxsize=256)
def _names(source: str, html: bool) -> frozenset[str] | str:
    """The names the template reads from its context, or why it does not parse. Every save
    checks the templates of its client's events: each source is parsed once for all."""
    env = _HTML if html else _TEXT
    try:
        parsed = env.parse(source)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        return f"syntax error{f' at line {line}' if line else ''}: {exc}"
    return frozenset(meta.find_undeclared_variables(parsed))


@lru_cache(maxsize=256)
def _syntax_problem(source: str, html: bool) -> str | None:
    names = _names(source, html)
    if isinstance(names, str):
        return names
    unknown = names - CONTEXT_NAMES - {"range"}
    if unknown:
        return f"unknown variable {sorted(unknown)[0]!r}"
    return None


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool) -> Template:
    # One alert per recipient renders the same few templates many times: compile each once.
    check_syntax(source, html=html)
    return (_HTML if html else _TEXT).from_string(source)


def reads_recipient(source: str, html: bool = False) -> bool:
    """Whether the template's output depends on who reads it: one that names no `recipient`
    renders the same for every recipient of an event, and is rendered once for them all (one
    that does not parse is rendered for each, and refused by `render_one`)."""
    names = _names(source, html)
    return isinstance(names, str) or "recipient" in names


# Output chunks between two looks at the deadline: the work between two chunks is bounded
# (every call, operation and loop step looks at it too), and a look at the clock on each chunk
# cost a tenth of a render.
CHUNKS_PER_TICK = 64


def render_one(source: str, context: Mapping[str, object], *, html: bool = False) -> str:
    env = _HTML if html else _TEXT
    template = _compiled(source, html)
    env.deadline = _Deadline(MAX_SECONDS)
    env.steps = 0
    size = 0
    parts: list[str] = []
    append = parts.append
    try:
        for count, chunk in enumerate(template.generate(dict(context))):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderError(f"output larger than {MAX_OUTPUT_CHARS} characters")
            if not count % CHUNKS_PER_TICK:
                env.tick()
            append(chunk)
    except RenderError:
        raise
    except (TemplateError, SecurityError) as exc:
        raise RenderError(str(exc).split("\n")[0]) from None
    except Exception as exc:  # a filter fed odd data: the template is unusable for this alert
        raise RenderError(f"{type(exc).__name__}: {exc}") from None
    finally:
        env.deadline = None
    return "".join(parts)


# The space separators (Unicode category Zs), each read as a plain space.
_SPACES = str.maketrans(
    dict.fromkeys(map(chr, (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)), " ")
)


def header_safe(value: str, limit: int = MAX_SUBJECT_CHARS) -> str:
    """One line of plain text: every control or line-breaking character becomes a space."""
    import unicodedata

    cleaned = value
    # Spaces aside (a no-break space is not "printable"), a printable string has none of them.
    if not value.translate(_SPACES).isprintable():
        cleaned = "".join(
            " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in value
        )
    # Runs of spaces collapse; a no-break space stays (French puts one before a colon).
    cleaned = " ".join(part for part in cleaned.split(" ") if part)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


# What one event's templates gave for a recipient, kept for the next recipient when the
# template does not read `recipient` (see `render_alert`): by source and whether it is HTML.
Shared = dict[tuple[str, bool], str]


def render_alert(
    *,
    subject: str,
    text: str,
    html: str | None,
    keyword: str,
    context: TemplateContext,
    shared: Shared | None = None,
) -> Rendered:
    """The subject starts with the keyword and names the request: a subject template that
    leaves out the reference gets it in front (an empty one, the reference and the title).
    `shared`: the outputs already rendered for other recipients of the same event, language
    and request, which a template that does not read `recipient` gives them all."""
    request = context["request"]
    reference = str(request["reference"])
    line = _render_shared(subject, context, False, shared).strip()
    if not line:
        line = f"{reference} \u2013 {request['title']}"
    elif reference not in line:
        line = f"{reference} \u2013 {line}"
    return Rendered(
        subject=header_safe(f"{keyword} {line}" if keyword else line),
        text=_render_shared(text, context, False, shared),
        html=_render_shared(html, context, True, shared) if html else None,
    )


def _render_shared(source: str, context: TemplateContext, html: bool, shared: Shared | None) -> str:
    if shared is None or reads_recipient(source, html):
        return render_one(source, context, html=html)
    key = (source, html)
    if key not in shared:
        shared[key] = render_one(source, context, html=html)
    return shared[key]
