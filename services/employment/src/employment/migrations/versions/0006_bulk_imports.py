"""bulk imports

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-27 00:45:27.446044
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0006'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('imports',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('submitted_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_imports_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_imports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_imports_submitted_by'), ['submitted_by'], unique=False)

    op.create_table('import_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_acceptances_import_id_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_acceptances'))
    )
    with op.batch_alter_table('import_acceptances', schema=None) as batch_op:
        batch_op.create_index('ix_import_acceptances_import_line', ['import_id', 'line'], unique=False)

    op.create_table('import_rejections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_rejections_import_id_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_rejections'))
    )
    with op.batch_alter_table('import_rejections', schema=None) as batch_op:
        batch_op.create_index('ix_import_rejections_import_line', ['import_id', 'line'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_rejections', schema=None) as batch_op:
        batch_op.drop_index('ix_import_rejections_import_line')

    op.drop_table('import_rejections')
    with op.batch_alter_table('import_acceptances', schema=None) as batch_op:
        batch_op.drop_index('ix_import_acceptances_import_line')

    op.drop_table('import_acceptances')
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imports_submitted_by'))
        batch_op.drop_index(batch_op.f('ix_imports_status'))
        batch_op.drop_index(batch_op.f('ix_imports_received_at'))
        batch_op.drop_index(batch_op.f('ix_imports_county_code'))

    op.drop_table('imports')
