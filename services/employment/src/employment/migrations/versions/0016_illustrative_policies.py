"""illustrative policies: a start-up subsidy records whether the policy that set its amount is illustrative

Every grant so far was made under the one version of policy/startup_subsidies.toml, now marked illustrative (its
amount and document number are to be confirmed), so the existing grants are marked too.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("startup_subsidies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("illustrative", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text("UPDATE startup_subsidies SET illustrative = :yes").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("startup_subsidies", schema=None) as batch_op:
        batch_op.drop_column("illustrative")
