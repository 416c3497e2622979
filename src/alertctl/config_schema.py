"""What `alertctl.toml` may hold: every section and key, its type, its range or its choices,
and what each transport needs. A file is checked whole, and every problem is named: a misspelt
key (`prot` for `port`), a value of the wrong type (`tls = "false"`), a transport without its
settings. A setting that cannot mean what was written is refused, never ignored.

Written by hand rather than with a validation library: the schema is a few dozen keys, the
messages must name the file's own spelling (`[smtp] port`) and the nearest known name, and it
runs at the start of every command that reads the settings, where building a library's models
would cost more than the check itself.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

DAY = 86_400.0


@dataclass(frozen=True)
class Key:
    """One key: what type its value has (`str`, `bool`, `int`, `number`, `strings`), and for a
    number its range, for a string its choices."""

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


SCHEMA: dict[str, dict[str, Key]] = {
    "database": {"url": Key("str")},
    "mail": {"from": Key("str")},
    "transport": {
        "email": Key("str", choices=("maildir", "smtp")),
        "fax": Key("str", choices=("maildir", "gateway", "command")),
    },
    "maildir": {"path": Key("str")},
    "smtp": {
        "host": Key("str"),
        "port": Key("int", 1, 65_535),
        "starttls": Key("bool"),
        "tls": Key("bool"),
        "username": Key("str"),
        "password_file": Key("str"),
        "timeout": Key("number", 0.1, 3_600),
        "send_password_without_tls": Key("bool"),
    },
    "fax": {
        "gateway": Key("str"),
        "command": Key("strings"),
        "timeout": Key("number", 1, 3_600),
        "default_region": Key("str"),
    },
    "delivery": {
        "backoff_base": Key("number", 0, DAY),
        "backoff_cap": Key("number", 0, 7 * DAY),
        "max_attempts": Key("int", 1, 1_000),
        "lease_seconds": Key("number", 0.1, DAY),
        "batch_size": Key("int", 1, 10_000),
    },
    "retention": {
        "delivered_days": Key("int", 1, 36_500),
        "closed_requests_days": Key("int", 1, 36_500),
    },
}

_TYPE_NAMES = {
    "str": "a string",
    "bool": "true or false",
    "int": "a whole number",
    "number": "a number",
    "strings": "a list of strings",
}


@dataclass(frozen=True)
class SettingProblem:
    """One thing wrong in the settings: where (`[smtp] port`), what, and what to write."""

    where: str
    message: str
    hint: str | None = None


def problems(raw: dict[str, object]) -> list[SettingProblem]:
    """Every problem of a parsed settings file, in the file's order."""
    found: list[SettingProblem] = []
    for name, section in raw.items():
        if name not in SCHEMA:
            found.append(_unknown(f"[{name}]", f"unknown section [{name}]", name, SCHEMA, "[{}]"))
        elif not isinstance(section, dict):
            found.append(
                SettingProblem(f"[{name}]", f"{name} must be a section", f"write it as [{name}]")
            )
        else:
            found += _section_problems(name, section)
    return found + _transport_problems(raw) + _retention_problems(_section(raw, "retention"))


def _section_problems(name: str, section: dict[str, object]) -> list[SettingProblem]:
    found = []
    known = SCHEMA[name]
    for key, value in section.items():
        where = f"[{name}] {key}"
        if name == "smtp" and key == "password":
            found.append(
                SettingProblem(
                    where,
                    "[smtp] password is not read from the settings file",
                    "set ALERTCTL_SMTP_PASSWORD or [smtp] password_file",
                )
            )
        elif key not in known:
            found.append(_unknown(where, f"unknown key {key!r} in [{name}]", key, known, "{}"))
        else:
            problem = _value_problem(known[key], value)
            if problem is not None:
                found.append(SettingProblem(where, f"{where} {problem}"))
    return found


# Whether a value is of a kind: TOML's booleans are not numbers here (`max_attempts = true`).
_OF_KIND: dict[str, Callable[[object], bool]] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "strings": lambda v: isinstance(v, list) and all(isinstance(a, str) for a in v),
}


def _value_problem(key: Key, value: object) -> str | None:
    if not _OF_KIND[key.kind](value):
        return f"must be {_TYPE_NAMES[key.kind]}, not {_shown(value)}"
    if key.choices and value not in key.choices:
        return f"= {_shown(value)} is not one of: {', '.join(key.choices)}"
    if (
        key.low is not None
        and key.high is not None
        and isinstance(value, int | float)
        and not key.low <= value <= key.high
    ):
        return f"= {str(value)[:20]} is out of range: from {key.low:g} to {key.high:g}"
    return None


def _transport_problems(raw: dict[str, object]) -> list[SettingProblem]:
    """A transport chosen without the settings it needs is an error, never a fallback."""
    transport, smtp, fax = (_section(raw, name) for name in ("transport", "smtp", "fax"))
    found = []
    email, fax_by = transport.get("email"), transport.get("fax")
    if (email == "smtp" or fax_by == "gateway") and not _text(smtp.get("host")):
        why = 'email = "smtp"' if email == "smtp" else 'fax = "gateway" (it mails the fax)'
        found.append(
            SettingProblem(
                "[smtp] host",
                f"[transport] {why} needs [smtp] host: the server to hand mail to",
                'add [smtp] host = "smtp.example.com" (and port, starttls, username)',
            )
        )
    if fax_by == "gateway":
        gateway = fax.get("gateway")
        if not _text(gateway):
            found.append(
                SettingProblem(
                    "[fax] gateway",
                    "fax transport 'gateway' needs [fax] gateway",
                    'write it as gateway = "{number}@fax.example.net"',
                )
            )
        elif isinstance(gateway, str) and "{number}" not in gateway:
            found.append(
                SettingProblem(
                    "[fax] gateway",
                    f"[fax] gateway {gateway!r} has no {{number}}: every fax would go to one "
                    "address",
                    'write it as gateway = "{number}@fax.example.net"',
                )
            )
    if fax_by == "command" and not fax.get("command"):
        found.append(
            SettingProblem(
                "[fax] command",
                "fax transport 'command' needs [fax] command",
                'write it as command = ["sendfax", "-n", "-d", "{number}", "{file}"]',
            )
        )
    return found


def _retention_problems(retention: dict[str, object]) -> list[SettingProblem]:
    """A request is removed with its alerts: it may not go before its messages would."""
    delivered, closed = retention.get("delivered_days"), retention.get("closed_requests_days")
    if isinstance(delivered, int) and isinstance(closed, int) and closed < delivered:
        return [
            SettingProblem(
                "[retention] closed_requests_days",
                f"[retention] closed_requests_days = {closed} is shorter than delivered_days "
                f"= {delivered}: requests would go before their messages",
                f"write closed_requests_days = {delivered} or more",
            )
        ]
    return []


def _section(raw: dict[str, object], name: str) -> dict[str, object]:
    section = raw.get(name, {})
    return section if isinstance(section, dict) else {}


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _unknown(
    where: str, message: str, name: str, known: Mapping[str, object], spelling: str
) -> SettingProblem:
    """An unknown name, with the nearest known one, or the list of them."""
    import difflib  # only for a file with a mistake: it costs a few milliseconds to import

    nearest = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if nearest:
        hint = f"did you mean {spelling.format(nearest[0])}?"
    else:
        hint = "known: " + ", ".join(spelling.format(k) for k in known)
    return SettingProblem(where, message, hint)


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, list):
        return "a list"
    return str(value)[:40]
