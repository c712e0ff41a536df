"""政策监管 alerts: the rules' facts, the alerts (read models of the gateway's consumer group) and the staff's
acknowledgements and resolutions (not a read model)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "alert_facts",
        sa.Column("kind", _text(24), nullable=False),
        sa.Column("record_id", _text(64), nullable=False),
        sa.Column("id_number", _text(18), nullable=True),
        sa.Column("credit_code", _text(18), nullable=True),
        sa.Column("county_code", _text(6), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("month", _text(7), nullable=True),
        sa.Column("status", _text(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("event_time", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id", name=op.f("pk_alert_facts")),
    )
    with op.batch_alter_table("alert_facts", schema=None) as batch_op:
        batch_op.create_index("ix_alert_facts_id_number_kind", ["id_number", "kind"], unique=False)
        batch_op.create_index("ix_alert_facts_credit_code_kind", ["credit_code", "kind"], unique=False)
        batch_op.create_index("ix_alert_facts_kind_checked_start", ["kind", "checked", "start_date"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", _text(32), nullable=False),
        sa.Column("rule", _text(40), nullable=False),
        sa.Column("subject", _text(18), nullable=False),
        sa.Column("evidence_key", _text(200), nullable=False),
        sa.Column("id_number", _text(18), nullable=True),
        sa.Column("credit_code", _text(18), nullable=True),
        sa.Column("county_code", _text(6), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("detected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("detected_date", sa.Date(), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("retracted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_rule_subject", ["rule", "subject"], unique=False)
        batch_op.create_index("ix_alerts_detected_date", ["detected_date"], unique=False)
        batch_op.create_index("ix_alerts_county_code", ["county_code"], unique=False)
        batch_op.create_index("ix_alerts_id_number", ["id_number"], unique=False)
    op.create_table(
        "alert_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", _text(32), nullable=False),
        sa.Column("action", _text(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", _text(100), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_actions")),
        sa.UniqueConstraint("alert_id", "action", name="uq_alert_actions_alert_id_action"),
    )
    with op.batch_alter_table("alert_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_actions_alert_id"), ["alert_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_actions_alert_id"))
    op.drop_table("alert_actions")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        for name in ("ix_alerts_id_number", "ix_alerts_county_code", "ix_alerts_detected_date",
                     "ix_alerts_rule_subject"):
            batch_op.drop_index(name)
    op.drop_table("alerts")
    with op.batch_alter_table("alert_facts", schema=None) as batch_op:
        for name in ("ix_alert_facts_kind_checked_start", "ix_alert_facts_credit_code_kind",
                     "ix_alert_facts_id_number_kind"):
            batch_op.drop_index(name)
    op.drop_table("alert_facts")
