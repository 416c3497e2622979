"""Mail that behaves like a good citizen: one thread per request and person in every mail client,
a list per client, and nothing for an auto-responder to answer (docs/rules.md, "After the
decision: delivery")."""

import json
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

from tests.helpers import ok

SAMPLE = Path(__file__).resolve().parents[2] / "sample-data"


def _delivered(folder: Path) -> dict[str, Message]:
    found: dict[str, Message] = {}
    for path in (folder / "new").iterdir():
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found[str(message["Message-ID"])] = message
    return found


def test_each_request_is_one_thread_per_person_and_each_client_a_list(db_path: Path) -> None:
    ok(db_path, "batch", str(SAMPLE / "setup.batch"))
    ok(db_path, "request", "ingest", str(SAMPLE / "saves.jsonl"))
    ok(db_path, "alerts", "send")  # into ./outbox, the default maildir
    alerts = json.loads(ok(db_path, "alerts", "list", "--status", "sent", "--json").stdout)
    mails = _delivered(Path("outbox"))
    threads: dict[tuple[str, str, str], list[str]] = {}
    for alert in sorted(alerts, key=lambda a: a["id"]):
        shown = json.loads(ok(db_path, "alerts", "show", str(alert["id"]), "--json").stdout)
        key = (alert["request"], alert["kind"] + " " + alert["code"], alert["channel"])
        threads.setdefault(key, []).append(shown["message_id"])
    answered = 0
    for (request, _, _), ids in threads.items():
        first = mails[ids[0]]
        assert first["In-Reply-To"] is None and first["References"] is None
        for later in ids[1:]:
            assert mails[later]["In-Reply-To"] == mails[later]["References"] == ids[0]
            answered += 1
        client = "globex" if request == "DEM-2" else "acme"
        assert {str(mails[i]["List-Id"]) for i in ids} == {f"<{client}.localhost>"}
    assert answered >= 4  # DEM-1's resolution and closure answer its opening, for each reader
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mails.values())
    # Another person's thread is their own: the first alerts of a request differ per reader.
    firsts = [ids[0] for (request, _, _), ids in threads.items() if request == "DEM-1"]
    assert len(set(firsts)) == len(firsts) > 1
