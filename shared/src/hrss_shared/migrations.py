"""Alembic glue: one migration history per service, applied on start-up.

A service's ``migrations/env.py`` calls :func:`run_env` with the module holding its MetaData; start-up calls
:func:`upgrade`. Concurrent instances on PostgreSQL serialise on an advisory lock.
"""

from __future__ import annotations

import importlib
import zlib
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.operations import Operations
from sqlalchemy import Connection, MetaData, create_engine, pool, text
from sqlalchemy.ext.asyncio import AsyncEngine

AUTOGENERATE = "hrss_autogenerate"  # set on the Alembic config of :func:`autogenerate`: env.py loads the models


def folder(package: str) -> Path:
    """The migrations folder of a service's package, found without importing the service's app."""
    return Path(str(importlib.import_module(package).__file__)).parent / "migrations"


def alembic_config(script_location: Path, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("path_separator", "os")
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def run_env(models: str) -> None:
    """Body of every service's ``env.py``: migrate over the handed-in connection or a URL. ``models`` names the
    module whose ``metadata`` describes the schema; only autogenerating a revision compares against it, so a plain
    upgrade (every start, every ``python -m <service>`` command) does not import every model."""
    config = context.config
    metadata: MetaData | None = None
    if config.attributes.get(AUTOGENERATE):
        metadata = importlib.import_module(models).metadata
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection, metadata)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection handed to Alembic and no sqlalchemy.url set")
    sync_url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = create_engine(sync_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn, metadata)


def _run(connection: Connection, metadata: MetaData | None) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _upgrade_sync(connection: Connection, cfg: Config, lock_key: int) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "heads")


async def upgrade(engine: AsyncEngine, script_location: Path) -> None:
    """Apply every pending migration of this service (idempotent, safe with several instances)."""
    cfg = alembic_config(script_location)
    lock_key = zlib.crc32(str(script_location.name + script_location.parent.name).encode())
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade_sync, cfg, lock_key)


def create_mechanism_tables(op: Operations | Any) -> None:
    """Create the outbox, processed-events and audit tables (version 1; every service's first migration).

    Frozen DDL: a later change to these tables gets a helper of its own and a new migration.
    """
    import sqlalchemy as sa

    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "audit_log",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("client_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    for column in ("at", "client_id", "subject"):
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])
    op.create_table(
        "outbox",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "processed_events",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processed_events"),
        sa.UniqueConstraint("source", "event_id", name="uq_processed_events_source_event_id"),
    )
    create_append_only_guard(op)


def drop_mechanism_tables(op: Operations | Any) -> None:
    for table in ("processed_events", "outbox", "audit_log"):
        op.drop_table(table)


def add_fault_tolerance_tables(op: Operations | Any) -> None:
    """Version 2 of the mechanism tables: the audit log's hash chain, the stored answers of idempotent
    requests, and the per-instance request counts of the rate limit. Frozen DDL."""
    import sqlalchemy as sa

    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    with op.batch_alter_table("audit_log", recreate="never") as batch:
        batch.add_column(sa.Column("chain", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index("uq_audit_log_chain_seq", "audit_log", ["chain", "seq"], unique=True)
    op.create_table(
        "idempotency_keys",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        sa.UniqueConstraint("client_id", "key", name="uq_idempotency_keys_client_id_key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    op.create_table(
        "rate_counts",
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("instance", sa.String(length=64), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "window_start", "instance", name="pk_rate_counts"),
    )


def drop_fault_tolerance_tables(op: Operations | Any) -> None:
    op.drop_table("rate_counts")
    op.drop_table("idempotency_keys")
    op.drop_index("uq_audit_log_chain_seq", table_name="audit_log")
    with op.batch_alter_table("audit_log", recreate="never") as batch:
        for column in ("hash", "prev_hash", "seq", "chain"):
            batch.drop_column(column)


def create_append_only_guard(op: Operations | Any, table: str = "audit_log") -> None:
    """Make ``table`` append-only: UPDATE and DELETE are refused by the database itself."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    else:
        op.execute(
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )


def compress_outbox_lz4(op: Operations | Any) -> None:
    """PostgreSQL: compress the outbox's event JSON with LZ4 instead of the default pglz.

    A bulk path's events are large (``contributions.posted`` names up to 1,000 persons, about 12 KB of JSON each):
    the COPY of 2,400 of them took 1.0 s with pglz and 0.3 s with LZ4 (``python benchmarks/bulk_load.py --stages``
    before and after this migration), and the relay reads them back faster too. Rows already
    written keep their compression. A server built without LZ4 (``feature_not_supported``) keeps pglz: nothing
    else depends on it. SQLite stores text uncompressed: nothing to do.
    """
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "DO $$ BEGIN ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION lz4; "
        "EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE 'lz4 not available: outbox keeps pglz'; END $$"
    )


def uncompress_outbox_lz4(op: Operations | Any) -> None:
    """Back to PostgreSQL's default compression for new outbox rows."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION default")


def autogenerate(script_location: Path, message: str, rev_id: str | None = None, head: str = "head") -> None:
    """Write a new revision from the difference between the models and the migrated schema.

    Runs against a throw-away SQLite database brought to head first (development helper behind
    ``hrss db revision``).
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/autogen.db"
        cfg = alembic_config(script_location, url)
        cfg.attributes[AUTOGENERATE] = True
        command.upgrade(cfg, "heads")
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id, head=head, splice=head != "head")


def add_import_tables(op: Operations | Any) -> None:
    """The bulk-import tables of :mod:`hrss_shared.imports` (``imports``, ``import_acceptances``,
    ``import_rejections``): one migration of a service that adopts imports calls this. Frozen DDL, the same
    schema employment created in its migration 0006 (a later change gets a helper of its own)."""
    import sqlalchemy as sa

    op.create_table(
        "imports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_imports"),
    )
    for column in ("county_code", "received_at", "status", "submitted_by"):
        op.create_index(f"ix_imports_{column}", "imports", [column])
    op.create_table(
        "import_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name="fk_import_acceptances_import_id_imports"),
        sa.PrimaryKeyConstraint("id", name="pk_import_acceptances"),
    )
    op.create_index("ix_import_acceptances_import_line", "import_acceptances", ["import_id", "line"])
    op.create_table(
        "import_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=40), nullable=True),
        sa.Column("raw", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name="fk_import_rejections_import_id_imports"),
        sa.PrimaryKeyConstraint("id", name="pk_import_rejections"),
    )
    op.create_index("ix_import_rejections_import_line", "import_rejections", ["import_id", "line"])


def drop_import_tables(op: Operations | Any) -> None:
    for table in ("import_rejections", "import_acceptances", "imports"):
        op.drop_table(table)  # their indexes go with them
