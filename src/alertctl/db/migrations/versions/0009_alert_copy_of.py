"""alert copy of: a delivered alert sent again is a new alert that names the first

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copy_of", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_alert_copy_of"), ["copy_of"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_alert_copy_of_alert"), "alert", ["copy_of"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alert_copy_of_alert"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_alert_copy_of"))
        batch_op.drop_column("copy_of")
