"""创业担保贷款 eligibility: the borrower's key groups and unemployment registration, a small business's staff and
key-group hires, recorded with the loan

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("startup_loans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("groups", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("registered_unemployed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("staff", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("key_group_hires", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("startup_loans", schema=None) as batch_op:
        batch_op.drop_column("key_group_hires")
        batch_op.drop_column("staff")
        batch_op.drop_column("registered_unemployed")
        batch_op.drop_column("groups")
