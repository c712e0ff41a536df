"""Tables every service carries for the mechanisms: outbox, processed events, audit log, scheduled jobs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
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
    idempotency_keys: Table
    rate_counts: Table


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
        # The hash chain (hrss_shared.audit): one chain per writing process, rows numbered 1, 2, ... in it;
        # each row's hash covers its fields and the hash of the row before. Rows older than the chain: NULL.
        Column("chain", String(64), nullable=True),
        Column("seq", BigInteger, nullable=True),
        Column("prev_hash", String(64), nullable=True),
        Column("hash", String(64), nullable=True),
        Index("uq_audit_log_chain_seq", "chain", "seq", unique=True),
    )
    idempotency = Table(
        "idempotency_keys",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("client_id", String(100), nullable=False),
        Column("key", String(200), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status", Integer, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False, index=True),
        UniqueConstraint("client_id", "key", name="uq_idempotency_keys_client_id_key"),
    )
    rate_counts = Table(
        "rate_counts",
        metadata,
        Column("client_id", String(100), primary_key=True),
        Column("window_start", BigInteger, primary_key=True),  # epoch seconds
        Column("instance", String(64), primary_key=True),
        Column("hits", Integer, nullable=False),
    )
    return InfraTables(
        outbox=outbox, processed_events=processed, audit_log=audit, scheduled_jobs=scheduler_table(metadata),
        idempotency_keys=idempotency, rate_counts=rate_counts,
    )
