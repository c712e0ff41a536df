"""employer update and deactivation, job seeker update, 131 service records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 00:46:41.533140
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_records',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('unemployment_registration_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('staff', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('agency', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('job_posting_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_records'))
    )
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_records_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_records_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_records_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_records_service_date'), ['service_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_records_unemployment_registration_id'), ['unemployment_registration_id'], unique=False)
        batch_op.create_index('uq_service_records_recommendation', ['unemployment_registration_id', 'job_posting_id'], unique=True, sqlite_where=sa.text('job_posting_id IS NOT NULL'), postgresql_where=sa.text('job_posting_id IS NOT NULL'))

    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deactivation_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_employers_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_employers_status'), ['status'], unique=False)

    with op.batch_alter_table('job_seekers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_seekers_registered_date'), ['registered_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_seekers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_seekers_registered_date'))
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employers_status'))
        batch_op.drop_index(batch_op.f('ix_employers_created_at'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('deactivation_reason')
        batch_op.drop_column('deactivated_date')

    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.drop_index('uq_service_records_recommendation', sqlite_where=sa.text('job_posting_id IS NOT NULL'), postgresql_where=sa.text('job_posting_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_service_records_unemployment_registration_id'))
        batch_op.drop_index(batch_op.f('ix_service_records_service_date'))
        batch_op.drop_index(batch_op.f('ix_service_records_kind'))
        batch_op.drop_index(batch_op.f('ix_service_records_id_number'))
        batch_op.drop_index(batch_op.f('ix_service_records_county_code'))

    op.drop_table('service_records')
