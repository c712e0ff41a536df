"""bulk imports (批量导入) of enrolments and certificates: the shared import tables (hrss_shared.migrations)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 08:40:00
"""

from collections.abc import Sequence

from alembic import op

from hrss_shared.migrations import add_import_tables, drop_import_tables

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_import_tables(op)


def downgrade() -> None:
    drop_import_tables(op)
