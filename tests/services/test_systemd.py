"""The watcher under systemd: readiness, the watchdog, its status, SIGHUP and stopping, spoken
to a real datagram socket as systemd's would be, by a real watcher process."""

import os
import secrets
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.services.delivery.systemd import Notifier
from tests.services.test_delivery import queue as queue_alerts
from tests.services.test_delivery import settings_file, statuses
from tests.services.test_watch import PATIENCE, open_request, wait_for, watching
from tests.smtp_server import Handler


class NotifySocket:
    """What systemd listens on: every datagram received, in order."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        bound = "\0" + address[1:] if address.startswith("@") else address
        self.socket.bind(bound)
        self.socket.settimeout(0.5)
        self.received: list[str] = []

    def next_with(self, field: str) -> str:
        """The next datagram holding `field` (READY=1, WATCHDOG=1...), waiting for it."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                datagram = self.socket.recv(4096).decode()
            except TimeoutError:
                continue
            self.received.append(datagram)
            if field in datagram.splitlines():
                return datagram
        raise AssertionError(f"{field} never came; got {self.received}")

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def notify_socket(monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifySocket]:
    # In the abstract namespace: no path to outgrow a socket address's 108 bytes.
    listener = NotifySocket(f"@alertctl-test-{secrets.token_hex(8)}")
    monkeypatch.setenv("NOTIFY_SOCKET", listener.address)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")  # pinged at least every second
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    try:
        yield listener
    finally:
        listener.close()


def test_a_notifier_speaks_to_a_path_socket_and_stays_quiet_outside_systemd() -> None:
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        listener = NotifySocket(str(Path(folder) / "notify"))
        Notifier(listener.address, watchdog_usec=1_000_000).ready("watching x")
        assert listener.next_with("READY=1") == "READY=1\nSTATUS=watching x"
        listener.close()
    quiet = Notifier(None, None)
    quiet.ready("nobody listens")  # nothing to send to, nothing raised
    assert quiet.seconds_to_ping() == float("inf")


def test_a_watchdog_meant_for_another_process_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", "@x")
    monkeypatch.setenv("WATCHDOG_USEC", "1000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert Notifier.from_environment().ping_every is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert Notifier.from_environment().ping_every == 0.25


def test_the_watcher_is_ready_once_open_pings_the_watchdog_and_says_it_stops(
    sample_db: Path, smtp: tuple[Handler, int], notify_socket: NotifySocket
) -> None:
    handler, port = smtp
    settings_file(port)
    queue_alerts(sample_db, "a@acme.example")
    with watching(sample_db) as watcher:
        ready = notify_socket.next_with("READY=1")
        assert f"STATUS=watching {sample_db}" in ready.splitlines()
        # The log said it started before systemd was told: the database was open by then.
        watcher.expect(lambda line: " start: watching " in line)
        for _ in range(4):  # idle, it keeps pinging
            notify_socket.next_with("WATCHDOG=1")
        figures = [d for d in notify_socket.received if d.startswith("STATUS=") and "pending" in d]
        assert figures, notify_socket.received
        assert watcher.stop() == 0
    notify_socket.next_with("STOPPING=1")
    wait_for(lambda: statuses(sample_db) == {"sent": 1}, "the alert sent")
    assert handler.received


def test_a_watcher_that_cannot_open_its_database_is_never_ready(
    tmp_path: Path, notify_socket: NotifySocket
) -> None:
    with watching(tmp_path / "missing.db") as watcher:
        code = watcher.process.wait(timeout=PATIENCE)
    assert code != 0
    notify_socket.socket.settimeout(0.2)
    with pytest.raises(TimeoutError):
        while True:
            datagram = notify_socket.socket.recv(4096).decode()
            assert "READY=1" not in datagram.splitlines()


def test_sighup_reads_the_settings_again_and_keeps_the_old_ones_when_broken(
    sample_db: Path, smtp: tuple[Handler, int], notify_socket: NotifySocket
) -> None:
    handler, port = smtp
    settings_file(port, batch_size=1)
    with watching(sample_db) as watcher:
        notify_socket.next_with("READY=1")
        Path("alertctl.toml").write_text(Path("alertctl.toml").read_text() + "[nonsense]\n")
        watcher.process.send_signal(signal.SIGHUP)
        line = watcher.expect(lambda line: "settings not read again" in line)
        assert "nonsense" in line
        notify_socket.next_with("RELOADING=1")
        notify_socket.next_with("READY=1")
        settings_file(port)
        watcher.process.send_signal(signal.SIGHUP)
        watcher.expect(lambda line: " reload: settings read again" in line)
        # Still delivering, with the settings read again.
        queue_alerts(sample_db, "b@acme.example")
        open_request(sample_db, "H2")
        wait_for(lambda: statuses(sample_db).keys() == {"sent"}, "the alerts sent")
        assert watcher.stop() == 0
    assert handler.received
