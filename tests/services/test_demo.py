import mailbox
from email.header import decode_header, make_header
from pathlib import Path

from tests.helpers import ok
from tests.transports.test_layout import unflowed


def subject(message: mailbox.MaildirMessage) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def test_demo_walks_the_sample_requests_and_delivers_into_a_maildir(tmp_path: Path) -> None:
    result = ok(tmp_path / "unused.db", "demo", "--dir", str(tmp_path / "demo"))
    messages = list(mailbox.Maildir(tmp_path / "demo" / "maildir", create=False))
    assert len(messages) == 19
    assert "Who received what" in result.stdout
    assert result.stdout.count(" sent ") == 19
    assert f"19 messages in {tmp_path / 'demo' / 'maildir'}" in result.stderr
    assert "8 saves of 3 requests" in result.stderr
    # ACME's resolution alerts use its own French template, in HTML with the text version.
    resolved = [
        m
        for m in messages
        if subject(m) == ("[Support ACME] Résolue\u00a0: DEM-1 – Édition des factures impossible")
    ]
    assert len(resolved) == 6
    emails = [m for m in resolved if m.get_content_type() == "multipart/alternative"]
    assert len(emails) == 4  # the two faxes carry the text only
    texts = []
    for mail in emails:
        plain = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
        payload = plain.get_payload(decode=True)
        assert isinstance(payload, bytes)
        texts.append(unflowed(payload.decode()))
    assert all("est résolue" in text for text in texts)
    # A contact is told of its own request, and how to reopen it; the support team is not.
    assert any("Votre demande" in t and "la demande sera rouverte" in t for t in texts)
    assert any("La demande" in t and "rouverte" not in t for t in texts)
    # GLOBEX's own keyword for the request it opened on ACME's contract.
    assert any(subject(m).startswith("[Globex] Request registered: DEM-2") for m in messages)
    # dan (GLOBEX) is linked to the product CRM: he hears of GLOBEX's DEM-2 on CRM, never of
    # ACME's DEM-3 on CRM (docs/rules.md, rule 3).
    to_dan = [subject(m) for m in messages if "dan.smith@globex.example" in str(m["To"])]
    assert [s.split(" – ")[0] for s in to_dan] == ["[Globex] Request registered: DEM-2"]
    assert any("DEM-3" in subject(m) for m in messages)
    # Running it again starts afresh.
    ok(tmp_path / "unused.db", "demo", "--dir", str(tmp_path / "demo"))
    assert len(mailbox.Maildir(tmp_path / "demo" / "maildir", create=False)) == 19
    assert not (tmp_path / "unused.db").exists()
