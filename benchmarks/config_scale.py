"""`config apply` at scale, against the same setup made one `alertctl` command per object.

Generates a configuration of 500 clients (two sites each), 10,000 contacts, 50 collaborators,
200 products and 1,000 contracts (a service each), then measures, each in its own process:
- `config apply` on an empty database, and its peak memory;
- `config apply` of the same file again (no change): known from the last apply;
- the same, after other commands wrote to the configuration (a product renamed, then renamed
  back): the whole file read, checked and compared again;
- the one-command-per-object way, timed on a sample of commands and scaled to the whole setup.

    python benchmarks/config_scale.py [--sample 40]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tomli_w

# The `alertctl` entry point as installed, with its peak memory printed at the end.
RUNNER = (
    "import resource, sys\n"
    "from alertctl.cli.app import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    print(f'peak-rss-kib {peak}', file=sys.stderr)\n"
)


Doc = dict[str, dict[str, dict[str, Any]]]


def generate(
    clients: int = 500,
    contacts: int = 10_000,
    contracts: int = 1_000,
    products: int = 200,
    collaborators: int = 50,
) -> Doc:
    doc: Doc = {
        "clients": {},
        "contacts": {},
        "collaborators": {},
        "products": {},
        "contracts": {},
    }
    for c in range(clients):
        doc["clients"][f"C{c}"] = {
            "name": f"Client {c}",
            "sites": {"HQ": {"name": "Head office", "main": True}, "PLANT": {"name": "Plant"}},
            "alerts": {"open": {"keyword": f"[C{c}]"}, "resolution": {"keyword": f"[C{c}]"}},
        }
    for p in range(products):
        doc["products"][f"P{p}"] = {"name": f"Product {p}"}
    for k in range(contracts):
        doc["contracts"][f"K{k}"] = {
            "client": f"C{k % clients}",
            "name": f"Contract {k}",
            "products": [f"P{k % products}"],
            "sources": ["product", "site", "contract", "service", "client"],
            "services": {"MAINT": {"name": "Maintenance"}},
        }
    for i in range(contacts):
        client = i % clients
        contract = (client + clients * (i % 2)) % contracts
        doc["contacts"][f"c{i}"] = {
            "client": f"C{client}",
            "name": f"Contact {i}",
            "sites": ["HQ"],
            "email": f"c{i}@client{client}.example",
            "alerts": ["open", "resolution"],
            "links": sorted([f"contract:K{contract}", f"client:C{client}"]),
        }
    for i in range(collaborators):
        doc["collaborators"][f"s{i}"] = {
            "name": f"Support {i}",
            "email": f"s{i}@support.example",
            "alerts": ["open", "resolution", "closure_external"],
            "links": [f"product:P{j}" for j in range(i, products, collaborators)],
        }
    return doc


def objects(doc: Doc) -> int:
    count = sum(len(items) for items in doc.values())
    count += sum(len(c["sites"]) + len(c["alerts"]) for c in doc["clients"].values())
    count += sum(len(k["services"]) for k in doc["contracts"].values())
    return count


def run(db: Path, *args: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "--db", str(db), *args], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    peak = int(done.stderr.rsplit("peak-rss-kib ", 1)[1].split()[0])
    return elapsed, peak


def commands(doc: Doc) -> dict[str, list[list[str]]]:
    """The one-command-per-object way, grouped by kind of command."""
    groups: dict[str, list[list[str]]] = {
        "client": [],
        "site": [],
        "alert": [],
        "product": [],
        "contract": [],
        "service": [],
        "enable": [],
        "contact": [],
        "opt-in": [],
        "link": [],
    }
    for code, client in doc["clients"].items():
        groups["client"].append(["client", "add", code, "--name", str(client["name"])])
        for site in client["sites"]:
            groups["site"].append(["site", "add", code, site])
        for event, setting in client["alerts"].items():
            groups["alert"].append(
                [
                    "client",
                    "alerts",
                    code,
                    "--event",
                    event,
                    "--enable",
                    "--keyword",
                    setting["keyword"],
                ]
            )
    for code in doc["products"]:
        groups["product"].append(["product", "add", code])
    for code, contract in doc["contracts"].items():
        groups["contract"].append(
            [
                "contract",
                "add",
                code,
                "--client",
                str(contract["client"]),
                "--product",
                contract["products"][0],
            ]
        )
        groups["service"].append(["service", "add", code, "MAINT"])
        groups["enable"].append(["contract", "enable", code])
    for code, contact in doc["contacts"].items():
        groups["contact"].append(
            [
                "contact",
                "add",
                code,
                "--client",
                str(contact["client"]),
                "--site",
                "HQ",
                "--email",
                str(contact["email"]),
            ]
        )
        groups["opt-in"].append(["contact", "alerts", code, "--on", "open,resolution"])
        for link in contact["links"]:
            source, target = link.split(":")
            groups["link"].append(["link", source, target, "--contact", code])
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=10, help="clients in the timed sample")
    options = parser.parse_args()
    doc = generate()
    total = objects(doc)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        setup = folder / "setup.toml"
        setup.write_text(tomli_w.dumps(doc), encoding="utf-8")
        db = folder / "apply.db"
        run(db, "init")
        first, peak = run(db, "config", "apply", str(setup))
        again, _ = run(db, "config", "apply", str(setup))
        run(db, "product", "update", "P0", "--name", "Renamed")
        run(db, "product", "update", "P0", "--name", "Product 0")
        compared, _ = run(db, "config", "apply", str(setup))
        # One command per object, timed on a small setup of the same shape (every command of
        # it, in the order a script runs them), each kind scaled to its count in the whole.
        per_kind = commands(doc)
        small = options.sample
        sample = commands(
            generate(
                clients=small,
                contacts=small * 20,
                contracts=small * 2,
                products=small,
                collaborators=0,
            )
        )
        scripted = folder / "script.db"
        run(scripted, "init")
        estimate = 0.0
        for kind, group in sample.items():
            timings = [run(scripted, *args)[0] for args in group[: small * 3]]
            estimate += statistics.median(timings) * len(per_kind[kind])
    count = sum(len(g) for g in per_kind.values())
    print(
        f"configuration: {total:,} objects ({len(doc['contacts']):,} contacts, "
        f"{len(doc['clients'])} clients, {len(doc['contracts']):,} contracts)"
    )
    print(
        f"config apply on an empty database: {first:.2f} s "
        f"({first / total * 1000:.2f} s per thousand objects), peak memory {peak / 1024:.0f} MiB"
    )
    print(f"config apply again, no change: {again:.2f} s, {again / first:.2f} of the first apply")
    print(
        f"the same after other commands wrote: {compared:.2f} s, "
        f"{compared / first:.2f} of the first apply"
    )
    print(
        f"one command per object: {count:,} commands, about {estimate / 60:.0f} min "
        f"(median of {options.sample} per kind, scaled)"
    )
    print(f"ratio: config apply is {estimate / first:.0f} times faster")


if __name__ == "__main__":
    main()
