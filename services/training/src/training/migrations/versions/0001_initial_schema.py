"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 00:23:48.436552
"""

from collections.abc import Sequence

from alembic import op

from hrss_shared.migrations import create_mechanism_tables, drop_mechanism_tables

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_mechanism_tables(op)


def downgrade() -> None:
    drop_mechanism_tables(op)
