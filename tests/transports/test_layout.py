"""Text laid out for its reader: mail text parts as format=flowed (RFC 3676), faxes as pages;
a client's HTML template sent in the shipped document."""

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

from alertctl.transports.base import Outgoing
from alertctl.transports.layout import flowed, page
from alertctl.transports.message import email_bytes

LONG = (
    "Depuis la mise à jour de lundi, l'édition des factures échoue avec l'erreur 42 sur "
    "tous les postes du service comptable ; voir https://support.example.com/kb/"
    + "a" * 90
    + " et la demande INC/2026/000042 pour le détail."
)


def unflowed(text: str) -> str:
    """What a format=flowed reader shows: soft breaks joined, stuffing removed."""
    lines = [line[1:] if line.startswith(" ") else line for line in text.split("\n")]
    joined: list[str] = []
    carry = ""
    for line in lines:
        if line.endswith(" ") and line != "-- ":
            carry += line
        else:
            joined.append(carry + line)
            carry = ""
    return "\n".join(joined)


def test_flowed_lines_fit_never_cut_a_word_and_read_back_whole() -> None:
    text = f"Bonjour,\n\n{LONG}\n> cité\nFrom here\n-- \nLe support"
    laid = flowed(text)
    for line in laid.split("\n"):
        assert len(line) <= 73 or " " not in line.strip(), line
    words = set(LONG.split())
    assert {w for line in laid.split("\n") for w in line.split()} >= words  # nothing cut
    assert unflowed(laid) == text


def test_a_fax_is_laid_out_for_the_page() -> None:
    laid = page(LONG)
    assert all(len(line) <= 72 or " " not in line for line in laid.split("\n"))
    assert laid.split() == LONG.split()


def test_a_mail_says_format_flowed_and_its_text_reads_back() -> None:
    message = Outgoing(
        key="k",
        channel="email",
        address="a@example.com",
        subject="s",
        text=LONG + "\n",
        html=None,
        date=datetime(2026, 11, 30, tzinfo=UTC),
        message_id="<m@example.com>",
    )
    parsed = email.message_from_bytes(
        email_bytes(message, sender="S <s@example.com>"), policy=email.policy.default
    )
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_param("format") == "flowed"
    body = parsed.get_content()
    assert max(len(line) for line in body.splitlines() if " " in line.strip()) <= 73
    assert unflowed(body.rstrip("\n")) == LONG


def test_a_clients_html_template_goes_out_in_the_shipped_document(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("ALERTCTL_DB", None)
    program = Path(sys.executable).parent / "alertctl"
    subprocess.run(
        [str(program), "demo", "--dir", "d"], cwd=tmp_path, env=env, check=True, capture_output=True
    )
    htmls = []
    for path in (tmp_path / "d" / "maildir" / "new").iterdir():
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        part = parsed.get_body(("html",))
        if part is not None:
            htmls.append(part.get_content())
    assert htmls
    assert all(h.startswith("<!DOCTYPE html>") for h in htmls), [h[:60] for h in htmls]
    assert any("est résolue" in h for h in htmls)  # acme-resolution's body, in the document
