"""fault handled: a fault recovered (its alert queued once the cause was fixed) or dismissed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_fault", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handled", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_fault", schema=None) as batch_op:
        batch_op.drop_column("handled")
        batch_op.drop_column("handled_at")
