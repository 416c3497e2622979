import json
from pathlib import Path

from tests.helpers import invoke, ok


def test_contract_add_list_and_sources(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME")
    ok(db_path, "client", "add", "GLOBEX")
    ok(db_path, "product", "add", "ERP", "--name", "ERP Suite")
    ok(db_path, "product", "add", "CRM")
    ok(
        db_path,
        "contract",
        "add",
        "K1",
        "--client",
        "ACME",
        "--name",
        "Premium",
        "--product",
        "ERP",
        "--product",
        "CRM",
        "--beneficiary",
        "GLOBEX",
    )
    ok(db_path, "service", "add", "K1", "PREMIUM", "--name", "Premium maintenance")
    rows = json.loads(ok(db_path, "contract", "list", "--json").stdout)
    assert rows == [
        {
            "code": "K1",
            "name": "Premium",
            "client": "ACME",
            "beneficiaries": ["GLOBEX"],
            "products": ["CRM", "ERP"],
            "services": [{"code": "PREMIUM", "name": "Premium maintenance"}],
            "enabled_sources": [],
        }
    ]
    assert ok(db_path, "contract", "enable", "K1", "--source", "site,product").stderr == (
        "contract K1 alerts through: product, site\n"
    )
    assert ok(db_path, "contract", "enable", "K1").stderr == (
        "contract K1 alerts through: product, site, contract, service, client\n"
    )
    assert ok(db_path, "contract", "disable", "K1", "-s", "client").stderr == (
        "contract K1 alerts through: product, site, contract, service\n"
    )
    assert (
        ok(db_path, "contract", "disable", "K1").stderr == "contract K1 alerts through: no source\n"
    )
    services = json.loads(ok(db_path, "service", "list", "K1", "--json").stdout)
    assert services == [{"contract": "K1", "code": "PREMIUM", "name": "Premium maintenance"}]
    assert ok(db_path, "product", "list").stdout.count("ERP Suite") == 1


def test_remove_contract_service_and_product(db_path: Path) -> None:
    ok(db_path, "client", "add", "ACME")
    ok(db_path, "product", "add", "ERP")
    ok(db_path, "contract", "add", "K1", "--client", "ACME", "--product", "ERP")
    ok(db_path, "service", "add", "K1", "S1")
    refused = invoke(db_path, "product", "remove", "ERP", "--yes")
    assert refused.stderr.startswith("error: product 'ERP' is still used by 1 contract product\n")
    refused = invoke(db_path, "contract", "remove", "K1", "--yes")
    assert refused.stderr.startswith("error: contract 'K1' is still used by 1 service\n")
    ok(db_path, "service", "remove", "K1", "S1", "--yes")
    ok(db_path, "contract", "remove", "K1", "--yes")
    ok(db_path, "product", "remove", "ERP", "--yes")
    assert invoke(db_path, "contract", "list").stderr == "no contracts\n"


def test_contract_show_draws_every_source_with_its_interlocutors(sample_db: Path) -> None:
    tree = ok(sample_db, "contract", "show", "K1").stdout
    assert tree.splitlines() == [
        "Contract K1 ACME premium support - client ACME, beneficiaries GLOBEX",
        "├── [x] product",
        "│   └── ERP",
        "│       └── collaborator jdu (Jean Dupont)  email jdu@support.example  alerts: open, "
        "resolution, closure_external, closure_internal, status_change",
        "├── [ ] site",
        "│   ├── ACME/LYON",
        "│   │   └── contact bruno (Bruno Petit)  email bruno@acme.example  alerts: none",
        "│   ├── ACME/PARIS",
        "│   └── GLOBEX/SPRINGFIELD",
        "├── [x] contract",
        "│   └── K1",
        "│       └── contact alice (Alice Martin)  email alice@acme.example, fax +33145000001  "
        "alerts: open, resolution",
        "├── [ ] service",
        "│   └── K1/PREMIUM",
        "└── [ ] client",
        "    ├── ACME",
        "    │   └── contact fanny (Fanny Roux)  email fanny@acme.example  alerts: none  "
        "not on the main site",
        "    └── GLOBEX",
    ]
    doc = json.loads(ok(sample_db, "contract", "show", "K1", "--json").stdout)
    client = next(s for s in doc["sources"] if s["source"] == "client")
    assert client["enabled"] is False
    assert client["targets"][0]["interlocutors"] == [
        {
            "kind": "contact",
            "code": "fanny",
            "name": "Fanny Roux",
            "channels": {"email": "fanny@acme.example"},
            "alerts": [],
            "active": True,
            "on_main_site": False,
        }
    ]


def test_link_and_unlink_at_every_source(sample_db: Path) -> None:
    ok(sample_db, "link", "service", "K1/PREMIUM", "--contact", "alice")
    ok(sample_db, "link", "site", "ACME/PARIS", "-p", "jdu")
    ok(sample_db, "link", "product", "ERP", "--contact", "alice")
    ok(sample_db, "link", "client", "GLOBEX", "--contact", "erin")
    links = json.loads(ok(sample_db, "contact", "show", "alice", "--json").stdout)["links"]
    assert links == [
        {"source": "product", "target": "ERP"},
        {"source": "contract", "target": "K1"},
        {"source": "service", "target": "K1/PREMIUM"},
    ]
    assert ok(sample_db, "unlink", "service", "K1/PREMIUM", "--contact", "alice").stderr == (
        "unlinked contact alice from service K1/PREMIUM\n"
    )
    again = invoke(sample_db, "unlink", "service", "K1/PREMIUM", "--contact", "alice")
    assert again.exit_code == 1
    assert again.stderr == "error: contact 'alice' is not linked to service K1/PREMIUM\n"
    product = json.loads(ok(sample_db, "product", "show", "ERP", "--json").stdout)
    # Collaborators first, then contacts, each by code.
    assert [p["code"] for p in product["interlocutors"]] == ["jdu", "alice"]


def test_status_add_list_remove(db_path: Path) -> None:
    ok(db_path, "status", "add", "REOPENED", "--label", "Réouverte", "--type", "in_progress")
    rows = json.loads(ok(db_path, "status", "list", "--json").stdout)
    reopened = {"code": "REOPENED", "label": "Réouverte", "type": "in_progress", "label_en": None}
    assert reopened in rows
    assert [r["code"] for r in rows][:3] == ["OPEN", "REOPENED", "WIP"]
    ok(db_path, "status", "remove", "REOPENED", "--yes")
    assert len(json.loads(ok(db_path, "status", "list", "--json").stdout)) == 6


def test_site_service_and_status_show(sample_db: Path) -> None:
    site = json.loads(ok(sample_db, "site", "show", "ACME", "LYON", "--json").stdout)
    assert site == {
        "client": "ACME",
        "code": "LYON",
        "name": "Lyon plant",
        "main": False,
        "contacts": ["bruno"],
        "interlocutors": [
            {
                "kind": "contact",
                "code": "bruno",
                "name": "Bruno Petit",
                "channels": {"email": "bruno@acme.example"},
                "alerts": [],
                "active": True,
                "on_main_site": False,
            }
        ],
    }
    ok(sample_db, "link", "service", "K1/PREMIUM", "--collaborator", "jdu")
    service = json.loads(ok(sample_db, "service", "show", "K1", "PREMIUM", "--json").stdout)
    assert [p["code"] for p in service["interlocutors"]] == ["jdu"]
    ok(sample_db, "request", "open", "R1", "--contract", "K1", "--title", "T")
    status = json.loads(ok(sample_db, "status", "show", "OPEN", "--json").stdout)
    assert status == {
        "code": "OPEN",
        "label": "Ouverte",
        "type": "created",
        "label_en": "Open",
        "requests": 1,
    }
    assert "Ouverte" in ok(sample_db, "status", "show", "OPEN").stdout
    assert "bruno" in ok(sample_db, "site", "show", "ACME", "LYON").stdout
    assert invoke(sample_db, "site", "show", "ACME", "NICE").exit_code == 1


def test_update_contract_client_and_product(sample_db: Path) -> None:
    ok(sample_db, "product", "add", "CRM")
    ok(sample_db, "client", "add", "INITECH")
    ok(
        sample_db,
        "contract",
        "update",
        "K1",
        "--name",
        "Premium+",
        "--product",
        "CRM",
        "--product",
        "ERP",
        "--beneficiary",
        "INITECH",
    )
    row = json.loads(ok(sample_db, "contract", "list", "--json").stdout)[0]
    assert (row["name"], row["products"], row["beneficiaries"]) == (
        "Premium+",
        ["CRM", "ERP"],
        ["INITECH"],
    )
    ok(sample_db, "contract", "update", "K1", "--no-beneficiaries", "--no-products")
    row = json.loads(ok(sample_db, "contract", "list", "--json").stdout)[0]
    assert (row["products"], row["beneficiaries"]) == ([], [])
    refused = invoke(sample_db, "contract", "update", "K1", "--beneficiary", "ACME")
    assert refused.stderr == "error: the holder of contract 'K1' cannot also be its beneficiary\n"
    ok(sample_db, "client", "update", "ACME", "--name", "Acme SA", "--language", "en")
    client = json.loads(ok(sample_db, "client", "show", "ACME", "--json").stdout)
    assert (client["name"], client["language"]) == ("Acme SA", "en")
    assert client["alerts"][0]["template"] == "default-open-en"
    ok(sample_db, "product", "update", "ERP", "--name", "ERP Suite 2")
    assert json.loads(ok(sample_db, "product", "show", "ERP", "--json").stdout)["name"] == (
        "ERP Suite 2"
    )
