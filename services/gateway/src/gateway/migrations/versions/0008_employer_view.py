"""employer view: index tables of employees, contributions, wage-arrears cases, warnings and the employer directory

The employer view (``GET /v1/employers/{credit_code}``) and the bureau's lists of overdue cases and warnings read
these tables by SQL. They are filled by new handlers of the read-model consumer, so the read model is rebuilt by
replaying the domain topics under a new consumer group (``gateway.readmodel.GROUP`` v4): the documents, the card
index and the processed-event ids of the old one are forgotten here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('employer_cases',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('employer_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('project_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('filed_date', sa.Date(), nullable=False),
    sa.Column('accepted_date', sa.Date(), nullable=True),
    sa.Column('deadline_date', sa.Date(), nullable=True),
    sa.Column('deadline_provisional', sa.Boolean(), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('concluded_date', sa.Date(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('workers_affected', sa.Integer(), nullable=False),
    sa.Column('group_case', sa.Boolean(), nullable=False),
    sa.Column('amount_owed', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_recovered', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('as_of', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_cases'))
    )
    with op.batch_alter_table('employer_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_cases_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_employer_cases_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index('ix_employer_cases_status_deadline_date', ['status', 'deadline_date'], unique=False)

    op.create_table('employer_contributions',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('insurance_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('employer_fen', sa.Integer(), nullable=False),
    sa.Column('personal_fen', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_contributions'))
    )
    with op.batch_alter_table('employer_contributions', schema=None) as batch_op:
        batch_op.create_index('ix_employer_contributions_credit_code_month', ['credit_code', 'month'], unique=False)

    op.create_table('employer_directory',
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('credit_code', name=op.f('pk_employer_directory'))
    )
    with op.batch_alter_table('employer_directory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_directory_county_code'), ['county_code'], unique=False)

    op.create_table('employer_employees',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_employees'))
    )
    with op.batch_alter_table('employer_employees', schema=None) as batch_op:
        batch_op.create_index('ix_employer_employees_credit_code_end_date', ['credit_code', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_employer_employees_id_number'), ['id_number'], unique=False)

    op.create_table('employer_warnings',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('county_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('raised_date', sa.Date(), nullable=True),
    sa.Column('cleared_date', sa.Date(), nullable=True),
    sa.Column('cleared_score', sa.Float(), nullable=True),
    sa.Column('signals', sa.Text(), nullable=False),
    sa.Column('policy_source', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_warnings'))
    )
    with op.batch_alter_table('employer_warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_warnings_credit_code'), ['credit_code'], unique=False)
        batch_op.create_index('ix_employer_warnings_status_level', ['status', 'level'], unique=False)
    op.execute("DELETE FROM person_sections")
    op.execute("DELETE FROM employer_sections")
    op.execute("DELETE FROM person_cards")
    op.execute("DELETE FROM processed_events")


def downgrade() -> None:
    with op.batch_alter_table('employer_warnings', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_warnings_status_level')
        batch_op.drop_index(batch_op.f('ix_employer_warnings_credit_code'))

    op.drop_table('employer_warnings')
    with op.batch_alter_table('employer_employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_employees_id_number'))
        batch_op.drop_index('ix_employer_employees_credit_code_end_date')

    op.drop_table('employer_employees')
    with op.batch_alter_table('employer_directory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_directory_county_code'))

    op.drop_table('employer_directory')
    with op.batch_alter_table('employer_contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_contributions_credit_code_month')

    op.drop_table('employer_contributions')
    with op.batch_alter_table('employer_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_cases_status_deadline_date')
        batch_op.drop_index(batch_op.f('ix_employer_cases_credit_code'))
        batch_op.drop_index(batch_op.f('ix_employer_cases_county_code'))

    op.drop_table('employer_cases')
    op.execute("DELETE FROM person_sections")
    op.execute("DELETE FROM employer_sections")
    op.execute("DELETE FROM person_cards")
    op.execute("DELETE FROM processed_events")
