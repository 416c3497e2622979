"""`alerts send` against bare loops, over SMTP and into a Maildir, measured side by side.

Queues N alerts (default 5,000) once, then for each round and each destination runs, in turn:
- the bare loop: read the same alerts, build each message with the standard library's
  `EmailMessage` and send it over one smtplib connection (or `mailbox.Maildir.add` it), the
  building inside the timer;
- `alerts send` (the service the command calls): claim, build, send, record each outcome, on a
  fresh copy of the queued database.
The SMTP server (aiosmtpd) runs in its own process. Rounds alternate the two, so that a noisy
neighbour weighs on both; each round's ratio is reported, then the median.

    python benchmarks/send_throughput.py [--alerts 5000] [--rounds 4]
"""

import argparse
import mailbox
import os
import shutil
import smtplib
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.policy import SMTP
from email.utils import formatdate
from pathlib import Path

from alertctl.db.engine import Database
from alertctl.services.operations.setup import init

SENDER = "s@example.com"
Builder = Callable[[str, str, str], bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def queue(db_path: Path, count: int) -> None:
    database = Database(str(db_path))
    init(database)
    database.close()
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "INSERT INTO client (id, code, name, language) VALUES (1, 'C', 'C', 'fr')"
        )
        connection.execute(
            "INSERT INTO person (id, kind, code, client_id, name, email, email_active, fax_active,"
            " active, opt_open, opt_resolution, opt_closure_external, opt_closure_internal,"
            " opt_status_change) VALUES (1, 'contact', 'p', 1, 'P', 'p@example.com', 1, 0, 1,"
            " 1, 1, 1, 1, 1)"
        )
        connection.execute(
            "INSERT INTO request (id, reference, client_id, title, status_id, open_fired,"
            " created_at, updated_at) VALUES (1, 'R1', 1, 'T', 1, 1, '2026-01-01', '2026-01-01')"
        )
        connection.execute(
            "INSERT INTO request_save (id, request_id, save_key, saved_at, status_id, changes,"
            " events, superseded) VALUES (1, 1, 's', '2026-01-01', 1, '{}', 'open', '[]')"
        )
        body = "Bonjour,\n\nVotre demande R1 est résolue.\n" * 5
        connection.executemany(
            "INSERT INTO alert (key, save_id, request_id, event, person_id, channel, address,"
            " sources, subject, text_body, status, created_at, attempts) VALUES"
            " (?, 1, 1, 'resolution', 1, 'email', ?, 'contract', ?, ?, 'pending',"
            " '2026-01-01 00:00:00.000000', 0)",
            (
                (f"s/contact:p{i}/email", f"p{i}@example.com", f"Résolue : R{i} Imprimante", body)
                for i in range(count)
            ),
        )
    connection.close()


def _rows(db_path: Path) -> list[tuple[str, str, str]]:
    connection = sqlite3.connect(db_path)
    rows = connection.execute("SELECT address, subject, text_body FROM alert").fetchall()
    connection.close()
    return rows


def modern(address: str, subject: str, text: str) -> bytes:
    """What the standard library's documentation recommends: `EmailMessage`."""
    message = EmailMessage(policy=SMTP.clone(cte_type="7bit"))
    message["From"], message["To"], message["Subject"] = SENDER, address, subject
    message.set_content(text)
    return message.as_bytes()


def legacy(address: str, subject: str, text: str) -> bytes:
    """The older `email.mime` API, several times quicker to build: the harder floor."""
    message = MIMEText(text, "plain", "utf-8")
    message["From"], message["To"] = SENDER, address
    message["Subject"] = Header(subject, "utf-8", header_name="Subject").encode()
    message["Date"] = formatdate()
    return message.as_bytes()


def bare_smtp(db_path: Path, port: int, build: Builder) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for address, subject, text in _rows(db_path):
            client.sendmail(SENDER, [address], build(address, subject, text))
    return time.perf_counter() - start


def bare_maildir(db_path: Path, folder: Path, build: Builder) -> float:
    start = time.perf_counter()
    box = mailbox.Maildir(folder, create=True)
    for address, subject, text in _rows(db_path):
        box.add(build(address, subject, text))
    return time.perf_counter() - start


def alertctl_send(db_path: Path, settings: Path) -> float:
    from alertctl.config import delivery_settings, load_settings
    from alertctl.services.delivery.sender import send_due

    database = Database(str(db_path))
    start = time.perf_counter()
    report = send_due(database, delivery_settings(load_settings(config=str(settings))))
    elapsed = time.perf_counter() - start
    database.close()
    assert set(report.counts) == {"sent"}, report.counts
    return elapsed


def settings_file(folder: Path, transport: str, port: int) -> Path:
    path = folder / f"{transport}.toml"
    path.write_text(
        f'[mail]\nfrom = "{SENDER}"\n[transport]\nemail = "{transport}"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        f'[maildir]\npath = "{folder / "ours-maildir"}"\n'
        "[delivery]\nbatch_size = 200\n"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    ratios: dict[tuple[str, str], list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            queued = folder / "queued.db"
            queue(queued, args.alerts)
            for round_number in range(1, args.rounds + 1):
                for transport in ("smtp", "maildir"):
                    times = one_round(
                        folder, queued, transport, port, ours_first=round_number % 2 == 0
                    )
                    line = [f"round {round_number} {transport:7}:"]
                    for name, seconds in sorted(times.items()):
                        line.append(f"{name} {args.alerts / seconds:,.0f}/s")
                        if name != "alerts send":
                            ratio = seconds / times["alerts send"]
                            ratios.setdefault((transport, name), []).append(ratio)
                    print("  ".join(line))
    finally:
        sink.terminate()
        sink.wait()
    for (transport, name), values in ratios.items():
        median = statistics.median(values)
        print(
            f"{transport:7} against the {name} loop: throughput {median:.2f} of it, "
            f"cost {1 / median:.2f} times (median of {len(values)})"
        )


def one_round(
    folder: Path, queued: Path, transport: str, port: int, *, ours_first: bool
) -> dict[str, float]:
    """The three contenders one after the other, each on the same alerts; which goes first
    changes from round to round (a disk's cache and write-back favour whoever comes first)."""
    times: dict[str, float] = {}

    def ours() -> None:
        copy = folder / "round.db"
        shutil.copyfile(queued, copy)
        times["alerts send"] = alertctl_send(copy, settings_file(folder, transport, port))
        shutil.rmtree(folder / "ours-maildir", ignore_errors=True)

    if ours_first:
        ours()
    for name, build in (("legacy-API bare", legacy), ("EmailMessage bare", modern)):
        if transport == "smtp":
            times[name] = bare_smtp(queued, port, build)
        else:
            times[name] = bare_maildir(queued, folder / "bare-maildir", build)
            shutil.rmtree(folder / "bare-maildir")
    if not ours_first:
        ours()
    return times


if __name__ == "__main__":
    os.environ.pop("ALERTCTL_SMTP_PASSWORD", None)
    main()
