"""config generation: every write to the configuration counts, so that an unchanged
configuration file applied again is known to change nothing without reading it all

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table `config export` reads: a write to any of them may change what a file would do.
CONFIGURATION = (
    "status",
    "template",
    "client",
    "site",
    "client_alert_setting",
    "product",
    "contract",
    "contract_beneficiary",
    "contract_product",
    "service",
    "person",
    "contact_site",
    "product_interlocutor",
    "site_interlocutor",
    "contract_interlocutor",
    "service_interlocutor",
    "client_interlocutor",
)
BUMP = "UPDATE config_state SET generation = generation + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "config_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("applied_digest", sa.String(), nullable=True),
        sa.Column("applied_generation", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO config_state (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION config_changed() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in CONFIGURATION:
            op.execute(
                f"CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION config_changed()"
            )
        return
    for table in CONFIGURATION:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER config_changed_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in CONFIGURATION:
            op.execute(f"DROP TRIGGER config_changed ON {table}")
        op.execute("DROP FUNCTION config_changed()")
    else:
        for table in CONFIGURATION:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER config_changed_{table}_{event}")
    op.drop_table("config_state")
