"""Every bad input: one `error:` line (and maybe a hint), the right exit code, nothing changed."""

from pathlib import Path

import pytest

from tests.helpers import refused

CONTROL_CHARACTERS = {"CR": "\r", "LF": "\n", "NUL": "\x00", "U+2028": "\u2028", "RLO": "\u202e"}

BAD_INPUTS: list[tuple[str, list[str], int, str]] = [
    # (case, arguments, exit code, start of the error message)
    (
        "invalid e-mail",
        ["contact", "add", "x", "--client", "ACME", "--email", "alice@"],
        1,
        "invalid e-mail address 'alice@'",
    ),
    (
        "e-mail without domain dot",
        ["collaborator", "add", "x", "--email", "a@b"],
        1,
        "invalid e-mail address 'a@b'",
    ),
    (
        "e-mail with spaces",
        ["contact", "update", "alice", "--email", "a b@acme.example"],
        1,
        "invalid e-mail address",
    ),
    (
        "fax not a number",
        ["contact", "add", "x", "--client", "ACME", "--fax", "call me"],
        1,
        "invalid fax number 'call me'",
    ),
    ("fax too short", ["collaborator", "add", "x", "--fax", "+33 1 23"], 1, "invalid fax number"),
    (
        "fax unknown region",
        ["contact", "update", "alice", "--fax", "+999 123 456 789"],
        1,
        "invalid fax number",
    ),
    ("unknown client", ["contact", "add", "x", "--client", "NOPE"], 1, "unknown client 'NOPE'"),
    ("unknown contract", ["service", "add", "NOPE", "S"], 1, "unknown contract 'NOPE'"),
    (
        "unknown contact",
        ["contact", "alerts", "nobody", "--on", "open"],
        1,
        "unknown contact 'nobody'",
    ),
    (
        "unknown collaborator",
        ["link", "product", "ERP", "--collaborator", "nobody"],
        1,
        "unknown collaborator 'nobody'",
    ),
    (
        "unknown product",
        ["contract", "add", "K9", "--client", "ACME", "--product", "NOPE"],
        1,
        "unknown product 'NOPE'",
    ),
    (
        "unknown beneficiary",
        ["contract", "add", "K9", "--client", "ACME", "--beneficiary", "NOPE"],
        1,
        "unknown client 'NOPE'",
    ),
    (
        "unknown template",
        [
            "client",
            "alerts",
            "ACME",
            "-e",
            "open",
            "--enable",
            "--keyword",
            "K",
            "--template",
            "nope",
        ],
        1,
        "unknown template 'nope'",
    ),
    (
        "unknown site",
        ["link", "site", "ACME/NOPE", "--contact", "alice"],
        1,
        "client 'ACME' has no site 'NOPE'",
    ),
    ("unknown status", ["status", "remove", "NOPE", "--yes"], 1, "unknown status 'NOPE'"),
    ("duplicate client", ["client", "add", "ACME"], 1, "client 'ACME' already exists"),
    ("duplicate site", ["site", "add", "ACME", "PARIS"], 1, "client 'ACME' already has a site"),
    (
        "duplicate contact",
        ["contact", "add", "alice", "--client", "ACME"],
        1,
        "contact 'alice' already exists",
    ),
    (
        "duplicate contract",
        ["contract", "add", "K1", "--client", "ACME"],
        1,
        "contract 'K1' already exists",
    ),
    (
        "duplicate service",
        ["service", "add", "K1", "PREMIUM"],
        1,
        "contract 'K1' already has a service 'PREMIUM'",
    ),
    ("duplicate product", ["product", "add", "ERP"], 1, "product 'ERP' already exists"),
    (
        "duplicate status",
        ["status", "add", "OPEN", "--type", "created"],
        1,
        "status 'OPEN' already exists",
    ),
    (
        "duplicate link",
        ["link", "contract", "K1", "--contact", "alice"],
        1,
        "contact 'alice' is already linked to contract K1",
    ),
    (
        "site of another client",
        ["contact", "add", "x", "--client", "GLOBEX", "--site", "PARIS"],
        1,
        "client 'GLOBEX' has no site 'PARIS'",
    ),
    (
        "site of another client on update",
        ["contact", "update", "erin", "--site", "PARIS"],
        1,
        "client 'GLOBEX' has no site 'PARIS'",
    ),
    (
        "service of another contract",
        ["link", "service", "K2/PREMIUM", "--contact", "alice"],
        1,
        "contract 'K2' has no service 'PREMIUM'",
    ),
    (
        "second main site",
        ["site", "add", "ACME", "NICE", "--main"],
        1,
        "client 'ACME' already has a main site (PARIS)",
    ),
    (
        "holder as beneficiary",
        ["contract", "add", "K9", "--client", "ACME", "--beneficiary", "ACME"],
        1,
        "client 'ACME' holds contract 'K9'",
    ),
    ("bad code", ["client", "add", "A/B"], 1, "invalid client code 'A/B'"),
    ("code with a space", ["product", "add", "my product"], 1, "invalid product code"),
    (
        "target not CLIENT/SITE",
        ["link", "site", "PARIS", "--contact", "alice"],
        1,
        "site 'PARIS' must be written CLIENT/SITE",
    ),
    (
        "keyword needed",
        ["client", "alerts", "GLOBEX", "-e", "resolution", "--enable"],
        1,
        "switching resolution on for client 'GLOBEX' needs a subject keyword",
    ),
    ("empty name", ["client", "add", "NEW", "--name", "  "], 1, "name is empty"),
    ("contact without client", ["contact", "add", "x"], 2, "Missing option '--client'"),
    (
        "both people",
        ["link", "contract", "K1", "--contact", "alice", "--collaborator", "jdu"],
        2,
        "Invalid value: give exactly one of --contact or --collaborator",
    ),
    (
        "unknown event",
        ["contact", "alerts", "alice", "--on", "opened"],
        2,
        "unknown event 'opened'",
    ),
    (
        "event on and off",
        ["contact", "alerts", "alice", "--on", "open", "--off", "open"],
        1,
        "event open is both --on and --off",
    ),
    (
        "unknown source",
        ["contract", "enable", "K1", "--source", "prodct"],
        2,
        "unknown source 'prodct'",
    ),
    (
        "bad event choice",
        ["client", "alerts", "ACME", "--event", "closed", "--enable"],
        2,
        "Invalid value for '--event' / '-e'",
    ),
    (
        "bad source argument",
        ["link", "team", "X", "--contact", "alice"],
        2,
        "Invalid value for 'SOURCE': 'team' is not one of",
    ),
    # A value not in the form it takes is bad usage (2) whoever reads it, the parser or
    # alertctl; a value read and refused is 1 (docs/cli.md, "Exit codes").
    (
        "limit not a number",
        ["alerts", "list", "--limit", "abc"],
        2,
        "Invalid value for '--limit': must be a whole number, not 'abc'",
    ),
    (
        "limit zero",
        ["alerts", "list", "--limit", "0"],
        2,
        "Invalid value for '--limit': must be at least 1, not 0",
    ),
    (
        "alert id not a number",
        ["alerts", "show", "abc"],
        2,
        "Invalid value for 'ID': must be a whole number, not 'abc'",
    ),
    (
        "poll out of range",
        ["alerts", "send", "--watch", "--poll", "100"],
        2,
        "Invalid value for '--poll': must be at most 60, not 100",
    ),
    ("unreadable since", ["alerts", "list", "--since", "xyz"], 2, "cannot read the time 'xyz'"),
    (
        "unreadable quiet hours",
        ["noise", "set", "--contact-quiet-hours", "mon-fri 25:00-08:00"],
        2,
        "cannot read '25:00-08:00': 25:00 is not a time of day",
    ),
    (
        "opening hours not a time of day",
        ["calendar", "add", "c1", "--zone", "UTC", "--hours", "mon 25:00-08:00"],
        2,
        "cannot read '25:00-08:00': 25:00 is not a time of day",
    ),
    (
        "quiet hours read and refused",
        ["noise", "set", "--contact-quiet-hours", "mon-sun 00:00-24:00"],
        1,
        "quiet hours all week long would hold alerts for ever",
    ),
    (
        "unreadable duration",
        ["noise", "set", "--coalesce-idle", "soon"],
        2,
        "cannot read the coalescing wait 'soon'",
    ),
    ("unreadable cap", ["noise", "set", "--cap", "abc"], 2, "a cap is a number of mails"),
    ("unknown option", ["client", "add", "X", "--colour", "red"], 2, "No such option: --colour"),
    ("missing argument", ["site", "add", "ACME"], 2, "Missing argument 'CODE'"),
    ("unknown command", ["clients"], 2, "No such command 'clients'"),
    ("reception without change", ["contact", "reception", "alice"], 1, "nothing to change"),
    ("remove without --yes", ["product", "remove", "ERP"], 1, "Remove product ERP: not confirmed"),
    (
        "referenced removal",
        ["client", "remove", "ACME", "--yes"],
        1,
        "client 'ACME' is still used by",
    ),
]

for name, char in CONTROL_CHARACTERS.items():
    BAD_INPUTS += [
        (f"{name} in a code", ["client", "add", f"NEW{char}X"], 1, "invalid client code"),
        (
            f"{name} in a name",
            ["client", "add", "NEW", "--name", f"New{char}Co"],
            1,
            f"name contains the control character U+{ord(char):04X}",
        ),
        (
            f"{name} in a keyword",
            [
                "client",
                "alerts",
                "ACME",
                "-e",
                "open",
                "--enable",
                "--keyword",
                f"[ACME]{char}Bcc: x@evil.example",
            ],
            1,
            f"keyword contains the control character U+{ord(char):04X}",
        ),
        (
            f"{name} in a status label",
            ["status", "add", "NEW", "--type", "created", "--label", f"a{char}b"],
            1,
            f"label contains the control character U+{ord(char):04X}",
        ),
        (
            f"{name} in an e-mail",
            [
                "contact",
                "update",
                "alice",
                "--email",
                f"alice@acme.example{char}Bcc: x@evil.example",
            ],
            1,
            f"e-mail address contains the control character U+{ord(char):04X}",
        ),
    ]


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample setup plus a second contract, built once; each test works on a copy."""
    from alertctl.db.engine import Database
    from alertctl.services.configuration import contracts
    from alertctl.services.operations.setup import init
    from tests.sample import build_sample

    path = tmp_path_factory.mktemp("bad") / "alertctl.db"
    database = Database(str(path))
    init(database)
    build_sample(database)
    contracts.add_contract(
        database, code="K2", client="GLOBEX", name=None, products=[], beneficiaries=[]
    )
    database.close()
    return path


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [pytest.param(args, code, message, id=case) for case, args, code, message in BAD_INPUTS],
)
def test_bad_input_is_refused_cleanly(
    configured: Path, tmp_path: Path, args: list[str], exit_code: int, message: str
) -> None:
    db = tmp_path / "alertctl.db"
    db.write_bytes(configured.read_bytes())
    refused(db, args, exit_code, message)
