"""person sections v3: the insurance and card sections in their own shapes, and the card-number index

The insurance section changes shape (enrolments, contribution months, gaps, benefits instead of generic records)
and a card section is added, so the read model is rebuilt by replaying the domain topics under a new consumer
group (``gateway.readmodel.GROUP`` v3): the documents and the processed-event ids of the old one are forgotten here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_cards",
        sa.Column("card_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.PrimaryKeyConstraint("card_number", name=op.f("pk_person_cards")),
    )
    with op.batch_alter_table("person_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_cards_id_number"), ["id_number"], unique=False)
    op.execute("DELETE FROM person_sections")
    op.execute("DELETE FROM employer_sections")
    op.execute("DELETE FROM processed_events")


def downgrade() -> None:
    with op.batch_alter_table("person_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_cards_id_number"))
    op.drop_table("person_cards")
    op.execute("DELETE FROM person_sections")
    op.execute("DELETE FROM employer_sections")
    op.execute("DELETE FROM processed_events")
