"""fault tolerance: the audit log's hash chain, idempotency keys, rate-limit counts (hrss_shared.migrations)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 04:00:00
"""

from collections.abc import Sequence

from alembic import op

from hrss_shared.migrations import add_fault_tolerance_tables, drop_fault_tolerance_tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_fault_tolerance_tables(op)


def downgrade() -> None:
    drop_fault_tolerance_tables(op)
