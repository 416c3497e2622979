"""A local SMTP sink for benchmarks: aiosmtpd on 127.0.0.1, counting what it receives.

python benchmarks/smtp_sink.py PORT    (prints "ready" once listening; stops on SIGTERM)
"""

import signal
import sys
import threading
from typing import Any

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 2.0.0 Ok: queued"


def main() -> None:
    controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
