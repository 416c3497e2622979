"""zeroed free space: a SQLite file rebuilt once, so that its free space holds no old copy

From this version on every connection writes with `secure_delete`, so an erase empties the
WAL and reads the file for copies left, instead of rebuilding it (docs/architecture.md,
"Privacy"). What earlier versions left in the file's free space (an updated row's old cell)
is cleared by rebuilding the file once, here; PostgreSQL has nothing of the kind to do.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # VACUUM cannot run inside a transaction.
    with op.get_context().autocommit_block():
        op.execute("PRAGMA temp_store = MEMORY")
        op.execute("VACUUM")
        # The rebuilt pages are in the WAL: into the file now, the WAL emptied.
        op.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def downgrade() -> None:
    """Nothing to undo: the file holds the same data."""
