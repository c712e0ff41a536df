"""The shared import tables: ``add_import_tables`` builds exactly what ``import_tables`` defines, and exactly what
employment's migration 0006 built, so a service adopting imports and employment's existing databases agree."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import MetaData, inspect

from hrss_shared import db, migrations
from hrss_shared.imports import import_tables
from tests.conftest import DbFactory

TABLES = ("imports", "import_acceptances", "import_rejections")


def _apply(connection: Any, change: Any) -> None:
    change(Operations(MigrationContext.configure(connection)))


def _diff(connection: Any) -> list[Any]:
    metadata = MetaData(naming_convention=db.NAMING_CONVENTION)
    import_tables(metadata)
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _schema(connection: Any) -> dict[str, Any]:
    """Every column (type, nullability), key, foreign key and index of the import tables, by name."""
    found = inspect(connection)
    assert set(TABLES) <= set(found.get_table_names())
    return {
        table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            "pk": found.get_pk_constraint(table),
            "fks": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"],
                           tuple(f["referred_columns"])) for f in found.get_foreign_keys(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in found.get_indexes(table)),
        }
        for table in TABLES
    }


async def test_the_helper_builds_exactly_the_tables_the_models_define(make_db: DbFactory) -> None:
    engine = db.make_engine(await make_db("imp_helper"))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_apply, migrations.add_import_tables)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_the_helper_builds_what_employments_migration_built(make_db: DbFactory) -> None:
    from employment.main import MIGRATIONS

    employment = db.make_engine(await make_db("imp_employment"))
    fresh = db.make_engine(await make_db("imp_fresh"))
    try:
        await migrations.upgrade(employment, MIGRATIONS)
        async with fresh.begin() as conn:
            await conn.run_sync(_apply, migrations.add_import_tables)
        async with employment.connect() as a, fresh.connect() as b:
            assert await a.run_sync(_schema) == await b.run_sync(_schema)
    finally:
        await employment.dispose()
        await fresh.dispose()


async def test_dropping_the_tables_leaves_nothing(make_db: DbFactory) -> None:
    engine = db.make_engine(await make_db("imp_drop"))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_apply, migrations.add_import_tables)
            await conn.run_sync(_apply, migrations.drop_import_tables)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert not set(TABLES) & set(names)
    finally:
        await engine.dispose()
