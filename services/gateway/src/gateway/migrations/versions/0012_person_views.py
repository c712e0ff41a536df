"""person views: each person's 一卡通 view stored serialised (masked and full), rendered when the person changes

A database upgraded to this revision starts with no rendered views: every person is queued in
``person_views_pending``, which the gateway's view job renders; until then the person view assembles a person's
answer from the sections, as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_views",
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("policy_from", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("masked", sa.Text(), nullable=False),
        sa.Column("unmasked", sa.Text(), nullable=False),
        sa.Column("shown", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_person_views")),
    )
    with op.batch_alter_table("person_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_views_policy_from"), ["policy_from"], unique=False)
    op.create_table(
        "person_views_pending",
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_person_views_pending")),
    )
    op.execute("INSERT INTO person_views_pending (id_number) SELECT DISTINCT id_number FROM person_sections")


def downgrade() -> None:
    op.drop_table("person_views_pending")
    with op.batch_alter_table("person_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_views_policy_from"))
    op.drop_table("person_views")
