"""alert faults

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_fault",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("save_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_alert_fault_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_alert_fault_request_id_request")
        ),
        sa.ForeignKeyConstraint(
            ["save_id"], ["request_save.id"], name=op.f("fk_alert_fault_save_id_request_save")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_fault")),
    )
    with op.batch_alter_table("alert_fault", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_fault_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_fault_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_fault_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_fault_save_id"), ["save_id"], unique=False)


def downgrade() -> None:
    op.drop_table("alert_fault")
