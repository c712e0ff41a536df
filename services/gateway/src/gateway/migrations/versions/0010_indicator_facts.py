"""indicator facts: the compact fact table of the plan indicators (consumer group gateway-indicators-v1)

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-28 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_facts",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=90), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("flag", sa.Boolean(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("retires_on", sa.Date(), nullable=True),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.Column("event_time", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_indicator_facts")),
    )
    with op.batch_alter_table("indicator_facts", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_facts_kind_start", ["kind", "start_date"], unique=False)
        batch_op.create_index("ix_indicator_facts_kind_subject", ["kind", "subject"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_facts_kind_subject")
        batch_op.drop_index("ix_indicator_facts_kind_start")
    op.drop_table("indicator_facts")
