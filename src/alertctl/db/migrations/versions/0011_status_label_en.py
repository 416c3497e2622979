"""status label en: a status's label in English alerts; the shipped statuses get theirs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statuses `alertctl init` installs, as this migration found them: a label left as shipped
# gets its English label; one a user renamed is left for them to translate.
SHIPPED = (
    ("OPEN", "Ouverte", "Open"),
    ("WIP", "En cours", "In progress"),
    ("WAIT", "En attente", "Waiting"),
    ("RESOLVED", "Résolue", "Resolved"),
    ("CLOSED_EXT", "Clôturée client", "Closed by the client"),
    ("CLOSED", "Clôturée", "Closed"),
)


def upgrade() -> None:
    with op.batch_alter_table("status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label_en", sa.String(), nullable=True))
    status = sa.table("status", sa.column("code"), sa.column("label"), sa.column("label_en"))
    for code, label, label_en in SHIPPED:
        op.execute(
            status.update()
            .where(status.c.code == code, status.c.label == label)
            .values(label_en=label_en)
        )


def downgrade() -> None:
    with op.batch_alter_table("status", schema=None) as batch_op:
        batch_op.drop_column("label_en")
