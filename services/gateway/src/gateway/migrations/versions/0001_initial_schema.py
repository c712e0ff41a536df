"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 00:24:37.840726
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
    op.create_table('api_clients',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients'))
    )
    op.create_table('employer_view',
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('industry', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('is_construction', sa.Boolean(), nullable=False),
    sa.Column('as_of', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('credit_code', name=op.f('pk_employer_view'))
    )
    with op.batch_alter_table('employer_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_view_county_code'), ['county_code'], unique=False)

    op.create_table('employment_view',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('employer_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('termination_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_view'))
    )
    with op.batch_alter_table('employment_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employment_view_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_view_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_employment_view_id_number'), ['id_number'], unique=False)

    op.create_table('person_view',
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('job_seeker_registered_date', sa.Date(), nullable=True),
    sa.Column('identity_as_of', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('employment_as_of', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id_number', name=op.f('pk_person_view'))
    )
    with op.batch_alter_table('person_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_view_county_code'), ['county_code'], unique=False)

    op.create_table('unemployment_view',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('registered_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('close_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unemployment_view'))
    )
    with op.batch_alter_table('unemployment_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unemployment_view_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_unemployment_view_id_number'), ['id_number'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unemployment_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unemployment_view_id_number'))
        batch_op.drop_index(batch_op.f('ix_unemployment_view_county_code'))

    op.drop_table('unemployment_view')
    with op.batch_alter_table('person_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_view_county_code'))

    op.drop_table('person_view')
    with op.batch_alter_table('employment_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employment_view_id_number'))
        batch_op.drop_index(batch_op.f('ix_employment_view_credit_code'))
        batch_op.drop_index(batch_op.f('ix_employment_view_county_code'))

    op.drop_table('employment_view')
    with op.batch_alter_table('employer_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_view_county_code'))

    op.drop_table('employer_view')
    op.drop_table('api_clients')
    drop_mechanism_tables(op)
