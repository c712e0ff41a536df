"""失业登记 lifecycle: a coded closure reason, a woman's original retirement age, and the 撤销 reason

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unemployment_registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_reason_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column("female_original_age", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unemployment_registrations", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("female_original_age")
        batch_op.drop_column("close_reason_code")
