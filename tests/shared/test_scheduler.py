"""Scheduled jobs: slots, one run per slot across instances, catch-up, failures, leases and status."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, Integer, String, Table, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.sql.sqltypes import UTCDateTime

from hrss_shared import db
from hrss_shared.scheduler import (
    SHANGHAI,
    Daily,
    Every,
    Job,
    JobContext,
    Scheduler,
    create_scheduler_table,
    drop_scheduler_table,
    scheduler_table,
)
from tests.conftest import DbFactory

DAY1_0200 = datetime(2026, 3, 1, 2, 0, tzinfo=SHANGHAI)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- schedules --------------------------------------------------------------------------------------------------


def test_daily_slots_are_wall_clock_times_in_shanghai() -> None:
    daily = Daily(time(2, 0))
    assert daily.latest_due(utc(2026, 3, 1, 17, 59)) == utc(2026, 2, 28, 18, 0)
    assert daily.latest_due(utc(2026, 3, 1, 18, 0)) == utc(2026, 3, 1, 18, 0)
    assert daily.next_due(utc(2026, 3, 1, 17, 59)) == utc(2026, 3, 1, 18, 0)
    assert daily.next_due(utc(2026, 3, 1, 18, 0)) == utc(2026, 3, 2, 18, 0)
    assert daily.latest_due(datetime(2026, 3, 2, 1, 59, tzinfo=SHANGHAI)).tzinfo is UTC
    assert daily.describe() == "daily at 02:00 Asia/Shanghai"


def test_every_slots_are_aligned_to_the_epoch() -> None:
    hourly = Every(timedelta(hours=1))
    assert hourly.latest_due(utc(2026, 3, 1, 10, 30)) == utc(2026, 3, 1, 10, 0)
    assert hourly.latest_due(utc(2026, 3, 1, 10, 0)) == utc(2026, 3, 1, 10, 0)
    assert hourly.next_due(utc(2026, 3, 1, 10, 0)) == utc(2026, 3, 1, 11, 0)
    assert hourly.latest_due(datetime(2026, 3, 1, 18, 30, tzinfo=SHANGHAI)) == utc(2026, 3, 1, 10, 0)
    odd = Every(timedelta(minutes=45))
    slot = odd.latest_due(utc(2026, 3, 1, 10, 30))
    assert (slot - datetime(1970, 1, 1, tzinfo=UTC)) % timedelta(minutes=45) == timedelta(0)
    assert slot <= utc(2026, 3, 1, 10, 30) < odd.next_due(utc(2026, 3, 1, 10, 30)) == slot + timedelta(minutes=45)


def test_schedules_refuse_naive_times_and_bad_intervals() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Daily(time(2, 0)).latest_due(datetime(2026, 3, 1, 2, 0))
    with pytest.raises(ValueError, match="positive"):
        Every(timedelta(0))


# --- the scheduler on SQLite and PostgreSQL --------------------------------------------------------------------


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Env:
    engine: AsyncEngine
    maker: db.SessionMaker
    table: Table
    runs: Table
    clock: Clock = field(default_factory=lambda: Clock(DAY1_0200.astimezone(UTC)))

    def scheduler(self, owner: str, *jobs: Job, **kwargs: Any) -> Scheduler:
        return Scheduler(self.maker, self.table, jobs, owner, clock=self.clock, **kwargs)

    def recording_job(self, name: str, schedule: Any, calls: list[datetime], pause: float = 0.05) -> Job:
        """A job that counts its calls and writes one row per run in its own committed session."""

        async def body(ctx: JobContext) -> str:
            calls.append(ctx.scheduled_for)
            await asyncio.sleep(pause)
            async with ctx.maker() as session, session.begin():
                await (await session.connection()).execute(
                    insert(self.runs).values(job=name, scheduled_for=ctx.scheduled_for))
            return f"ran for {ctx.scheduled_for.isoformat()}"

        return Job(name, schedule, body)

    async def written(self, name: str) -> list[datetime]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(self.runs.c.scheduled_for).where(self.runs.c.job == name)
                                      .order_by(self.runs.c.id))
            return [r.scheduled_for for r in rows]

    async def row(self, name: str) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(self.table).where(self.table.c.name == name))).one()


@pytest.fixture
async def env(make_db: DbFactory) -> AsyncIterator[Env]:
    engine = db.make_engine(await make_db("scheduler"))
    metadata = db.new_registry().metadata
    table = scheduler_table(metadata)
    runs = Table("job_runs", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("job", String(100), nullable=False), Column("scheduled_for", UTCDateTime(), nullable=False))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield Env(engine, db.make_sessionmaker(engine), table, runs)
    finally:
        await engine.dispose()


async def test_concurrent_instances_run_each_slot_exactly_once(env: Env) -> None:
    calls: list[datetime] = []
    job = env.recording_job("hourly", Every(timedelta(hours=1)), calls)
    instances = [env.scheduler(f"instance-{i}", job) for i in range(4)]
    slots = []
    for _ in range(3):
        slots.append(env.clock.now)
        ran = await asyncio.gather(*(s.tick() for s in instances))
        assert sorted(len(r) for r in ran) == [0, 0, 0, 1]
        assert not any(await asyncio.gather(*(s.tick() for s in instances)))  # the slot is done
        env.clock.advance(minutes=59)
        assert not any(await asyncio.gather(*(s.tick() for s in instances)))  # still the same slot
        env.clock.advance(minutes=1)
    assert calls == slots
    assert await env.written("hourly") == slots
    assert (await env.row("hourly")).runs == 3


async def test_a_running_job_holds_its_lease_against_other_instances(env: Env) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def slow(ctx: JobContext) -> str:
        nonlocal calls
        calls += 1
        started.set()
        await release.wait()
        return "done"

    job = Job("slow", Daily(time(2, 0)), slow)
    a, b = env.scheduler("a", job), env.scheduler("b", job)
    first = asyncio.create_task(a.tick())
    await asyncio.wait_for(started.wait(), 10)
    assert (await b.status())["slow"]["running"] is True
    assert await asyncio.wait_for(b.tick(), 10) == []
    assert await asyncio.wait_for(b.run_now("slow"), 10) is None
    release.set()
    assert await asyncio.wait_for(first, 10) == ["slow"]
    assert calls == 1
    status = await b.status()
    assert status["slow"]["running"] is False
    assert status["slow"]["last_outcome"] == "done"


class GatedMaker:
    """Sessions after the first ``free`` ones wait for ``gate``: freezes an instance between reading and claiming."""

    def __init__(self, maker: db.SessionMaker, free: int) -> None:
        self.maker, self.free, self.opened, self.gate, self.waiting = maker, free, 0, asyncio.Event(), asyncio.Event()

    def __call__(self) -> Any:
        self.opened += 1
        return self._session() if self.opened > self.free else self.maker()

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[Any]:
        self.waiting.set()
        await self.gate.wait()
        async with self.maker() as session:
            yield session


async def test_an_instance_that_read_a_stale_row_does_not_run_the_slot_again(env: Env) -> None:
    calls: list[datetime] = []
    job = env.recording_job("hourly", Every(timedelta(hours=1)), calls, pause=0)
    a = env.scheduler("a", job)
    assert await a.tick() == ["hourly"]
    env.clock.advance(hours=1)
    gated = GatedMaker(env.maker, free=1)
    b = Scheduler(gated, env.table, [job], "b", clock=env.clock)
    late = asyncio.create_task(b.tick())
    await asyncio.wait_for(gated.waiting.wait(), 10)  # b has read the slot as pending, its claim waits
    assert await a.tick() == ["hourly"]
    gated.gate.set()
    assert await asyncio.wait_for(late, 10) == []
    assert calls == [DAY1_0200, DAY1_0200 + timedelta(hours=1)]


async def test_catch_up_runs_once_for_the_latest_missed_slot(env: Env) -> None:
    calls: list[datetime] = []
    scheduler = env.scheduler("a", env.recording_job("expire_vouchers", Daily(time(2, 0)), calls))
    assert await scheduler.tick() == ["expire_vouchers"]
    assert await scheduler.tick() == []
    env.clock.now = datetime(2026, 3, 4, 3, 0, tzinfo=SHANGHAI).astimezone(UTC)  # down for three days
    assert await scheduler.tick() == ["expire_vouchers"]
    assert await scheduler.tick() == []
    expected = [DAY1_0200, datetime(2026, 3, 4, 2, 0, tzinfo=SHANGHAI)]
    assert calls == expected
    assert await env.written("expire_vouchers") == expected
    assert (await env.row("expire_vouchers")).last_scheduled_for == expected[-1]


async def test_a_failing_job_records_the_error_and_is_retried_with_backoff(env: Env) -> None:
    attempts = 0

    async def flaky(ctx: JobContext) -> str:
        nonlocal attempts
        attempts += 1
        if attempts <= 2:
            raise RuntimeError(f"database of the bank unreachable ({attempts})")
        return "closed 4 cases"

    scheduler = env.scheduler("a", Job("close_cases", Every(timedelta(hours=1)), flaky), tick=30)
    assert await scheduler.tick() == ["close_cases"]
    status = (await scheduler.status())["close_cases"]
    assert "unreachable (1)" in status["last_error"]
    assert status["last_scheduled_for"] is None
    assert status["failures"] == 1
    assert status["running"] is False
    assert scheduler.last_status["close_cases"].error is not None

    assert await scheduler.tick() == []  # paused for one tick (30 s)
    env.clock.advance(seconds=31)
    assert await scheduler.tick() == ["close_cases"]  # second failure: paused for 60 s
    assert (await scheduler.status())["close_cases"]["failures"] == 2
    env.clock.advance(seconds=31)
    assert await scheduler.tick() == []
    env.clock.advance(seconds=30)
    assert await scheduler.tick() == ["close_cases"]
    status = (await scheduler.status())["close_cases"]
    assert status["last_error"] is None
    assert status["last_outcome"] == "closed 4 cases"
    assert status["failures"] == 0
    assert status["runs"] == 3
    assert status["last_scheduled_for"] == DAY1_0200.astimezone(UTC).isoformat()
    assert attempts == 3


async def test_the_retry_pause_is_capped(env: Env) -> None:
    async def broken(ctx: JobContext) -> str:
        raise ValueError("always")

    scheduler = env.scheduler("a", Job("broken", Every(timedelta(hours=1)), broken), tick=30,
                              max_retry_delay=timedelta(minutes=2))
    for _ in range(5):
        assert await scheduler.tick() == ["broken"]
        env.clock.advance(seconds=121)
    row = await env.row("broken")
    assert row.failures == 5
    assert row.lease_owner is None
    assert row.lease_until == env.clock.now - timedelta(seconds=121) + timedelta(minutes=2)


async def test_a_dead_owners_lease_blocks_until_it_expires(env: Env) -> None:
    calls: list[datetime] = []
    scheduler = env.scheduler("alive", env.recording_job("coverage_gaps", Daily(time(2, 0)), calls))
    now = env.clock.now
    async with env.engine.begin() as conn:
        await conn.execute(insert(env.table).values(name="coverage_gaps", runs=0, failures=0, lease_owner="dead",
                                                    lease_until=now + timedelta(minutes=10), last_started_at=now))
    assert await scheduler.tick() == []
    assert (await scheduler.status())["coverage_gaps"]["running"] is True
    env.clock.advance(minutes=9)
    assert await scheduler.tick() == []
    env.clock.advance(minutes=2)
    assert (await scheduler.status())["coverage_gaps"]["running"] is False
    assert await scheduler.tick() == ["coverage_gaps"]
    row = await env.row("coverage_gaps")
    assert (row.lease_owner, row.lease_until, row.last_scheduled_for) == (None, None, DAY1_0200)
    assert calls == [DAY1_0200]


async def test_status_shows_the_last_outcome_and_the_next_slot(env: Env) -> None:
    async def expire(ctx: JobContext) -> str:
        return "expired 12 vouchers"

    scheduler = env.scheduler("a", Job("expire_vouchers", Daily(time(2, 0)), expire))
    before = (await scheduler.status())["expire_vouchers"]
    assert before["last_outcome"] is None and before["last_finished_at"] is None and before["runs"] == 0
    env.clock.advance(minutes=5)
    await scheduler.tick()
    status = await scheduler.status()
    assert status == {"expire_vouchers": {
        "schedule": "daily at 02:00 Asia/Shanghai",
        "last_scheduled_for": "2026-02-28T18:00:00+00:00",
        "last_finished_at": "2026-02-28T18:05:00+00:00",
        "last_outcome": "expired 12 vouchers",
        "last_error": None,
        "last_duration_ms": status["expire_vouchers"]["last_duration_ms"],
        "runs": 1,
        "failures": 0,
        "next_due": "2026-03-01T18:00:00+00:00",
        "running": False,
    }}
    record = scheduler.last_status["expire_vouchers"]
    assert (record.outcome, record.error, record.scheduled_for) == ("expired 12 vouchers", None, DAY1_0200)


async def test_run_now_runs_the_current_slot_again(env: Env) -> None:
    calls: list[datetime] = []
    scheduler = env.scheduler("operator", env.recording_job("arrears", Every(timedelta(hours=1)), calls))
    assert await scheduler.tick() == ["arrears"]
    record = await scheduler.run_now("arrears")
    assert record is not None and record.outcome is not None and record.error is None
    assert calls == [DAY1_0200, DAY1_0200]
    assert (await env.row("arrears")).runs == 2
    with pytest.raises(KeyError):
        await scheduler.run_now("unknown")


async def test_run_loop_ticks_until_cancelled_and_cancel_releases_the_lease(env: Env) -> None:
    calls: list[datetime] = []
    quick = env.recording_job("quick", Every(timedelta(hours=1)), calls, pause=0)
    scheduler = env.scheduler("a", quick, tick=0.01)
    loop = asyncio.create_task(scheduler.run())
    for _ in range(500):
        if calls:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
    assert calls == [DAY1_0200]

    started = asyncio.Event()

    async def hangs(ctx: JobContext) -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    stuck = env.scheduler("b", Job("hangs", Every(timedelta(hours=1)), hangs))
    task = asyncio.create_task(stuck.tick())
    await asyncio.wait_for(started.wait(), 10)
    assert (await env.row("hangs")).lease_owner == "b"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    row = await env.row("hangs")
    assert (row.lease_owner, row.lease_until, row.last_scheduled_for) == (None, None, None)


async def test_the_migration_helper_builds_the_table_the_metadata_describes(make_db: DbFactory) -> None:
    engine = db.make_engine(await make_db("scheduler_ddl"))
    metadata = db.new_registry().metadata
    scheduler_table(metadata)

    def migrate_and_compare(connection: Any) -> list[Any]:
        op = Operations(MigrationContext.configure(connection))
        create_scheduler_table(op)
        diff = list(compare_metadata(MigrationContext.configure(connection), metadata))
        drop_scheduler_table(op)
        assert "scheduled_jobs" not in inspect(connection).get_table_names()
        return diff

    try:
        async with engine.begin() as conn:
            assert await conn.run_sync(migrate_and_compare) == []
    finally:
        await engine.dispose()


async def test_two_instances_insert_the_row_at_once(env: Env) -> None:
    calls: list[datetime] = []
    job = env.recording_job("first_start", Daily(time(2, 0)), calls)
    results = await asyncio.gather(*(env.scheduler(f"i{i}", job).tick() for i in range(3)))
    assert sum(len(r) for r in results) == 1
    async with env.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(env.table))).scalar_one() == 1
    assert len(calls) == 1

