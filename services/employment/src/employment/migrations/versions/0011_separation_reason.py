"""unemployment registrations carry a coded separation reason (失业原因代码), for 失业保险金 eligibility

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unemployment_registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("separation_reason", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unemployment_registrations", schema=None) as batch_op:
        batch_op.drop_column("separation_reason")
