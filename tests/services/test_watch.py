"""`alerts send --watch` as a service: run as a subprocess against a real SMTP server.

Nothing here measures speed: each test waits (with a generous limit) for what it expects to
happen, and races are arranged with the server's hold."""

import json
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from tests.helpers import invoke, ok, open_args
from tests.services.test_delivery import queue as queue_alerts
from tests.services.test_delivery import settings_file, statuses
from tests.smtp_server import Handler, Hold, free_port, smtp_server

PATIENCE = 120.0  # seconds: only a hung watcher takes this long


class Watcher:
    """A watcher subprocess whose stderr lines are collected as they come."""

    def __init__(self, db: Path | str, *extra: str) -> None:
        command = [sys.executable, "-m", "alertctl", "--db", str(db), "alerts", "send"]
        self.process = subprocess.Popen(
            [*command, "--watch", "--poll", "0.1", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(self.process.stderr,))
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def expect(self, predicate: Callable[[str], bool]) -> str:
        """The next log line that matches, waiting for it."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "the watcher exited:\n" + "".join(self.seen)
                continue
            self.seen.append(line)
            if predicate(line):
                return line
        raise AssertionError("expected line never came:\n" + "".join(self.seen))

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=PATIENCE)
        self._reader.join()
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


@contextmanager
def watching(db: Path, *extra: str) -> Iterator[Watcher]:
    watcher = Watcher(db, *extra)
    try:
        yield watcher
    finally:
        if watcher.process.poll() is None:
            watcher.process.kill()
            watcher.process.wait()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def open_request(db: Path, reference: str) -> None:
    ok(db, *open_args(reference, product=None))


def test_delivers_what_was_queued_then_each_new_save_and_stops_on_sigterm(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, "a@acme.example", "b@acme.example")
    with watching(sample_db) as watcher:
        watcher.expect(lambda line: " batch: 2 claimed, 2 sent" in line)
        open_request(sample_db, "R2")
        watcher.expect(lambda line: " batch: 2 claimed, 2 sent" in line)
        wait_for(lambda: len(handler.received) == 4, "the new save's alerts")
        assert watcher.stop() == 0
    assert statuses(sample_db) == {"sent": 4}
    assert watcher.seen[0].split(" ", 1)[1].startswith("start: watching ")
    assert watcher.seen[-1].split(" ", 1)[1] == "stop: stopped after 2 batch(es)\n"


def test_sigterm_finishes_the_message_in_flight_and_hands_back_the_rest(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, *(f"c{i}@acme.example" for i in range(6)))
    hold = Hold(countdown=2, store_first=True)
    handler.hold = hold
    with watching(sample_db) as watcher:
        assert hold.arrived.wait(PATIENCE)
        watcher.process.send_signal(signal.SIGTERM)
        # The signal has landed once the watcher writes nothing more; the hold then answers.
        handler.hold = None
        hold.released.set()
        assert watcher.stop() == 0, "".join(watcher.seen)
    with sqlite3.connect(sample_db) as connection:
        rows = connection.execute("SELECT status, attempts FROM alert ORDER BY id").fetchall()
    # The first was sent, the second (held) answered 451 and waits for a retry; the four the
    # watcher claimed but never tried are due again, untouched.
    assert rows[0] == ("sent", 1)
    assert rows[1] == ("retry", 1)
    assert rows[2:] == [("pending", 0)] * 4


def test_a_poison_alert_fails_alone_and_the_watcher_carries_on(
    sample_db: Path, smtp: tuple[Handler, int]
) -> None:
    _handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, "a@acme.example", "jürgen@acme.example", "b@acme.example")
    with watching(sample_db) as watcher:
        watcher.expect(lambda line: "3 claimed, 2 sent, 0 retry, 1 dead" in line)
        open_request(sample_db, "R2")
        watcher.expect(lambda line: "3 claimed, 2 sent, 0 retry, 1 dead" in line)
        assert watcher.stop() == 0
    assert statuses(sample_db) == {"sent": 4, "dead": 2}


def test_a_server_down_then_back_is_waited_out(sample_db: Path) -> None:
    port = free_port()
    settings_file(port)
    settings = Path("alertctl.toml")
    settings.write_text(
        settings.read_text()
        .replace("backoff_base = 0.001", "backoff_base = 0.5")
        .replace("backoff_cap = 0.001", "backoff_cap = 0.5")
    )
    queue_alerts(sample_db, *(f"c{i}@acme.example" for i in range(3)))
    with watching(sample_db, "--log-format", "json") as watcher:
        down = json.loads(watcher.expect(lambda line: "cannot connect" in line))
        assert down["kind"] == "batch" and down["retry"] == 3 and down["released"] == 2
        with smtp_server(port=port) as (handler, _):
            sent = watcher.expect(lambda line: json.loads(line).get("sent", 0) > 0)
            assert json.loads(sent)["kind"] == "batch"
            wait_for(lambda: len(handler.received) == 3, "the three alerts, once it is back")
            assert watcher.stop(signal.SIGINT) == 0
    assert statuses(sample_db) == {"sent": 3}
    kinds = [json.loads(line)["kind"] for line in watcher.seen]
    assert kinds[0] == "start" and kinds[-1] == "stop"


def test_a_locked_database_is_waited_out_in_process(
    sample_db: Path, smtp: tuple[Handler, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database locked longer than the busy timeout is a fault the watcher logs and waits
    out; it never exits on it."""
    from alertctl.config import delivery_settings, load_settings
    from alertctl.db import engine
    from alertctl.db.engine import Database
    from alertctl.services.delivery.watch import LogKind, LogLine, watch

    handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, "a@acme.example")
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 50)
    db = Database(str(sample_db))
    stop = threading.Event()
    log: list[LogLine] = []
    settings = delivery_settings(load_settings(db=str(sample_db)))
    locker = sqlite3.connect(sample_db, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    thread = threading.Thread(
        target=lambda: watch(db, settings, stop=stop, log=log.append, poll_seconds=0.05)
    )
    thread.start()
    try:
        wait_for(lambda: any(line.kind is LogKind.FAULT for line in log), "a logged fault")
        assert handler.received == []
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    wait_for(lambda: len(handler.received) == 1, "the alert, once the lock is gone")
    assert thread.is_alive()
    stop.set()
    thread.join(PATIENCE)
    db.close()
    fault = next(line for line in log if line.kind is LogKind.FAULT)
    assert fault.message == "database is locked"
    assert fault.pause_seconds == 1.0
    assert log[-1].kind is LogKind.STOP
    assert statuses(sample_db) == {"sent": 1}


def test_a_connection_closed_by_the_server_while_idle_costs_no_retry(sample_db: Path) -> None:
    """Servers close idle connections; the first alert after a quiet spell still leaves at
    once, on a new connection, with no attempt spent and no retry."""
    with smtp_server(idle_timeout=0.3) as (handler, port):
        settings_file(port)
        queue_alerts(sample_db, "a@acme.example")
        with watching(sample_db) as watcher:
            watcher.expect(lambda line: " batch: 1 claimed, 1 sent, 0 retry" in line)
            wait_for(handler.all_closed, "the server closing the idle connection")
            open_request(sample_db, "R2")
            watcher.expect(lambda line: " batch: 1 claimed, 1 sent, 0 retry" in line)
            assert watcher.stop() == 0
        assert handler.greetings == 2
    assert not [line for line in watcher.seen if " retry: " in line]
    with sqlite3.connect(sample_db) as connection:
        assert connection.execute("SELECT status, attempts FROM alert").fetchall() == [
            ("sent", 1),
            ("sent", 1),
        ]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_retry_and_dead_letter_is_logged_with_its_reason(
    sample_db: Path, smtp: tuple[Handler, int], log_format: str
) -> None:
    _handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, "t451@acme.example", "p550@acme.example")
    with watching(sample_db, "--log-format", log_format) as watcher:
        retry = watcher.expect(lambda line: "retry" in line and "451" in line)
        dead = watcher.expect(lambda line: "dead" in line and "550" in line)
        assert watcher.stop() == 0
    if log_format == "text":
        assert retry.split(" ", 1)[1] == (
            "retry: alert 1 (email, attempt 1): 451 4.3.0 Local error in processing\n"
        )
        assert dead.split(" ", 1)[1] == "dead: alert 2 (email, attempt 1): 550 5.1.1 No such user\n"
    else:
        line = json.loads(retry)
        assert {k: line[k] for k in ("kind", "alert", "channel", "attempt", "message")} == {
            "kind": "retry",
            "alert": 1,
            "channel": "email",
            "attempt": 1,
            "message": "451 4.3.0 Local error in processing",
        }
        assert json.loads(dead)["kind"] == "dead"


def test_a_server_whose_greeting_never_ends_is_given_up_and_sigterm_stops_the_watcher(
    sample_db: Path,
) -> None:
    from tests.smtp_server import endless_greeting_server

    with endless_greeting_server() as port:
        settings_file(port)
        queue_alerts(sample_db, "a@acme.example", "b@acme.example")
        with watching(sample_db) as watcher:
            line = watcher.expect(lambda line: "no complete answer within 1 s" in line)
            assert " batch: 2 claimed, 0 sent, 2 retry" in line
            assert watcher.stop() == 0
    assert statuses(sample_db) == {"retry": 2}


def test_a_database_file_replaced_under_the_watcher_is_opened_again(
    sample_db: Path, smtp: tuple[Handler, int], tmp_path: Path
) -> None:
    """A database restored by `mv` over the one being watched: the watcher says so, opens the
    new file, and delivers what it holds; removed for good, the watcher exits non-zero."""
    handler, port = smtp
    settings_file(port)
    backup = tmp_path / "backup.db"
    backup.write_bytes(sample_db.read_bytes())  # the sample with nothing queued
    queue_alerts(backup, "a@acme.example", "b@acme.example", "c@acme.example")
    open_request(sample_db, "R0")  # alerts, so that the watcher works on the first file
    with watching(sample_db) as watcher:
        first = watcher.expect(lambda line: " batch: " in line)
        assert " 0 retry" in first
        backup.replace(sample_db)
        for leftover in sample_db.parent.glob(sample_db.name + "-*"):
            leftover.unlink()
        watcher.expect(lambda line: "was replaced or removed: opening it again" in line)
        watcher.expect(lambda line: " batch: 3 claimed, 3 sent" in line)
        assert [m.rcpt_tos for m in handler.received[-3:]] == [
            ["a@acme.example"],
            ["b@acme.example"],
            ["c@acme.example"],
        ]
        sample_db.unlink()
        watcher.expect(lambda line: "was replaced or removed" in line)
        code = watcher.process.wait(timeout=PATIENCE)
    assert code == 1
    assert not sample_db.exists(), "a database gone must not be created again, empty"


def test_erase_beside_a_running_watcher_leaves_no_byte_of_the_person(
    sample_db: Path, smtp: tuple[Handler, int], tmp_path: Path
) -> None:
    """Alerts delivered, and delivering, by a watcher; people erased meanwhile: none of their
    addresses or names (subjects included) is left in the database file or beside it."""
    from tests.cli.test_privacy import database_files

    handler, port = smtp
    settings_file(port)
    (tmp_path / "t.txt").write_text("Hello {{ recipient.name }}\n")
    ok(sample_db, "template", "add", "named", "--subject", "For {{ recipient.name }}",
       "--text", str(tmp_path / "t.txt"))  # fmt: skip
    ok(sample_db, "client", "alerts", "ACME", "-e", "open", "--enable", "--keyword", "[A]",
       "--template", "named")  # fmt: skip
    ok(sample_db, "contract", "enable", "K1", "--source", "contract")
    people = [(f"z{i}", f"Zed Person {i:03d}", f"zed{i:03d}@acme.example") for i in range(8)]
    for code, name, address in people:
        ok(sample_db, "contact", "add", code, "--client", "ACME", "--name", name,
           "--email", address)  # fmt: skip
        ok(sample_db, "contact", "alerts", code, "--on", "open")
        ok(sample_db, "link", "contract", "K1", "--contact", code)
    with watching(sample_db) as watcher:
        for i in range(4):
            open_request(sample_db, f"R{i}")
        wait_for(lambda: len(handler.received) >= 8 * 4, "the first requests' alerts")
        open_request(sample_db, "R8")  # being delivered while people are erased
        erased = people[:4]
        warned: list[str] = []
        for code, _, _ in erased:

            def erase(code: str = code) -> bool:
                # Refused while one of their alerts is being sent: tried again until done.
                result = invoke(sample_db, "contact", "erase", code, "--yes")
                if "remain in the database's unused space" in result.stderr:
                    warned.append(code)
                return result.exit_code == 0

            wait_for(erase, f"{code} erased")
        # Where rows moved as the watcher wrote is a matter of timing: an erase either leaves
        # nothing, or says what is left, and the command it names clears it.
        files = database_files(sample_db)
        for code, name, address in erased:
            if code not in warned:
                assert address.encode() not in files and name.encode() not in files, name
        if warned:
            assert "no old copy is left" in ok(sample_db, "db", "vacuum").stderr
            files = database_files(sample_db)
            for _, name, address in erased:
                assert address.encode() not in files and name.encode() not in files, name
        open_request(sample_db, "R9")
        wait_for(lambda: statuses(sample_db).get("pending", 0) == 0, "everything delivered")
        assert watcher.stop() == 0
    files = database_files(sample_db)
    for _, name, address in erased:
        assert address.encode() not in files and name.encode() not in files, name
    # The others are still there, and were told.
    assert people[5][2].encode() in files


def test_a_server_down_is_waited_out_with_a_growing_pause_not_a_flood_of_lines(
    sample_db: Path,
) -> None:
    """However short the alerts' backoff, a server that cannot be reached is tried again after
    1, 2, 4… seconds (at most a minute), with one fault line each."""
    settings_file(free_port())  # nothing listens there; backoff_base = 0.001
    queue_alerts(sample_db, *(f"c{i}@acme.example" for i in range(3)))
    with watching(sample_db, "--log-format", "json") as watcher:
        pauses = [
            json.loads(watcher.expect(lambda line: '"kind": "fault"' in line))["pause_seconds"]
            for _ in range(3)
        ]
        assert watcher.stop() == 0
    assert pauses == [1.0, 2.0, 4.0]
    batches = [line for line in watcher.seen if '"kind": "batch"' in line]
    assert len(batches) <= 4, "one batch per pause, not one per alert backoff"
