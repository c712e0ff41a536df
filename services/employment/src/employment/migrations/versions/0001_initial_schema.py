"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 00:23:16.250652
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from hrss_shared.migrations import create_mechanism_tables, drop_mechanism_tables

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_mechanism_tables(op)
    op.create_table('employers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('industry', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('size', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('is_construction', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employers'))
    )
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employers_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_employers_credit_code'), ['credit_code'], unique=True)

    op.create_table('employment_registrations',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('employer_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('termination_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_registrations'))
    )
    with op.batch_alter_table('employment_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employment_registrations_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_registrations_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_registrations_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_registrations_start_date'), ['start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_registrations_status'), ['status'], unique=False)
        batch_op.create_index('uq_employment_active_person_employer', ['id_number', 'credit_code'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('job_seekers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('education', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('graduation_year', sa.Integer(), nullable=True),
    sa.Column('registered_date', sa.Date(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_seekers'))
    )
    with op.batch_alter_table('job_seekers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_seekers_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_seekers_id_number'), ['id_number'], unique=True)

    op.create_table('unemployment_registrations',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('registered_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('close_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unemployment_registrations'))
    )
    with op.batch_alter_table('unemployment_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unemployment_registrations_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_unemployment_registrations_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_unemployment_registrations_registered_date'), ['registered_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_unemployment_registrations_status'), ['status'], unique=False)
        batch_op.create_index('uq_unemployment_open_person', ['id_number'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))



def downgrade() -> None:
    with op.batch_alter_table('unemployment_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_unemployment_open_person', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_unemployment_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_unemployment_registrations_registered_date'))
        batch_op.drop_index(batch_op.f('ix_unemployment_registrations_id_number'))
        batch_op.drop_index(batch_op.f('ix_unemployment_registrations_county_code'))

    op.drop_table('unemployment_registrations')
    with op.batch_alter_table('job_seekers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_seekers_id_number'))
        batch_op.drop_index(batch_op.f('ix_job_seekers_county_code'))

    op.drop_table('job_seekers')
    with op.batch_alter_table('employment_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_employment_active_person_employer', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_employment_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_employment_registrations_start_date'))
        batch_op.drop_index(batch_op.f('ix_employment_registrations_id_number'))
        batch_op.drop_index(batch_op.f('ix_employment_registrations_credit_code'))
        batch_op.drop_index(batch_op.f('ix_employment_registrations_county_code'))

    op.drop_table('employment_registrations')
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employers_credit_code'))
        batch_op.drop_index(batch_op.f('ix_employers_county_code'))

    op.drop_table('employers')
    drop_mechanism_tables(op)
