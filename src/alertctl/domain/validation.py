"""Validation of what users type: codes, free text, e-mail addresses, fax numbers.

email-validator and phonenumbers are imported inside the functions so that `alertctl --help`
stays fast (see benchmarks/startup.py).
"""

import re

from alertctl.errors import Invalid

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# Bidirectional overrides and isolates can disguise text in a terminal or a mail client.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unicode's Cc category is exactly these two ranges, Zl and Zp one character each: one
# compiled class finds them all at C speed (free text is checked for every object of a file).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(_BIDI_CONTROLS)) + "]")


def check_code(value: str, what: str) -> str:
    """A code names an object in commands and files: short, no spaces, no '/'."""
    if not CODE_PATTERN.fullmatch(value):
        raise Invalid(
            f"invalid {what} code {value!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


# The longest text each field may hold: room for any real use, and a bound on what one command
# can store or make a terminal print. The README lists them.
MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "label": 100,
    "keyword": 100,
    "title": 300,
    "reference": 100,
    "state": 100,
    "save id": 200,
    "subject": 1_000,
    "e-mail address": 254,
    "fax number": 40,
    "external description": 20_000,
    "template": 100_000,
}
DEFAULT_MAX_LENGTH = 500


def check_reference(value: str) -> str:
    """A request's reference is the help desk's own, taken as it is: any printable text on one
    line (`INC/2026/42`, `#1234`, `NW 10 bis`), up to 100 characters. Spaces at its ends are
    refused rather than trimmed: ` 42` and `42` would name two requests that read as one."""
    check_text(value, "reference")
    if value != value.strip():
        raise Invalid(f"reference {value!r} starts or ends with a space")
    return value


def check_length(value: str, what: str) -> None:
    limit = MAX_LENGTHS.get(what, DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        raise Invalid(f"{what} is too long: {len(value):,} characters, at most {limit:,}")


def check_text(value: str, what: str, *, required: bool = True) -> str:
    """Free text (names, labels, keywords) must fit on one line of a table or a mail header."""
    check_length(value, what)
    found = _CONTROL.search(value)
    if found:
        raise Invalid(f"{what} contains the control character U+{ord(found.group()):04X}")
    stripped = value.strip()
    if required and not stripped:
        raise Invalid(f"{what} is empty")
    return stripped


def normalize_email(value: str, what: str = "e-mail address") -> str:
    """A syntactically valid address, normalised; deliverability is not checked (no network)."""
    from email_validator import EmailNotValidError, validate_email

    check_text(value, what)
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise Invalid(f"invalid {what} {value!r}: {exc}") from None


def smtputf8_note(address: str) -> str | None:
    """What a user must know about an address whose local part is not ASCII: only a mail server
    that offers SMTPUTF8 (RFC 6531) takes it; elsewhere each alert to it is `dead`."""
    local = address.strip().rpartition("@")[0]
    if local.isascii():
        return None
    return (
        f"{address.strip()} has a local part that is not ASCII: only a mail server that offers "
        "SMTPUTF8 takes it; elsewhere its alerts are dead"
    )


def normalize_fax(value: str, default_region: str, what: str = "fax number") -> str:
    """A fax number that parses as a valid phone number, stored in E.164 form."""
    import phonenumbers

    check_text(value, what)
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(f"invalid {what} {value!r}: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(f"invalid {what} {value!r}: not a valid phone number")
    if number.extension:
        # A fax server dials a number, not an extension behind a switchboard.
        raise Invalid(
            f"invalid {what} {value!r}: it has an extension ({number.extension}), which a fax "
            "server cannot dial; give the fax line's own number"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
