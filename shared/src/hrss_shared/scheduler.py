"""Scheduled jobs (daily, hourly) run once across all instances of a service sharing one database.

Each job has a row in ``scheduled_jobs``. On every tick an instance computes the job's latest due
slot; if that slot is not done it claims the row's lease with one conditional UPDATE (works the
same on SQLite and PostgreSQL) and runs the job only if the UPDATE hit the row.

- Catch-up: after downtime over several slots the job runs ONCE, for the latest missed slot. Jobs
  are state-based ("expire every voucher past its date"), so one run covers all missed slots.
  A job seen for the first time runs at once for its latest slot.
- Failure: the slot is not marked done and the lease is released with ``lease_owner`` NULL and
  ``lease_until`` set to a retry time, min(tick * 2^(failures-1), 1 h) ahead. No instance claims
  the job before then, so a permanently failing job is retried with backoff instead of spinning.
  ``run_now`` ignores that pause (but not a live lease). A success resets ``failures``.
- A running job renews its lease every third of the lease; a dead instance's lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from alembic.operations import Operations
from sqlalchemy import Column, Integer, MetaData, Row, String, Table, Text, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.sql.sqltypes import UTCDateTime

from hrss_shared import clock as bureau_clock
from hrss_shared.db import SessionMaker
from hrss_shared.logs import get_logger

log = get_logger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ERROR_CHARS = 2000


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("scheduler times must be timezone-aware")
    return moment.astimezone(UTC)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Schedule(Protocol):
    def latest_due(self, now: datetime) -> datetime:
        """The most recent slot at or before ``now`` (aware, UTC)."""
        ...

    def next_due(self, now: datetime) -> datetime:
        """The first slot strictly after ``now`` (aware, UTC)."""
        ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Daily:
    """Once a day at a wall-clock time of the bureau's time zone."""

    at: time
    tz: ZoneInfo = SHANGHAI

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            raise ValueError("Daily.at is a wall-clock time without tzinfo")

    def _slot(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=self.tz).astimezone(UTC)

    def latest_due(self, now: datetime) -> datetime:
        now = _utc(now)
        day = now.astimezone(self.tz).date()
        slot = self._slot(day)
        return slot if slot <= now else self._slot(day - timedelta(days=1))

    def next_due(self, now: datetime) -> datetime:
        now = _utc(now)
        day = now.astimezone(self.tz).date()
        slot = self._slot(day)
        return slot if slot > now else self._slot(day + timedelta(days=1))

    def describe(self) -> str:
        return f"daily at {self.at.isoformat(timespec='minutes')} {self.tz.key}"


@dataclass(frozen=True)
class Every:
    """A fixed interval, slots aligned to the Unix epoch so every instance agrees."""

    interval: timedelta

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError("Every.interval must be positive")

    def latest_due(self, now: datetime) -> datetime:
        return EPOCH + (_utc(now) - EPOCH) // self.interval * self.interval

    def next_due(self, now: datetime) -> datetime:
        return self.latest_due(now) + self.interval

    def describe(self) -> str:
        return f"every {self.interval}"


@dataclass(frozen=True)
class JobContext:
    scheduled_for: datetime
    maker: SessionMaker


@dataclass(frozen=True)
class Job:
    """``run`` opens its own sessions, commits itself and returns a short outcome text."""

    name: str
    schedule: Schedule
    run: Callable[[JobContext], Awaitable[str | None]]


T = TypeVar("T")


def daily_job(
    name: str, at: time, outbox: Callable[[], Any], work: Callable[[Any, Any, date], Awaitable[T]],
    outcome: Callable[[T], str],
) -> Job:
    """The usual domain job: daily at ``at`` (Beijing time), ``work(session, outbox, today)`` in one transaction
    whose events go out through the service's outbox (``outbox`` answers it, e.g. an ``OutboxRef``), and
    ``outcome(result)`` as the run's outcome text."""

    async def run(context: JobContext) -> str:
        async with context.maker() as session, session.begin():
            result = await work(session, outbox(), bureau_clock.today())
        return outcome(result)

    return Job(name=name, schedule=Daily(at), run=run)


@dataclass(frozen=True)
class RunRecord:
    """One run as this instance saw it (``last_status``, for logs)."""

    name: str
    scheduled_for: datetime
    started_at: datetime
    finished_at: datetime
    duration_ms: int
    outcome: str | None
    error: str | None


def scheduler_table(metadata: MetaData) -> Table:
    """Define ``scheduled_jobs`` in a service's MetaData (call once per service)."""
    return Table(
        "scheduled_jobs",
        metadata,
        Column("name", String(100), primary_key=True),
        Column("lease_owner", String(100), nullable=True),
        Column("lease_until", UTCDateTime(), nullable=True),
        Column("last_scheduled_for", UTCDateTime(), nullable=True),
        Column("last_started_at", UTCDateTime(), nullable=True),
        Column("last_finished_at", UTCDateTime(), nullable=True),
        Column("last_outcome", Text, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("last_duration_ms", Integer, nullable=True),
        Column("runs", Integer, nullable=False, default=0),
        Column("failures", Integer, nullable=False, default=0),
    )


def create_scheduler_table(op: Operations | Any) -> None:
    """Create ``scheduled_jobs`` (version 1). Frozen DDL: later changes get a helper of their own."""
    import sqlalchemy as sa

    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_outcome", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_duration_ms", sa.Integer(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduled_jobs"),
    )


def drop_scheduler_table(op: Operations | Any) -> None:
    op.drop_table("scheduled_jobs")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class Scheduler:
    def __init__(
        self,
        maker: SessionMaker,
        table: Table,
        jobs: Sequence[Job],
        owner: str,
        lease: timedelta = timedelta(minutes=10),
        tick: float = 30.0,
        clock: Callable[[], datetime] = _utcnow,
        max_retry_delay: timedelta = timedelta(hours=1),
        reader: SessionMaker | None = None,
    ) -> None:
        self.jobs = {job.name: job for job in jobs}
        if len(self.jobs) != len(jobs):
            raise ValueError("job names must be unique")
        self.maker, self.table, self.owner, self.lease = maker, table, owner, lease
        self.tick_interval, self.clock, self.max_retry_delay = tick, clock, max_retry_delay
        self.last_status: dict[str, RunRecord] = {}
        self.reader = reader or maker  # reads need no write lock (see hrss_shared.db.make_reader)

    async def run(self) -> None:
        """Tick until cancelled; a failing tick (database down) is logged and retried on the next one."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the loop must outlive database outages
                log.warning("scheduler_tick_failed", owner=self.owner, error=repr(exc))
            await asyncio.sleep(self.tick_interval)

    async def tick(self) -> list[str]:
        """Run every job whose latest slot is not done and whose lease is free; return the names run here."""
        now = self.clock()
        rows = await self._rows()
        attempts: list[tuple[Job, datetime]] = []
        for job in self.jobs.values():
            due = job.schedule.latest_due(now)
            row = rows.get(job.name)
            if row is None:
                await self._insert(job.name)
            elif (row.last_scheduled_for is not None and row.last_scheduled_for >= due) or (
                row.lease_until is not None and row.lease_until >= now
            ):
                continue
            attempts.append((job, due))
        results = await asyncio.gather(
            *(self._attempt(job, now, due, force=False) for job, due in attempts), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [job.name for (job, _), result in zip(attempts, results, strict=True) if result is not None]

    async def run_now(self, name: str) -> RunRecord | None:
        """Run ``name`` for its current slot even if done; None when another instance holds the lease."""
        job = self.jobs[name]
        if name not in await self._rows():
            await self._insert(name)
        now = self.clock()
        return await self._attempt(job, now, job.schedule.latest_due(now), force=True)

    async def status(self) -> dict[str, dict[str, Any]]:
        """Per job: schedule, last run and outcome, next slot and whether a live lease is held (JSON-ready)."""
        now = self.clock()
        rows = await self._rows()
        out: dict[str, dict[str, Any]] = {}
        for job in self.jobs.values():
            row = rows.get(job.name)
            col: Callable[[str], Any] = (lambda c: None) if row is None else row._mapping.get
            lease_until = col("lease_until")
            out[job.name] = {
                "schedule": job.schedule.describe(),
                "last_scheduled_for": _iso(col("last_scheduled_for")),
                "last_finished_at": _iso(col("last_finished_at")),
                "last_outcome": col("last_outcome"),
                "last_error": col("last_error"),
                "last_duration_ms": col("last_duration_ms"),
                "runs": col("runs") or 0,
                "failures": col("failures") or 0,
                "next_due": _iso(job.schedule.next_due(now)),
                "running": col("lease_owner") is not None and lease_until is not None and lease_until > now,
            }
        return out

    async def _rows(self) -> dict[str, Row[Any]]:
        t = self.table
        async with self.reader() as session:
            result = await (await session.connection()).execute(select(t).where(t.c.name.in_(list(self.jobs))))
            return {row.name: row for row in result.all()}

    async def _insert(self, name: str) -> None:
        with contextlib.suppress(IntegrityError):  # another instance inserted it first
            await self._write(insert(self.table).values(name=name, runs=0, failures=0))

    async def _write(self, statement: Any) -> int:
        """Execute one statement in a short transaction of its own; return the rowcount."""
        async with self.maker() as session, session.begin():
            result = await (await session.connection()).execute(statement)
            return result.rowcount

    def _mine(self, name: str) -> Any:
        return and_(self.table.c.name == name, self.table.c.lease_owner == self.owner)

    async def _attempt(self, job: Job, now: datetime, due: datetime, *, force: bool) -> RunRecord | None:
        t = self.table
        free = or_(t.c.lease_until.is_(None), t.c.lease_until < now)
        if force:
            claimable = or_(t.c.lease_owner.is_(None), free)
        else:
            claimable = and_(free, or_(t.c.last_scheduled_for.is_(None), t.c.last_scheduled_for < due))
        claim = (
            update(t)
            .where(t.c.name == job.name, claimable)
            .values(lease_owner=self.owner, lease_until=now + self.lease, last_started_at=now)
        )
        if await self._write(claim) != 1:
            return None
        return await self._execute(job, due, now)

    async def _execute(self, job: Job, due: datetime, started_at: datetime) -> RunRecord:
        log.info("job_started", job=job.name, scheduled_for=due.isoformat(), owner=self.owner)
        start = monotonic()
        stop = asyncio.Event()
        keeper = asyncio.create_task(self._keep_lease(job.name, stop))
        outcome: str | None = None
        error: str | None = None
        try:
            outcome = await job.run(JobContext(scheduled_for=due, maker=self.maker))
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self._write(update(self.table).where(self._mine(job.name)).values(
                    lease_owner=None, lease_until=None))
            raise
        except Exception as exc:  # noqa: BLE001 - recorded and retried, never fatal to the scheduler
            error = repr(exc)[:MAX_ERROR_CHARS]
        finally:
            stop.set()
            await keeper
        record = RunRecord(job.name, due, started_at, self.clock(), int((monotonic() - start) * 1000),
                           outcome, error)
        await self._record(record)
        self.last_status[job.name] = record
        return record

    async def _record(self, record: RunRecord) -> None:
        t = self.table
        values: dict[str, Any] = {
            "last_finished_at": record.finished_at, "last_duration_ms": record.duration_ms, "runs": t.c.runs + 1,
        }
        async with self.maker() as session, session.begin():
            conn = await session.connection()
            if record.error is None:
                values.update(lease_owner=None, lease_until=None, last_scheduled_for=record.scheduled_for,
                              last_outcome=record.outcome, last_error=None, failures=0)
            else:
                failures = (await conn.execute(select(t.c.failures).where(t.c.name == record.name))).scalar_one()
                retry_at = record.finished_at + self._retry_delay(failures + 1)
                values.update(lease_owner=None, lease_until=retry_at, last_error=record.error, failures=failures + 1)
            hit = (await conn.execute(update(t).where(self._mine(record.name)).values(**values))).rowcount
        if hit != 1:
            log.warning("job_lease_lost", job=record.name, owner=self.owner)
        if record.error is None:
            log.info("job_finished", job=record.name, scheduled_for=record.scheduled_for.isoformat(),
                     outcome=record.outcome, duration_ms=record.duration_ms)
        else:
            log.error("job_failed", job=record.name, scheduled_for=record.scheduled_for.isoformat(),
                      error=record.error, duration_ms=record.duration_ms, retry_at=_iso(values["lease_until"]))

    def _retry_delay(self, failures: int) -> timedelta:
        seconds = self.tick_interval * 2 ** min(failures - 1, 32)
        return min(timedelta(seconds=seconds), self.max_retry_delay)

    async def _keep_lease(self, name: str, stop: asyncio.Event) -> None:
        """Extend the lease every third of its length while the job runs."""
        while True:
            try:
                await asyncio.wait_for(stop.wait(), self.lease.total_seconds() / 3)
                return
            except TimeoutError:
                pass
            try:
                await self._write(update(self.table).where(self._mine(name)).values(
                    lease_until=self.clock() + self.lease))
            except Exception as exc:  # noqa: BLE001 - the lease then simply runs out
                log.warning("job_lease_renewal_failed", job=name, error=repr(exc))
