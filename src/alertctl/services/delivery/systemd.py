"""The watcher's side of systemd's notification protocol (sd_notify): readiness, the watchdog,
a status line, reloading and stopping.

The protocol is one datagram of `KEY=value` lines to the socket named by `$NOTIFY_SOCKET`
(a path, or `@name` in the abstract namespace), written here with the standard library: a
dependency for twenty lines would cost more than it saves. Outside systemd (no
`$NOTIFY_SOCKET`) every call does nothing.
"""

import contextlib
import os
import socket
import time


class Notifier:
    """Talks to systemd when started by it; otherwise says nothing."""

    def __init__(self, address: str | None = None, watchdog_usec: int | None = None) -> None:
        self.address = address
        # The watchdog is pinged at least every half of its interval; a quarter leaves room
        # for a loop that is slow to come round.
        self.ping_every = watchdog_usec / 4_000_000 if watchdog_usec else None
        self._pinged_at = 0.0

    @classmethod
    def from_environment(cls) -> "Notifier":
        address = os.environ.get("NOTIFY_SOCKET") or None
        usec = os.environ.get("WATCHDOG_USEC", "")
        pid = os.environ.get("WATCHDOG_PID", "")
        # A watchdog meant for another process (a wrapper's) is not ours to ping.
        ours = usec.isdigit() and (not pid or pid == str(os.getpid()))
        return cls(address, int(usec) if ours else None)

    def ready(self, status: str) -> None:
        self._send("READY=1", f"STATUS={status}")

    def reloading(self) -> None:
        self._send(
            "RELOADING=1", f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}"
        )

    def status(self, status: str) -> None:
        self._send(f"STATUS={status}")

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def alive(self) -> None:
        """The watchdog's ping, when its time has come (called from the main loop only: a hung
        loop stops pinging, and systemd restarts the service)."""
        if self.ping_every is not None and time.monotonic() - self._pinged_at >= self.ping_every:
            self._send("WATCHDOG=1")
            self._pinged_at = time.monotonic()

    def seconds_to_ping(self) -> float:
        """How long the loop may sleep and still ping in time."""
        if self.ping_every is None:
            return float("inf")
        return max(0.0, self._pinged_at + self.ping_every - time.monotonic())

    def _send(self, *lines: str) -> None:
        if self.address is None:
            return
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        # A lost notification must not stop the delivery of alerts: systemd notices a missing
        # READY or WATCHDOG by itself, and says so in its journal.
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto("\n".join(lines).encode(), target)
