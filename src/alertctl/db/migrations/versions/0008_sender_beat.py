"""sender beat: each sender's last loop, so that a sender that died quietly is seen

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sender_beat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("watching", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_loop_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sender_beat")),
        sa.UniqueConstraint("owner", name=op.f("uq_sender_beat_owner")),
    )
    with op.batch_alter_table("sender_beat", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sender_beat_last_loop_at"), ["last_loop_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sender_beat")
