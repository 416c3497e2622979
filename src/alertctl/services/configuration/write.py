"""Carrying a configuration plan out on one session: every table loaded once, rows changed in
place, new ones added in bulk, link tables rewritten set by set; each kind of object written by
its own writer, named in one table."""

from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

from sqlalchemy import Table, delete, insert
from sqlmodel import Session, col, select

from alertctl.db.row import Row
from alertctl.db.tables import (
    Calendar,
    Client,
    ClientAlertSetting,
    Contract,
    Person,
    Product,
    Service,
    Site,
    Status,
    Template,
    contact_site,
    contract_beneficiary,
    contract_product,
    interlocutor_tables,
)
from alertctl.domain.model import Event, PersonKind, Source, StatusType
from alertctl.domain.wording import counted
from alertctl.errors import Conflict
from alertctl.services.common import case_twins, ident, opt_in_column, refuse_if_referenced
from alertctl.services.configuration import template_use
from alertctl.services.configuration.document import ContractEntry, Document
from alertctl.services.configuration.noise_terms import (
    person_noise_columns,
    write_client_noise,
    write_noise,
)
from alertctl.services.configuration.plan import KINDS, Change, Kind, Plan
from alertctl.services.configuration.sla_terms import (
    write_calendar,
    write_contract_terms,
    write_service_terms,
)
from alertctl.services.holds.rules import defaults
from alertctl.services.results import Columns
from alertctl.services.sla.index import recheck_contracts

K = TypeVar("K")
R = TypeVar("R", bound=Row)


class _Stored(Protocol):
    """A row of the configuration, as removals and links need it."""

    @property
    def id(self) -> int | None: ...


class Applier:
    """Carries a plan out on one session: loads every table once, then changes rows in place,
    adds new ones in bulk, and rewrites link tables set by set."""

    def __init__(self, session: Session, desired: Document) -> None:
        self.session = session
        self.desired = desired
        self.statuses = {r.code: r for r in session.exec(select(Status)).all()}
        self.templates = {r.name: r for r in session.exec(select(Template)).all()}
        self.clients = {r.code: r for r in session.exec(select(Client)).all()}
        self.products = {r.code: r for r in session.exec(select(Product)).all()}
        self.contracts = {r.code: r for r in session.exec(select(Contract)).all()}
        self.calendars = {r.name: r for r in session.exec(select(Calendar)).all()}
        ids = {c.id: code for code, c in self.clients.items()}
        self.sites = {f"{ids[s.client_id]}/{s.code}": s for s in session.exec(select(Site)).all()}
        contract_ids = {c.id: code for code, c in self.contracts.items()}
        self.services = {
            f"{contract_ids[s.contract_id]}/{s.code}": s
            for s in session.exec(select(Service)).all()
        }
        self.people = {(p.kind, p.code): p for p in session.exec(select(Person)).all()}
        self.noise = defaults(session)
        self.new_people: list[Columns] = []
        self.after_flush: list[Callable[[], None]] = []
        self.rows_to_insert: dict[Table, list[Columns]] = {}
        self.settings = {
            f"{ids[s.client_id]}/{s.event}": s
            for s in session.exec(select(ClientAlertSetting)).all()
        }
        self.writers: dict[Kind, Callable[[str, bool], None]] = {
            Kind.STATUS: self._write_status,
            Kind.TEMPLATE: self._write_template,
            Kind.CLIENT: self._write_client,
            Kind.SITE: self._write_site,
            Kind.PRODUCT: self._write_product,
            Kind.CALENDAR: self._write_calendar,
            Kind.CONTRACT: self._write_contract,
            Kind.SERVICE: self._write_service,
            Kind.CONTACT: self._write_contact,
            Kind.COLLABORATOR: self._write_collaborator,
            Kind.ALERT: self._write_alert,
            Kind.NOISE: lambda _key, _new: write_noise(self.noise, self.desired["noise"]),
        }

    def run(self, plan: Plan) -> None:
        """Adds and changes first, in the order of KINDS, then removals in the reverse order:
        by then nothing the file keeps still points at what it removes."""
        writes = [c for c in plan.changes if c.op != "-"]
        removals = [c for c in plan.changes if c.op == "-"]
        people = [c for c in writes if c.kind in ("contact", "collaborator")]
        self._unlink(
            [
                self.people[(c.kind, c.key)].id
                for c in people
                if c.op == "~" and {"sites", "links", "client"} & set(c.fields)
            ]
        )
        # A main site moves in two steps, or two sites would be main at once.
        for change in plan.changes:
            losing = change.op == "-" or change.fields.get("main") == (True, False)
            if change.kind == "site" and change.op != "+" and losing:
                self.sites[change.key].is_main = False
        self.session.flush()
        for kind in KINDS:
            for change in (c for c in writes if c.kind == kind):
                self.writers[Kind(kind)](change.key, change.op == "+")
            self._insert_people()
            self.session.flush()
            self._run_after_flush()
        self._write_person_links(people)
        self._recheck_clocks(writes)
        blocked: list[str] = []
        for change in sorted(removals, key=lambda c: -KINDS.index(c.kind)):
            try:
                with self.session.begin_nested():
                    self._remove(change)
            except Conflict as exc:
                # Every removal is tried, so that all that block are named at once.
                blocked.append(exc.message)
        if len(blocked) == 1:
            raise Conflict(blocked[0], hint="remove or unlink those first, or keep it in the file")
        if blocked:
            raise Conflict(
                f"{counted(len(blocked), 'removal')} blocked; nothing was applied",
                hint="remove or unlink what uses them first, or keep them in the file",
                details=blocked,
            )
        self.session.flush()
        # Nothing the file leaves switched on may be left without a working template.
        template_use.ensure_working(self.session)
        if not any(row.type == StatusType.CREATED.value for row in self.statuses.values()):
            raise Conflict(
                "the file leaves no status of type created, which new requests take",
                hint="keep one in [statuses]",
            )
        twins = case_twins(self.session)
        if twins:
            raise Conflict("codes may not differ only by case", details=twins)

    def _recheck_clocks(self, writes: list[Change]) -> None:
        """The clocks of the contracts whose SLA terms, services or calendar changed are read
        again at the next check."""
        calendars = {c.key for c in writes if c.kind == "calendar"}
        codes = {c.key.split("/")[0] for c in writes if c.kind in ("contract", "service")}
        codes |= {code for code, row in self.contracts.items() if row.calendar in calendars}
        recheck_contracts(self.session, [ident(self.contracts[c].id) for c in codes])

    # Writes, one kind each -----------------------------------------------------------------

    def _write_status(self, code: str, new: bool) -> None:
        values = self.desired["statuses"][code]
        row = self.statuses.get(code) or Status(code=code, label="", type="")
        row.label, row.type = values["label"], values["type"]
        row.label_en = values["label_en"]
        self._keep(self.statuses, code, row)

    def _write_template(self, name: str, new: bool) -> None:
        values = self.desired["templates"][name]
        row = self.templates.get(name) or Template(name=name, language="", subject="", text="")
        row.language, row.subject, row.text, row.html = (
            values["language"],
            values["subject"],
            values["text"],
            values["html"],
        )
        self._keep(self.templates, name, row)

    def _write_client(self, code: str, new: bool) -> None:
        values = self.desired["clients"][code]
        row = self.clients.get(code) or Client(code=code, name="")
        row.name, row.language = values["name"], values["language"]
        write_client_noise(row, values)
        self._keep(self.clients, code, row)

    def _write_site(self, key: str, new: bool) -> None:
        client, code = key.split("/")
        values = self.desired["clients"][client]["sites"][code]
        row = self.sites.get(key) or Site(
            client_id=ident(self.clients[client].id), code=code, name=""
        )
        row.name, row.is_main = values["name"], values["main"]
        self._keep(self.sites, key, row)

    def _write_product(self, code: str, new: bool) -> None:
        row = self.products.get(code) or Product(code=code, name="")
        row.name = self.desired["products"][code]["name"]
        self._keep(self.products, code, row)

    def _write_calendar(self, name: str, new: bool) -> None:
        row = self.calendars.get(name) or Calendar(name=name, zone="", hours="")
        write_calendar(row, self.desired["calendars"][name])
        self._keep(self.calendars, name, row)

    def _write_contract(self, code: str, new: bool) -> None:
        values = self.desired["contracts"][code]
        row = self.contracts.get(code) or Contract(code=code, client_id=0, name="")
        row.client_id = ident(self.clients[values["client"]].id)
        row.name = values["name"]
        for source in Source:
            setattr(row, f"source_{source.value}", source.value in values["sources"])
        write_contract_terms(row, values)
        self._keep(self.contracts, code, row)
        # Beneficiaries and products are written once the contracts have their ids.
        self.after_flush.append(lambda: self._contract_sets(row, values, new))

    def _contract_sets(self, row: Contract, values: ContractEntry, new: bool) -> None:
        for table, other, ids in (
            (
                contract_beneficiary,
                "client_id",
                [self.clients[c].id for c in values["beneficiaries"]],
            ),
            (contract_product, "product_id", [self.products[p].id for p in values["products"]]),
        ):
            if not new:
                self.session.execute(delete(table).where(table.c.contract_id == row.id))
            self.rows_to_insert.setdefault(table, []).extend(
                {"contract_id": row.id, other: i} for i in ids
            )

    def _write_service(self, key: str, new: bool) -> None:
        contract, code = key.split("/")
        values = self.desired["contracts"][contract]["services"][code]
        row = self.services.get(key) or Service(
            contract_id=ident(self.contracts[contract].id), code=code, name=""
        )
        row.name = values["name"]
        write_service_terms(row, values)
        self._keep(self.services, key, row)

    def _write_contact(self, code: str, new: bool) -> None:
        self._write_person(PersonKind.CONTACT, code, new)

    def _write_collaborator(self, code: str, new: bool) -> None:
        self._write_person(PersonKind.COLLABORATOR, code, new)

    def _write_person(self, kind: PersonKind, code: str, new: bool) -> None:
        section = "contacts" if kind is PersonKind.CONTACT else "collaborators"
        values = self.desired[section][code]
        columns: Columns = {
            "name": values["name"],
            "email": values["email"],
            "fax": values["fax"],
            "active": values["active"],
            "language": values["language"],
            "email_active": "email" in values["reception"],
            "fax_active": "fax" in values["reception"],
            "client_id": self.clients[values["client"]].id if kind is PersonKind.CONTACT else None,
            **{opt_in_column(e): e.value in values["alerts"] for e in Event},
            **person_noise_columns(values),
        }
        if new:
            # Thousands of people may come in at once: they are inserted in bulk (see
            # _insert_people), not built one ORM object at a time.
            self.new_people.append({"kind": kind.value, "code": code, **columns})
            return
        row = self.people[(kind.value, code)]
        for column, value in columns.items():
            setattr(row, column, value)

    def _run_after_flush(self) -> None:
        for work in self.after_flush:
            work()
        self.after_flush = []
        for table, rows in self.rows_to_insert.items():
            if rows:
                self.session.execute(insert(table), rows)
        self.rows_to_insert = {}

    def _insert_people(self) -> None:
        if not self.new_people:
            return
        self.session.execute(insert(Person.__table__), self.new_people)  # type: ignore[attr-defined]
        codes = {row["code"] for row in self.new_people}
        for row in self.session.exec(select(Person).where(col(Person.code).in_(codes))).all():
            self.people.setdefault((row.kind, row.code), row)
        self.new_people = []

    def _write_alert(self, key: str, new: bool) -> None:
        client, event = key.split("/")
        values = self.desired["clients"][client]["alerts"][event]
        row = self.settings.get(key) or ClientAlertSetting(
            client_id=ident(self.clients[client].id), event=event
        )
        row.enabled, row.keyword, row.format = (
            values["enabled"],
            values["keyword"],
            values["format"],
        )
        row.template_id = self.templates[values["template"]].id if values["template"] else None
        self._keep(self.settings, key, row)

    def _write_person_links(self, changes: list[Change]) -> None:
        """Sites and links of the people the plan adds or changes, rewritten set by set."""
        touched = [
            self.people[(c.kind, c.key)]
            for c in changes
            if c.op == "+" or {"sites", "links", "client"} & set(c.fields)
        ]
        if not touched:
            return
        site_rows: list[Columns] = []
        link_rows: dict[str, list[Columns]] = {s.value: [] for s in Source}
        for person in touched:
            section = "contacts" if person.kind == PersonKind.CONTACT.value else "collaborators"
            values = self.desired[section][person.code]
            client = values.get("client")
            for site in values.get("sites", []):
                site_rows.append(
                    {"person_id": person.id, "site_id": self.sites[f"{client}/{site}"].id}
                )
            for link in values["links"]:
                source, _, target = link.partition(":")
                link_rows[source].append(
                    {"person_id": person.id, "target_id": self._target_id(source, target)}
                )
        if site_rows:
            self.session.execute(insert(contact_site), site_rows)
        for source, rows in link_rows.items():
            if rows:
                self.session.execute(insert(interlocutor_tables[source]), rows)

    def _target_id(self, source: str, target: str) -> int | None:
        rows: dict[str, Mapping[str, _Stored]] = {
            "product": self.products,
            "site": self.sites,
            "contract": self.contracts,
            "service": self.services,
            "client": self.clients,
        }
        return rows[source][target].id

    def _unlink(self, person_ids: list[int | None]) -> None:
        if not person_ids:
            return
        self.session.execute(delete(contact_site).where(contact_site.c.person_id.in_(person_ids)))
        for table in interlocutor_tables.values():
            self.session.execute(delete(table).where(table.c.person_id.in_(person_ids)))

    # Removals -------------------------------------------------------------------------------

    def _remove(self, change: Change) -> None:
        kind, key = change.kind, change.key
        label = f"{kind} {key!r}"
        if kind in ("contact", "collaborator"):
            person = self.people.pop((kind, key))
            self._unlink([person.id])
            self._delete(person, "person", label)
        elif kind == "contract":
            contract = self.contracts.pop(key)
            for table in (contract_beneficiary, contract_product):
                self.session.execute(delete(table).where(table.c.contract_id == contract.id))
            self._delete(contract, "contract", label)
        elif kind == "alert":
            self.session.delete(self.settings.pop(key))
        elif kind == "noise":  # a file without [noise], applied with --prune: the factory's
            write_noise(self.noise, None)
        else:
            removers: dict[str, Callable[[str], _Stored]] = {
                "status": self.statuses.pop,
                "template": self.templates.pop,
                "client": self.clients.pop,
                "site": self.sites.pop,
                "product": self.products.pop,
                "service": self.services.pop,
                "calendar": self.calendars.pop,
            }
            self._delete(removers[kind](key), kind, label)

    def _delete(self, row: "_Stored", table: str, label: str) -> None:
        self.session.flush()
        refuse_if_referenced(self.session, table, row.id, label)
        self.session.delete(row)

    # Helpers ---------------------------------------------------------------------------------

    def _keep(self, rows: dict[K, R], key: K, row: R) -> None:
        if key not in rows:
            self.session.add(row)
            rows[key] = row
