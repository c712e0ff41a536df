"""start-up loan interest subsidy: the contract rate and each repayment (issue 11)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 11:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'startup_loan_repayments',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('loan_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('amount', sa.Numeric(14, 2), nullable=False),
        sa.Column('repaid_date', sa.Date(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_startup_loan_repayments')),
    )
    with op.batch_alter_table('startup_loan_repayments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_startup_loan_repayments_loan_id'), ['loan_id'], unique=False)
    with op.batch_alter_table('startup_loans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interest_rate', sa.Numeric(8, 4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('startup_loans', schema=None) as batch_op:
        batch_op.drop_column('interest_rate')
    with op.batch_alter_table('startup_loan_repayments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_startup_loan_repayments_loan_id'))
    op.drop_table('startup_loan_repayments')
