"""holds: alerts held to spare their readers (coalesced status changes, quiet hours, digests, a
cap per hour), each person's and client's settings of them, and the defaults

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE config_state SET generation = generation + 1 WHERE id = 1"
PERSON = ("quiet_hours", "zone", "digest")
CLIENT_MINUTES = ("coalesce_idle_minutes", "coalesce_max_minutes")


def upgrade() -> None:
    # Plain ADD COLUMN, no foreign key for `merged_into` (SQLite adds one only by rebuilding
    # the table): the release writes it, in the same transaction as the alert it names.
    op.add_column("alert", sa.Column("hold", sa.String(), nullable=True))
    op.add_column("alert", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("alert", sa.Column("merged_into", sa.Integer(), nullable=True))
    op.create_index("ix_alert_held_until", "alert", ["held_until"])
    op.create_index("ix_alert_merged_into", "alert", ["merged_into"])
    for name in PERSON:
        op.add_column("person", sa.Column(name, sa.String(), nullable=True))
    op.add_column("person", sa.Column("cap_per_hour", sa.Integer(), nullable=True))
    for name in CLIENT_MINUTES:
        op.add_column("client", sa.Column(name, sa.Integer(), nullable=True))
    op.add_column("client", sa.Column("urgent", sa.String(), nullable=True))
    op.create_table(
        "noise_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coalesce_idle_minutes", sa.Integer(), nullable=False, server_default="2"),
        sa.Column("coalesce_max_minutes", sa.Integer(), nullable=False, server_default="10"),
        sa.Column("contact_quiet_hours", sa.String(), nullable=True),
        sa.Column("collaborator_quiet_hours", sa.String(), nullable=True),
        sa.Column("zone", sa.String(), nullable=False, server_default="UTC"),
        sa.Column("cap_per_hour", sa.Integer(), nullable=True),
        sa.Column("urgent", sa.String(), nullable=False, server_default="gti_breach,gtr_breach"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO noise_settings (id) VALUES (1)")
    _count_writes("noise_settings")


def _count_writes(table: str) -> None:
    """The defaults are configuration: a write to them counts, as 0007 made every other one."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION config_changed()"
        )
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER config_changed_{table}_{event.lower()} AFTER {event} ON {table} "
            f"BEGIN {BUMP}; END"
        )


def downgrade() -> None:
    op.drop_table("noise_settings")
    with op.batch_alter_table("client") as batch_op:
        for name in (*CLIENT_MINUTES, "urgent"):
            batch_op.drop_column(name)
    with op.batch_alter_table("person") as batch_op:
        for name in (*PERSON, "cap_per_hour"):
            batch_op.drop_column(name)
    op.drop_index("ix_alert_merged_into", table_name="alert")
    op.drop_index("ix_alert_held_until", table_name="alert")
    with op.batch_alter_table("alert") as batch_op:
        for name in ("hold", "held_until", "merged_into"):
            batch_op.drop_column(name)
