"""就业困难人员认定: a hard_to_employ membership carries its category, evidence and the unemployment registration
it rests on

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("key_group_memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column("unemployment_registration_id", sqlmodel.sql.sqltypes.AutoString(length=36),
                                      nullable=True))
        batch_op.create_index(batch_op.f("ix_key_group_memberships_unemployment_registration_id"),
                              ["unemployment_registration_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("key_group_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_group_memberships_unemployment_registration_id"))
        batch_op.drop_column("unemployment_registration_id")
        batch_op.drop_column("evidence")
        batch_op.drop_column("category")
