"""delivery

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 04:24:06.404317
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "alert_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("reply", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_attempt_alert_id_alert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_attempt")),
    )
    with op.batch_alter_table("alert_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_attempt_alert_id"), ["alert_id"], unique=False)

    with op.batch_alter_table("alert", schema=None) as batch_op:
        # Alerts queued before this revision have not been tried yet.
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("submit_started_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("last_reply", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("raw_message", sa.String(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_alert_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_next_attempt_at"))
        batch_op.drop_column("raw_message")
        batch_op.drop_column("last_reply")
        batch_op.drop_column("message_id")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("submit_started_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")

    with op.batch_alter_table("alert_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_attempt_alert_id"))

    op.drop_table("alert_attempt")
