"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 at a free port, with faults chosen by
the recipient's local part (t421@..., p550@..., drop@..., slow@...), and a hold that stops one
message in the middle of DATA until the test says so, for tests that need a race to happen."""

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

FAULT_REPLIES = {
    "t421": "421 4.3.2 Service not available, closing channel",
    "t451": "451 4.3.0 Local error in processing",
    "t452": "452 4.2.2 Mailbox full",
    "p550": "550 5.1.1 No such user",
    "p553": "553 5.1.8 Mailbox name not allowed",
    "p554": "554 5.7.1 Transaction failed",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Hold:
    """Stops the `countdown`-th message to reach DATA: the server stores it first when
    `store_first` (so the sender waits for a reply to a message already taken), sets `arrived`,
    then waits for `released` and answers with a temporary failure."""

    countdown: int = 1
    store_first: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def take(self) -> bool:
        self.countdown -= 1
        return self.countdown == 0


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # slow@... waits this long before answering, or until `released` is set (at the latest
    # when the server stops), so a client's timeout always fires first.
    slow_seconds: float = 60.0
    delay_seconds: float = 0.0  # for every message, before it is stored
    hold: Hold | None = None
    released: threading.Event = field(default_factory=threading.Event)
    # DATA waits until this many distinct connections have reached it (0: no wait).
    meet: int = 0
    logins: set[int] = field(default_factory=set)  # the connections that tried to log in
    greetings: int = 0  # EHLO or HELO: one per connection a client opened
    sessions: list[Any] = field(default_factory=list)  # the server side of each connection
    _met: set[int] = field(default_factory=set)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        self.sessions.append(server)
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        local = address.split("@")[0]
        if local in FAULT_REPLIES:
            return FAULT_REPLIES[local]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        local = envelope.rcpt_tos[0].split("@")[0]
        if local == "drop":
            # The whole message came in, but the connection goes before any reply.
            server.transport.close()
            return "421 closing"
        if local == "slow":
            await _wait(self.released, self.slow_seconds)
        if self.meet:
            self._met.add(id(session))
            while len(self._met) < self.meet and not self.released.is_set():
                await asyncio.sleep(0.005)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        hold = self.hold
        if hold is not None and hold.take():
            if hold.store_first:
                self._store(envelope)
            hold.arrived.set()
            await _wait(hold.released, 600)
            return "451 4.3.0 held by the test"
        self._store(envelope)
        return "250 2.0.0 Ok: queued"

    def all_closed(self) -> bool:
        """Whether the server has closed every connection it greeted."""
        return all(s.transport is None or s.transport.is_closing() for s in self.sessions)

    def _store(self, envelope: Any) -> None:
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content or envelope.content,
                )
            )


async def _wait(event: threading.Event, at_most: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + at_most
    while not event.is_set() and loop.time() < deadline:
        await asyncio.sleep(0.005)


@contextmanager
def smtp_server(
    *,
    smtputf8: bool = False,
    refuse_login: bool = False,
    port: int | None = None,
    idle_timeout: float = 300,
) -> Iterator[tuple[Handler, int]]:
    """The server; with `refuse_login`, it asks for a login and refuses every one, noting
    in `handler.logins` each connection that tried. A connection idle for `idle_timeout`
    seconds is closed by the server, as real ones do."""
    handler = Handler()
    port = port or free_port()
    extra: dict[str, Any] = {}
    if refuse_login:

        def authenticator(_server: Any, session: Any, *_args: Any) -> Any:
            from aiosmtpd.smtp import AuthResult

            handler.logins.add(id(session))
            return AuthResult(success=False, handled=False)

        extra = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        enable_SMTPUTF8=smtputf8,
        timeout=idle_timeout,
        **extra,
    )
    controller.start()
    try:
        yield handler, port
    finally:
        handler.released.set()
        if handler.hold is not None:
            handler.hold.released.set()
        controller.stop()


@contextmanager
def _serving(on_accept: Callable[[socket.socket], None]) -> Iterator[int]:
    """A listener on 127.0.0.1 at a free port, handing each connection to `on_accept`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                on_accept(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        listener.close()


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word: a server that never answers."""
    accepted: list[socket.socket] = []
    try:
        with _serving(accepted.append) as port:
            yield port
    finally:
        for connection in accepted:
            connection.close()


@contextmanager
def endless_greeting_server() -> Iterator[int]:
    """Greets every connection with continuation lines (`220-...`) that never end: each line
    comes at once, so no read ever times out, and the greeting is never over."""
    done = threading.Event()

    def talk(connection: socket.socket) -> None:
        with connection:
            while not done.is_set():
                try:
                    connection.sendall(b"220-still greeting you\r\n")
                except OSError:
                    return
                done.wait(0.01)

    def greet(connection: socket.socket) -> None:
        threading.Thread(target=talk, args=(connection,), daemon=True).start()

    try:
        with _serving(greet) as port:
            yield port
    finally:
        done.set()
