"""Database mechanisms: read sessions take no write lock, writers queue, busy SQLite never blocks the loop,
key look-ups, and the group-committing audit writer."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from hrss_shared import db, sqlite_inline
from hrss_shared.audit import AuditChain, AuditWriter
from hrss_shared.infra import infra_tables
from tests.conftest import DbFactory
from tests.support import InProcessService, offline

metadata = MetaData()
things = Table("things", metadata, Column("key", String(20), primary_key=True), Column("n", Integer))
audit_metadata = MetaData()
AUDIT = infra_tables(audit_metadata).audit_log


async def engine_for(url: str, meta: MetaData = metadata, **kwargs: Any) -> db.AsyncEngine:
    engine = db.make_engine(url, **kwargs)
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    return engine


async def test_a_read_session_does_not_wait_for_a_writer(make_db: DbFactory) -> None:
    engine = await engine_for(await make_db("reads"))
    maker, reader = db.make_sessionmaker(engine), db.make_reader(engine)
    async with maker() as session, session.begin():
        await session.execute(insert(things).values(key="a", n=1))
    try:
        async with maker() as writing, writing.begin():
            await writing.execute(things.update().values(n=2))
            started = time.perf_counter()
            async with reader() as session:  # while the writer holds its lock, uncommitted
                n = (await session.execute(select(things.c.n))).scalar_one()
            assert n == 1, "a reader sees the last committed state"
            assert time.perf_counter() - started < 1.0
        async with reader() as session:
            assert (await session.execute(select(things.c.n))).scalar_one() == 2
    finally:
        await engine.dispose()


async def test_writers_of_one_process_queue_and_all_commit(tmp_path: Path) -> None:
    engine = await engine_for(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    maker = db.make_sessionmaker(engine)
    async with maker() as session, session.begin():
        await session.execute(insert(things).values(key="counter", n=0))

    async def bump() -> None:
        async with maker() as session, session.begin():
            n = (await session.execute(select(things.c.n).where(things.c.key == "counter"))).scalar_one()
            await asyncio.sleep(0.001)  # a read-then-write transaction, interleaved with the others
            await session.execute(things.update().where(things.c.key == "counter").values(n=n + 1))

    try:
        await asyncio.gather(*(bump() for _ in range(40)))
        async with maker() as session:
            assert (await session.execute(select(things.c.n))).scalar_one() == 40, "no lost update, no busy error"
    finally:
        await engine.dispose()


async def test_busy_sqlite_is_retried_without_blocking_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "busy.db"
    engine = await engine_for(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)  # another process's connection, in effect
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def release_later() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    clock_task = asyncio.create_task(ticker())
    try:
        maker = db.make_sessionmaker(engine)
        started = time.perf_counter()
        releaser = asyncio.create_task(release_later())
        async with maker() as session, session.begin():
            await session.execute(insert(things).values(key="late", n=1))
        waited = time.perf_counter() - started
        await releaser
        assert waited >= 0.25, "the write waited for the other writer"
        assert ticks >= 15, "the loop kept running while the write waited"
        monkeypatch.setattr(sqlite_inline, "BUSY_TIMEOUT", 0.2)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(Exception, match="locked"):
            async with maker() as session, session.begin():
                await session.execute(insert(things).values(key="never", n=1))
        other.execute("ROLLBACK")
    finally:
        clock_task.cancel()
        other.close()
        await engine.dispose()


async def test_key_lookups_read_committed_rows_by_key(make_db: DbFactory) -> None:
    url = await make_db("lookups")
    engine = await engine_for(url)
    lookups = db.KeyLookups(url)
    try:
        async with db.make_sessionmaker(engine)() as session, session.begin():
            await session.execute(insert(things), [{"key": "a", "n": 1}, {"key": "b", "n": 2}])
        assert await lookups.rows("things", "key", "a", ("key", "n")) == [("a", 1)]
        assert await lookups.rows("things", "key", "zz", ("n",)) == []
        async with db.make_sessionmaker(engine)() as session, session.begin():
            await session.execute(things.update().where(things.c.key == "a").values(n=5))
        assert await lookups.rows("things", "key", "a", ("n",)) == [(5,)], "sees the latest commit"
        assert await lookups.rows("things", "key", "a'; DROP TABLE things; --", ("n",)) == []
    finally:
        await lookups.close()
        await engine.dispose()


async def test_the_audit_writer_commits_concurrent_appends_together_and_fails_them_together(
    make_db: DbFactory,
) -> None:
    engine = await engine_for(await make_db("audit"), audit_metadata)
    maker = db.make_sessionmaker(engine)
    writer = AuditWriter(maker, AuditChain(AUDIT, "test-chain"))
    running = asyncio.create_task(writer.run())

    def row(i: int) -> dict[str, object]:
        return {"at": db_now(), "client_id": f"c{i}", "client_name": "n", "action": "GET /x", "subject": None,
                "purpose": None, "correlation_id": None, "fields": ["phone"]}

    try:
        await asyncio.gather(*(writer.append([row(i)]) for i in range(25)))
        async with maker() as session:
            assert (await session.execute(select(func.count()).select_from(AUDIT))).scalar_one() == 25
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE audit_log"))
        with pytest.raises(Exception, match="audit_log"):
            await asyncio.gather(*(writer.append([row(i)]) for i in range(3)))
    finally:
        running.cancel()
        await engine.dispose()


def db_now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)  # SQLite's single writer serialises anyway
async def test_lock_keys_holds_every_subject_of_a_batch_until_commit(make_db: DbFactory) -> None:
    """A consumer's batch locks its persons in one statement: another transaction cannot take any of them until the
    batch commits."""
    engine = await engine_for(await make_db("locks"))
    maker = db.make_sessionmaker(engine)
    try:
        async with maker() as batch, batch.begin():
            await db.lock_keys(batch, ["person:b", "person:a", "person:b"])
            try_lock = text("SELECT pg_try_advisory_xact_lock(hashtext(:k))")
            async with maker() as other, other.begin():
                taken = [(await other.execute(try_lock, {"k": k})).scalar() for k in ("person:a", "person:b")]
                free = (await other.execute(try_lock, {"k": "person:c"})).scalar()
            assert (taken, free) == ([False, False], True)
        async with maker() as other, other.begin():
            assert (await other.execute(try_lock, {"k": "person:a"})).scalar() is True
    finally:
        await engine.dispose()


async def test_prepared_statements_give_what_the_orm_would(make_db: DbFactory) -> None:
    """hrss_shared.db.Prepared, the busiest requests' statements through the driver: a bind named twice, given once;
    the statement's own LIMIT; an INSERT, and the same rows read back as the ORM reads them."""
    engine = await engine_for(await make_db("prepared"))
    maker = db.make_sessionmaker(engine)
    insert_thing = db.Prepared(insert(things), ("key", "n"))
    # Named twice (in the subquery and the outer WHERE), with a LIMIT of the statement's own.
    lookup = db.Prepared(
        select(things.c.key, things.c.n,
               select(func.count()).where(things.c.n >= bindparam("n")).scalar_subquery())
        .where(things.c.n >= bindparam("n")).order_by(things.c.key).limit(2),
        ("n",))
    try:
        async with maker() as session, session.begin():
            for key, n in (("a", 1), ("b", 2), ("c", 3), ("d", 4)):
                assert await insert_thing.run(session, (key, n)) == []
        async with maker() as session, session.begin():
            rows = await lookup.run(session, (2,))
            assert [tuple(r) for r in rows] == [("b", 2, 3), ("c", 3, 3)]
            assert rows[0].key == "b"  # rows keep their column names
            assert await lookup.run(session, (9,)) == []
            orm = (await session.execute(select(things.c.key, things.c.n).order_by(things.c.key))).all()
            assert [tuple(r) for r in orm] == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]
        with pytest.raises(IntegrityError):  # a duplicate key fails like the ORM's insert would
            async with maker() as session, session.begin():
                await insert_thing.run(session, ("a", 5))
    finally:
        await engine.dispose()


# ---- WAL checkpoints off the event loop (db.WalCheckpointer) --------------------------------------------------------

blob_metadata = MetaData()
blobs = Table("blobs", blob_metadata, Column("n", Integer, primary_key=True), Column("body", String))
PAGE = 4096


def wal_bytes(path: Path) -> int:
    return path.with_name(path.name + "-wal").stat().st_size


async def write_blobs(maker: db.SessionMaker, start: int, count: int) -> None:
    """``count`` commits of about a page each."""
    for n in range(start, start + count):
        async with maker() as session, session.begin():
            await session.execute(insert(blobs).values(n=n, body="x" * 4000))


@pytest.mark.parametrize("background", [False, True])
async def test_commits_checkpoint_the_wal_only_without_background_checkpoints(tmp_path: Path, background: bool) -> None:
    path = tmp_path / "w.db"
    engine = await engine_for(f"sqlite+aiosqlite:///{path}", blob_metadata, background_checkpoints=background)
    try:
        async with engine.connect() as conn:
            automatic = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
        await write_blobs(db.make_sessionmaker(engine), 0, 1500)
        if background:  # every page is still in the WAL, for the checkpointer
            assert automatic == 0
            assert wal_bytes(path) > 1500 * PAGE
        else:  # SQLite's own checkpoint at 1,000 pages, in a commit, started the WAL again
            assert automatic == 1000
            assert wal_bytes(path) < 1100 * (PAGE + 24)
    finally:
        await engine.dispose()


async def test_the_checkpointer_copies_the_wal_into_the_database_and_the_wal_is_reused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    engine = await engine_for(f"sqlite+aiosqlite:///{path}", blob_metadata, background_checkpoints=True)
    maker = db.make_sessionmaker(engine)
    checkpointer = db.WalCheckpointer(str(path), every=0.01)
    try:
        await write_blobs(maker, 0, 1500)
        assert path.stat().st_size < 100 * PAGE, "nothing checkpointed yet"
        task = asyncio.create_task(checkpointer.run())
        try:
            async with asyncio.timeout(10):
                while checkpointer.last is None or checkpointer.last[2] < checkpointer.last[1]:
                    await asyncio.sleep(0.01)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        busy, frames, copied = checkpointer.last
        assert busy == 0 and frames >= 1500 and copied == frames
        assert path.stat().st_size > 1500 * 4000, "the rows are in the database file"
        status = checkpointer.status()
        assert status["rounds"] >= 1 and status["wal_frames"] == frames == status["checkpointed_frames"]
        # The next writer after a complete checkpoint starts the WAL from its beginning: it does not grow.
        wal = wal_bytes(path)
        await write_blobs(maker, 1500, 500)
        assert wal_bytes(path) == wal
        async with maker() as session:
            assert (await session.execute(select(func.count()).select_from(blobs))).scalar_one() == 2000
    finally:
        await engine.dispose()


async def test_a_checkpointer_stopped_mid_checkpoint_closes_its_connection_only_after_it(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    engine = await engine_for(f"sqlite+aiosqlite:///{path}", blob_metadata, background_checkpoints=True)
    outcome: list[object] = []
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Slow(db.WalCheckpointer):
        def checkpoint(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
            loop.call_soon_threadsafe(started.set)
            time.sleep(0.3)  # the task is cancelled meanwhile
            try:
                outcome.append(super().checkpoint(conn))
            except Exception as exc:  # noqa: BLE001 - what a closed connection raises, recorded for the assertion
                outcome.append(exc)
            return (0, 0, 0)

    try:
        await write_blobs(db.make_sessionmaker(engine), 0, 100)
        task = asyncio.create_task(Slow(str(path), every=0.01).run())
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        async with asyncio.timeout(5):
            while not outcome:
                await asyncio.sleep(0.05)
        assert isinstance(outcome[0], tuple) and outcome[0][1] == outcome[0][2] >= 100, outcome
    finally:
        await engine.dispose()


async def test_a_service_on_sqlite_runs_its_checkpointer_and_reports_it(tmp_path: Path) -> None:
    settings = offline(EmploymentSettings, db_url=f"sqlite+aiosqlite:///{tmp_path / 'employment.db'}",
                       data_dir=tmp_path)
    async with InProcessService(create_employment, settings) as svc:
        runtime = svc.runtime
        assert runtime.checkpointer is not None and runtime.checkpointer.path == str(tmp_path / "employment.db")
        assert "wal-checkpoint" in {task.get_name() for task in runtime.tasks if not task.done()}
        async with runtime.engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one() == 0
        details = (await svc.client.get("/readyz")).json()["details"]
        assert details["wal_checkpoint"]["every_s"] == 1.0
