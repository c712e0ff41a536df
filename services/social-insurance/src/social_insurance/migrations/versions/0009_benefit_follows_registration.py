"""unemployment benefit follows a cancelled or corrected unemployment registration (issue 11)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('unemployment_benefits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_cancelled', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('registration_cancel_reason',
                                      sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('recovery_months', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('recovery_amount', sa.Numeric(14, 2), nullable=False, server_default='0'))
        batch_op.alter_column('stop_reason', existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=30), existing_nullable=True)

    with op.batch_alter_table('benefit_payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recovery_required', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('benefit_payments', schema=None) as batch_op:
        batch_op.drop_column('recovery_required')

    with op.batch_alter_table('unemployment_benefits', schema=None) as batch_op:
        batch_op.alter_column('stop_reason', existing_type=sqlmodel.sql.sqltypes.AutoString(length=30),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=20), existing_nullable=True)
        batch_op.drop_column('recovery_amount')
        batch_op.drop_column('recovery_months')
        batch_op.drop_column('registration_cancel_reason')
        batch_op.drop_column('registration_cancelled')
