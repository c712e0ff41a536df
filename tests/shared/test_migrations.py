"""Each service's migrations build exactly the schema its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from hrss_shared import db, migrations
from tests.conftest import DbFactory
from tests.support import PostgresNode, migrate

SERVICES = ["employment", "training", "social_insurance", "labour_relations", "gateway"]


def _diff(connection: Any, metadata: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), metadata))


@pytest.mark.parametrize("package", SERVICES)
async def test_migrations_match_the_models(package: str, make_db: DbFactory) -> None:
    main = importlib.import_module(f"{package}.main")
    models = importlib.import_module(f"{package}.models")
    engine = db.make_engine(await make_db(f"mig_{package}"))
    try:
        await migrations.upgrade(engine, main.MIGRATIONS)
        await migrations.upgrade(engine, main.MIGRATIONS)  # a second start changes nothing
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff, models.metadata) == []
    finally:
        await engine.dispose()


async def test_audit_log_is_append_only_in_the_database(make_db: DbFactory) -> None:
    from employment.main import MIGRATIONS

    engine = db.make_engine(await make_db("mig_audit"))
    try:
        await migrations.upgrade(engine, MIGRATIONS)
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO audit_log (at, client_id, client_name, action) "
                "VALUES (CURRENT_TIMESTAMP, 'c', 'n', 'GET /x')"))
        for statement in ("UPDATE audit_log SET client_id = 'other'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("package", SERVICES)
async def test_outbox_payload_is_compressed_with_lz4_on_postgresql(package: str, postgres: PostgresNode) -> None:
    """Every service's outbox stores its event JSON LZ4-compressed on PostgreSQL (hrss_shared.migrations.
    compress_outbox_lz4); the downgrade goes back to the server's default. (SQLite has no compression to set.)"""
    main = importlib.import_module(f"{package}.main")
    engine = db.make_engine(await postgres.create_database(f"mig_lz4_{package}_{uuid.uuid4().hex[:8]}"))
    compression = text("SELECT attcompression::text FROM pg_attribute "
                       "WHERE attrelid = 'outbox'::regclass AND attname = 'payload'")
    try:
        await migrations.upgrade(engine, main.MIGRATIONS)
        async with engine.connect() as conn:
            assert (await conn.execute(compression)).scalar_one() == "l"
        await migrate(engine, main.MIGRATIONS, "downgrade", "-1")
        async with engine.connect() as conn:
            assert (await conn.execute(compression)).scalar_one() == ""
    finally:
        await engine.dispose()
