"""outbox event JSON compressed with LZ4 on PostgreSQL (hrss_shared.migrations)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 02:00:00
"""

from collections.abc import Sequence

from alembic import op

from hrss_shared.migrations import compress_outbox_lz4, uncompress_outbox_lz4

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    compress_outbox_lz4(op)


def downgrade() -> None:
    uncompress_outbox_lz4(op)
