"""sla: business calendars, GTI and GTR targets on contracts and services, the opt-ins of the
four SLA events, and the index of when each request's clocks are next due

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLA_EVENTS = ("gti_warning", "gti_breach", "gtr_warning", "gtr_breach")
BUMP = "UPDATE config_state SET generation = generation + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("zone", sa.String(), nullable=False),
        sa.Column("hours", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("closed", sa.String(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # Plain ADD COLUMN (no table rebuilt): the configuration triggers of 0007 stay in place.
    # The calendar is named, not referred to by a foreign key, for the same reason: SQLite adds
    # a column with a foreign key only by rebuilding the table. The services keep it valid.
    for column in ("calendar", "gti_minutes", "gtr_minutes", "warn_percent", "warn_left_minutes"):
        kind = sa.String() if column == "calendar" else sa.Integer()
        op.add_column("contract", sa.Column(column, kind, nullable=True))
    for column in ("gti_minutes", "gtr_minutes"):
        op.add_column("service", sa.Column(column, sa.Integer(), nullable=True))
    for event in SLA_EVENTS:
        op.add_column(
            "person",
            sa.Column(f"opt_{event}", sa.Boolean(), nullable=False, server_default=sa.false()),
        )
    op.create_table(
        "sla_clock",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["request.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_sla_clock_next_check_at", "sla_clock", ["next_check_at"])
    _count_writes("calendar")


def _count_writes(table: str) -> None:
    """A calendar is configuration: a write to it counts, as 0007 made every other one count."""
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
    op.drop_index("ix_sla_clock_next_check_at", table_name="sla_clock")
    op.drop_table("sla_clock")
    with op.batch_alter_table("person") as batch_op:
        for event in SLA_EVENTS:
            batch_op.drop_column(f"opt_{event}")
    with op.batch_alter_table("service") as batch_op:
        batch_op.drop_column("gti_minutes")
        batch_op.drop_column("gtr_minutes")
    with op.batch_alter_table("contract") as batch_op:
        for column in ("calendar", "gti_minutes", "gtr_minutes", "warn_percent"):
            batch_op.drop_column(column)
        batch_op.drop_column("warn_left_minutes")
    op.drop_table("calendar")
