"""hrss_shared.db.BulkWrite: the same rows as SQLAlchemy's own executemany, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Numeric, String, Table, Text, insert, select

from hrss_shared import db
from hrss_shared.infra import infra_tables
from tests.conftest import DbFactory

metadata = MetaData()
PROCESSED = infra_tables(metadata).processed_events
DOCS = Table("docs", metadata, Column("key", String(20), primary_key=True), Column("section", String(20),
             primary_key=True), Column("doc", Text, nullable=False))
COLUMNS = ("source", "event_id", "event_type", "topic", "partition", "offset", "processed_at")


async def test_rows_written_in_bulk_read_back_like_sqlalchemys(make_db: DbFactory) -> None:
    engine = db.make_engine(await make_db("bulk"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    maker = db.make_sessionmaker(engine)
    now = datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
    beijing = now.astimezone(timezone(timedelta(hours=8)))  # another offset: stored in UTC like SQLAlchemy stores it
    try:
        async with maker() as session, session.begin():
            await session.execute(insert(PROCESSED), [
                {"source": "/a", "event_id": "e1", "event_type": "t", "topic": "x", "partition": 0, "offset": 1,
                 "processed_at": now}])
            await db.BulkWrite(insert(PROCESSED), COLUMNS).execute(session, [
                ("/a", "e2", "t", "x", 0, 2, now), ("/a", "e3", "t", "x", 1, 3, beijing),
                ("/b", "e1", "t", "x", 0, 4, now),
            ])
            await db.BulkWrite(insert(PROCESSED), COLUMNS).execute(session, [])  # nothing to write: no statement
        async with maker() as session:
            rows = (await session.execute(
                select(PROCESSED.c.source, PROCESSED.c.event_id, PROCESSED.c.offset, PROCESSED.c.processed_at)
                .order_by(PROCESSED.c.offset))).all()
        assert [tuple(r) for r in rows] == [("/a", "e1", 1, now), ("/a", "e2", 2, now), ("/a", "e3", 3, now),
                                            ("/b", "e1", 4, now)]
        if engine.dialect.name == "sqlite":  # the very text SQLAlchemy's DateTime stores
            async with engine.connect() as conn:
                stored = (await conn.exec_driver_sql("SELECT processed_at FROM processed_events")).scalars().all()
            assert set(stored) == {"2026-03-01 08:00:00.123456"}

        # An upsert in columns order different from the table's: the conflict updates, the others insert.
        upsert = db.Upsert(DOCS, ("key", "section"), ("doc", "key", "section"))
        async with maker() as session, session.begin():
            await upsert.execute(session, [('{"v":1}', "k1", "a"), ('{"v":1}', "k2", "a")])
        async with maker() as session, session.begin():
            await upsert.execute(session, [('{"v":2}', "k1", "a"), ('{"v":2}', "k1", "b")])
        async with maker() as session:
            docs = (await session.execute(select(DOCS).order_by(DOCS.c.key, DOCS.c.section))).all()
        assert [tuple(r) for r in docs] == [("k1", "a", '{"v":2}'), ("k1", "b", '{"v":2}'), ("k2", "a", '{"v":1}')]
    finally:
        await engine.dispose()


DAYS = Table("days", metadata, Column("n", Integer, primary_key=True), Column("day", Date),
             Column("at", DateTime), Column("amount", Numeric(12, 2)))


async def test_dates_times_and_amounts_are_stored_as_sqlalchemy_stores_them(make_db: DbFactory) -> None:
    """Converted a column at a time, a date remembered per day: the same stored values as SQLAlchemy's executemany,
    whatever repeats (the same day as another object, a datetime given for a date, equal amounts written
    differently)."""
    engine = db.make_engine(await make_db("bulk_days"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    maker = db.make_sessionmaker(engine)
    at = datetime(2026, 3, 1, 8, 0, 0, 123456)
    rows = [(1, date(2026, 1, 15), at, Decimal("1.0")), (2, date(2026, 1, 15), None, Decimal("1.00")),
            (3, None, at, None), (4, datetime(2026, 1, 16, 9, 30), at + timedelta(seconds=1), Decimal("2.50")),
            (5, date(2026, 1, 16), at, Decimal("2.5")), (6, date(2026, 1, 15), at, Decimal("0"))]
    try:
        async with maker() as session, session.begin():
            await db.BulkWrite(insert(DAYS), ("n", "day", "at", "amount")).execute(session, rows[:3])
            await session.execute(insert(DAYS), [dict(zip(("n", "day", "at", "amount"), row, strict=True))
                                                 for row in [(n + 10, *rest) for n, *rest in rows]])
            await db.BulkWrite(insert(DAYS), ("n", "day", "at", "amount")).execute(session, rows[3:])
        async with engine.connect() as conn:
            stored = {n: rest for n, *rest in (await conn.exec_driver_sql(
                "SELECT n, day, at, amount FROM days ORDER BY n")).all()}
        for n in range(1, 7):
            assert stored[n] == stored[n + 10], n  # as the driver returns them: the text SQLite holds, or values
        if engine.dialect.name == "sqlite":
            assert stored[4][0] == "2026-01-16" and stored[1][0] == stored[6][0] == "2026-01-15"
    finally:
        await engine.dispose()


OWNED = Table("owned", metadata, Column("key", String(20), primary_key=True), Column("value", Text),
              Column("owner_note", Text))


async def test_an_upsert_keeps_the_columns_it_is_told_to_and_writes_in_chunks(make_db: DbFactory) -> None:
    """``keep``: a column another writer owns survives the update of an existing row, and is written on a new one;
    an upsert with nothing left to set inserts the new keys and leaves existing rows alone (ON CONFLICT DO NOTHING);
    rows beyond one chunk go in further statements of the same transaction."""
    engine = db.make_engine(await make_db("bulk_upsert"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    maker = db.make_sessionmaker(engine)
    columns = ("key", "value", "owner_note")
    try:
        async with maker() as session, session.begin():
            await db.Upsert(OWNED, ("key",), columns).execute(session, [("a", "1", "mine"), ("b", "1", "mine")])
        async with maker() as session, session.begin():
            await db.Upsert(OWNED, ("key",), columns, keep=("owner_note",), chunk=2).execute(
                session, [("a", "2", "theirs"), ("c", "2", "theirs"), ("d", "2", None)])
            await db.Upsert(OWNED, ("key",), ("key",)).execute(session, [("b",), ("e",)])
        async with maker() as session:
            rows = (await session.execute(select(OWNED).order_by(OWNED.c.key))).all()
        assert [tuple(r) for r in rows] == [("a", "2", "mine"), ("b", "1", "mine"), ("c", "2", "theirs"),
                                            ("d", "2", None), ("e", None, None)]
    finally:
        await engine.dispose()
