"""Whether a database is alertctl's, and at which schema: what is read before anything is
written, so that another program's database is never touched."""

import re
from dataclasses import dataclass

from alertctl.errors import Invalid

# The schema this alertctl writes (the last migration's revision).
HEAD_REVISION = "0014"

_OUR_REVISION = re.compile(r"\d{4}")

# Every table alertctl has ever created (no migration drops one), and those its first one made:
# a database whose version table looks like ours but whose tables are not is another
# program's, and is never touched. A test keeps these equal to the tables and migrations.
OUR_TABLES = frozenset(
    {
        "alembic_version",
        "alert",
        "alert_attempt",
        "alert_fault",
        "calendar",
        "client",
        "client_alert_setting",
        "client_interlocutor",
        "config_state",
        "contact_site",
        "contract",
        "contract_beneficiary",
        "contract_interlocutor",
        "contract_product",
        "noise_settings",
        "person",
        "product",
        "product_interlocutor",
        "request",
        "request_save",
        "sender_beat",
        "sla_clock",
        "service",
        "service_interlocutor",
        "site",
        "site_interlocutor",
        "status",
        "template",
    }
)
FIRST_TABLES = frozenset(
    {
        "client",
        "product",
        "status",
        "template",
        "client_alert_setting",
        "contract",
        "person",
        "site",
        "client_interlocutor",
        "contact_site",
        "contract_beneficiary",
        "contract_interlocutor",
        "contract_product",
        "product_interlocutor",
        "service",
        "site_interlocutor",
        "service_interlocutor",
    }
)


@dataclass(frozen=True)
class Schema:
    """What a database holds, as far as alertctl is concerned."""

    exists: bool
    empty_file: bool = False
    tables: frozenset[str] = frozenset()
    revision: str | None = None

    def refuse_if_not_ours(self, where: str) -> None:
        """A database that another program (or a newer alertctl) wrote is never touched."""
        if self.empty_file:
            raise Invalid(
                f"{where} is an empty file, not an alertctl database; it was left as it was",
                hint="remove it, or choose another path with --db",
            )
        if self.revision is not None:
            if not _OUR_REVISION.fullmatch(self.revision):
                raise Invalid(
                    f"{where} is not an alertctl database (its schema revision "
                    f"{self.revision[:40]!r} is another program's); it was left as it was",
                    hint="choose another path with --db",
                )
            if self.revision > HEAD_REVISION:
                raise Invalid(
                    f"{where} was written by a newer alertctl (schema {self.revision}; this "
                    f"one knows up to {HEAD_REVISION}); it was left as it was",
                    hint="upgrade alertctl: pip install --upgrade alertctl",
                )
            tables = {t for t in self.tables if not t.startswith("sqlite_")}
            strangers = sorted(tables - OUR_TABLES)
            missing = sorted(FIRST_TABLES - tables)
            if strangers or missing:
                names = strangers or missing
                listed = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
                what = f"it has other tables: {listed}" if strangers else f"it lacks {listed}"
                raise Invalid(
                    f"{where} is not an alertctl database (its version table says "
                    f"{self.revision}, but {what}); it was left as it was",
                    hint="choose another path with --db",
                )
            return
        others = sorted(t for t in self.tables if not t.startswith("sqlite_"))
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise Invalid(
                f"{where} is not an alertctl database (it has other tables: {shown}); "
                "it was left as it was",
                hint="choose another path with --db",
            )
