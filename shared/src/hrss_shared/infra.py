"""Tables every service carries for the mechanisms: outbox, processed events, audit log, scheduled jobs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel.sql.sqltypes import UTCDateTime

from hrss_shared.scheduler import scheduler_table

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so it autoincrements) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class InfraTables:
    outbox: Table
    processed_events: Table
    audit_log: Table
    scheduled_jobs: Table


def infra_tables(metadata: MetaData) -> InfraTables:
    """Define the mechanism tables in a service's MetaData (call once per service)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(64), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("published_at", UTCDateTime(), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("source", String(200), nullable=False),
        Column("event_id", String(64), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", UTCDateTime(), nullable=False),
        UniqueConstraint("source", "event_id", name="uq_processed_events_source_event_id"),
    )
    audit = Table(
        "audit_log",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("at", UTCDateTime(), nullable=False, index=True),
        Column("client_id", String(100), nullable=False, index=True),
        Column("client_name", String(200), nullable=False),
        Column("action", String(300), nullable=False),
        Column("subject", String(64), nullable=True, index=True),
        Column("purpose", String(500), nullable=True),
        Column("correlation_id", String(64), nullable=True),
        Column("fields", JSON, nullable=True),
    )
    return InfraTables(
        outbox=outbox, processed_events=processed, audit_log=audit, scheduled_jobs=scheduler_table(metadata)
    )
