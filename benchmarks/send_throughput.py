"""`alerts send` against a bare smtplib loop, both delivering to the same local aiosmtpd.

Queues N alerts (default 10,000) in a fresh database, then measures:
- the bare loop: the same prepared messages sent with smtplib over one connection;
- `alertctl alerts send`: claim, build, send and record each outcome, as in production.
The SMTP server runs in its own process.

    python benchmarks/send_throughput.py [--alerts 10000]
"""

import argparse
import os
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alertctl.db.engine import Database
from alertctl.services.setup import init


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
                (f"s/contact:p{i}/email", f"p{i}@example.com", f"[ACME] R{i} - Imprimante", body)
                for i in range(count)
            ),
        )
    connection.close()


def bare_loop(port: int, db_path: Path) -> float:
    """The floor: prepared messages, one connection, no bookkeeping."""
    from email.message import EmailMessage
    from email.policy import SMTP

    connection = sqlite3.connect(db_path)
    rows = connection.execute("SELECT address, subject, text_body FROM alert").fetchall()
    connection.close()
    messages = []
    for address, subject, text in rows:
        message = EmailMessage(policy=SMTP.clone(cte_type="7bit"))
        message["From"], message["To"], message["Subject"] = "s@example.com", address, subject
        message.set_content(text)
        messages.append((address, message.as_bytes()))
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for address, raw in messages:
            client.sendmail("s@example.com", [address], raw)
    return time.perf_counter() - start


def alertctl_send(port: int, db_path: Path, folder: Path) -> float:
    settings = folder / "alertctl.toml"
    settings.write_text(
        '[mail]\nfrom = "s@example.com"\n[transport]\nemail = "smtp"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        "[delivery]\nbatch_size = 200\n"
    )
    from alertctl.config import delivery_settings, load_settings
    from alertctl.services.delivery import send_due

    database = Database(str(db_path))
    start = time.perf_counter()
    report = send_due(database, delivery_settings(load_settings(config=str(settings))))
    elapsed = time.perf_counter() - start
    database.close()
    assert report.counts == {"sent": report.counts["sent"]}, report.counts
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    count = parser.parse_args().alerts
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            db_path = folder / "bench.db"
            queue(db_path, count)
            bare = bare_loop(port, db_path)
            ours = alertctl_send(port, db_path, folder)
    finally:
        sink.terminate()
        sink.wait()
    print(f"bare smtplib loop: {count / bare:,.0f} messages/s ({bare:.2f} s for {count:,})")
    print(f"alertctl alerts send: {count / ours:,.0f} alerts/s ({ours:.2f} s for {count:,})")
    print(f"ratio: {bare / ours:.2f} of the bare loop")


if __name__ == "__main__":
    os.environ.pop("ALERTCTL_SMTP_PASSWORD", None)
    main()
