import mailbox
from pathlib import Path

from tests.helpers import ok


def test_demo_walks_a_request_and_delivers_into_a_maildir(tmp_path: Path) -> None:
    result = ok(tmp_path / "unused.db", "demo", "--dir", str(tmp_path / "demo"))
    box = mailbox.Maildir(tmp_path / "demo" / "maildir", create=False)
    messages = list(box)
    assert len(messages) == 14
    assert "Who received what" in result.stdout
    assert result.stdout.count(" sent ") == 14
    assert f"14 message(s) in {tmp_path / 'demo' / 'maildir'}" in result.stderr
    subjects = {str(m["Subject"]) for m in messages}
    assert all("DEM-1" in s for s in subjects)
    closure = [
        m
        for m in messages
        if "closure_external" in str(m["X-Alertctl-Key"])
        or m.get_content_type() == "multipart/alternative"
    ]
    assert closure, "the client's closure mails are HTML with a text version"
    # Running it again starts afresh.
    ok(tmp_path / "unused.db", "demo", "--dir", str(tmp_path / "demo"))
    assert len(mailbox.Maildir(tmp_path / "demo" / "maildir", create=False)) == 14
    assert not (tmp_path / "unused.db").exists()
