"""job postings (岗位发布)

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 00:45:00.300653
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0004'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_postings',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('employer_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('min_monthly_wage', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('max_monthly_wage', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('required_level', sa.Integer(), nullable=True),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('closing_date', sa.Date(), nullable=False),
    sa.Column('education', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('published_date', sa.Date(), nullable=False),
    sa.Column('closed_date', sa.Date(), nullable=True),
    sa.Column('close_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_postings'))
    )
    with op.batch_alter_table('job_postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_postings_closing_date'), ['closing_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_postings_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_postings_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_postings_occupation'), ['occupation'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_postings_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_postings_status'))
        batch_op.drop_index(batch_op.f('ix_job_postings_occupation'))
        batch_op.drop_index(batch_op.f('ix_job_postings_credit_code'))
        batch_op.drop_index(batch_op.f('ix_job_postings_county_code'))
        batch_op.drop_index(batch_op.f('ix_job_postings_closing_date'))

    op.drop_table('job_postings')
