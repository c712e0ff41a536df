"""scheduled jobs: the lease and last run of each daily or hourly job (hrss_shared.scheduler)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 02:00:00
"""

from collections.abc import Sequence

from alembic import op

from hrss_shared.scheduler import create_scheduler_table, drop_scheduler_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_scheduler_table(op)


def downgrade() -> None:
    drop_scheduler_table(op)
