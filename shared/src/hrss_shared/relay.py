"""Outbox relay: publishes committed outbox rows to Kafka in order and marks them sent.

PostgreSQL: rows are claimed with ``FOR UPDATE SKIP LOCKED`` inside the publishing transaction,
so several instances never publish the same row, and that transaction first takes a transaction-level
advisory lock (``pg_try_advisory_xact_lock``), so one relay publishes at a time: a relay that skipped
another's locked batch would publish later rows first, and one key's events would reach their partition
out of order. The loser tries again shortly; a dead relay's lock ends with its connection. SQLite: a file
lock beside the database makes one relay the single writer. A crash between publish and mark
re-publishes (at-least-once); consumers dedupe on (source, id).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Integer, Row, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared.db import Prepared, SessionMaker, among, among_values
from hrss_shared.kafka import ProducerFactory
from hrss_shared.logs import get_logger

log = get_logger(__name__)

CONTENDED_RETRY = 0.02  # seconds: another instance's relay holds the publishing lock (PostgreSQL) for one batch


class Backoff:
    """Exponential backoff with a ceiling, reset after a success."""

    def __init__(self, first: float = 0.2, ceiling: float = 10.0) -> None:
        self.first, self.ceiling, self.current = first, ceiling, first

    def next(self) -> float:
        delay, self.current = self.current, min(self.current * 2, self.ceiling)
        return delay

    def reset(self) -> None:
        self.current = self.first


class FileLock:
    """Non-blocking exclusive ``flock`` held for the relay's lifetime (SQLite single writer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self._fh is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - held open on purpose
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return True

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class OutboxRelay:
    def __init__(
        self,
        *,
        maker: SessionMaker,
        table: Table,
        producers: ProducerFactory,
        dialect: str,
        lock: FileLock | None = None,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        reader: SessionMaker | None = None,
    ) -> None:
        self.maker = maker
        self.reader = reader or maker
        self.table = table
        self.producers = producers
        self.dialect = dialect
        self.lock = lock
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._wake = asyncio.Event()
        self.published_total = 0
        self.healthy = False
        self._stopping = False
        self._running = False
        self._finished = asyncio.Event()
        self._contended = False  # the last batch found another relay publishing from the same database
        self._lock_key = zlib.crc32(f"hrss_shared.relay:{table.name}".encode())
        # The relay's statements, compiled once and run through the driver (hrss_shared.db.Prepared): it runs them
        # for every batch, often a batch of one event, where the ORM's per-statement work cost more than SQLite's.
        t = table
        pending = (select(t.c.id, t.c.topic, t.c.key, t.c.payload, t.c.event_type)
                   .where(t.c.published_at.is_(None)).order_by(t.c.id).limit(bindparam("limit", type_=Integer)))
        self._pending = Prepared(pending.with_for_update(skip_locked=True) if dialect == "postgresql" else pending,
                                 ("limit",))
        ids = among(t.c.id, "ids", postgres=dialect == "postgresql", element=Integer())
        self._mark_sent = Prepared(
            update(t).where(ids).values(published_at=bindparam("at", type_=t.c.published_at.type)), ("at", "ids"))

    def wake(self) -> None:
        """Called after a commit that staged events, so they go out without waiting for the poll."""
        self._wake.set()

    async def finish(self, within: float = 2.0) -> None:
        """Stop after the batch in flight is published and marked (so a clean stop re-publishes nothing), waiting
        at most ``within`` seconds; the caller cancels the task if it has not ended by then."""
        self._stopping = True
        self._wake.set()
        if not self._running:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._finished.wait(), within)

    async def run(self) -> None:
        backoff = Backoff()
        self._running = True
        try:
            while not self._stopping:
                try:
                    if self.lock is not None and not self.lock.try_acquire():
                        await self._idle(1.0)
                        continue
                    producer = await self.producers.get()
                    sent = await self.publish_batch(producer)
                    self.healthy = True
                    backoff.reset()
                    if self._contended:
                        await self._idle(CONTENDED_RETRY)
                    elif sent < self.batch_size:
                        await self._idle(self.poll_interval)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the relay must survive broker outages
                    self.healthy = False
                    delay = backoff.next()
                    log.warning("relay_publish_failed", error=repr(exc), retry_in=delay)
                    await self.producers.reset()
                    await asyncio.sleep(delay)
        finally:
            try:
                await self.producers.close()
            finally:
                if self.lock is not None:
                    self.lock.release()
                self._finished.set()

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """Publish up to ``batch_size`` pending rows; return how many were published."""
        self._contended = False
        if self.dialect == "postgresql":
            async with self.maker() as session, session.begin():
                # One publisher at a time keeps the id order (held until this transaction ends).
                if not (await session.execute(select(func.pg_try_advisory_xact_lock(self._lock_key)))).scalar():
                    self._contended = True
                    return 0
                rows = await self._pending.run(session, (self.batch_size,))
                if not rows:
                    return 0
                done, error = await self._send(producer, rows)
                await self._mark(session, done)
        else:
            # SQLite: the file lock makes this relay the only one; reading takes no write lock.
            async with self.reader() as session, session.begin():
                rows = await self._pending.run(session, (self.batch_size,))
            if not rows:
                return 0
            done, error = await self._send(producer, rows)
            async with self.maker() as session, session.begin():
                await self._mark(session, done)
        self.published_total += len(done)
        if error is not None:
            raise error
        return len(done)

    async def _send(self, producer: AIOKafkaProducer, rows: Sequence[Row[Any]]) -> tuple[list[int], Exception | None]:
        """Send rows in id order; return the ids acknowledged before the first failure."""
        futures = []
        error: Exception | None = None
        for row in rows:
            try:
                futures.append(
                    await producer.send(
                        row.topic,
                        value=row.payload.encode(),
                        key=row.key.encode(),
                        headers=[("content-type", b"application/cloudevents+json")],
                    )
                )
            except Exception as exc:  # noqa: BLE001
                error = exc
                break
        results = await asyncio.gather(*futures, return_exceptions=True)
        done: list[int] = []
        for row, result in zip(rows, results, strict=False):
            if isinstance(result, BaseException):
                error = error or (result if isinstance(result, Exception) else RuntimeError(repr(result)))
                break
            done.append(row.id)
        return done, error

    async def _mark(self, session: AsyncSession, ids: list[int]) -> None:
        if ids:
            await self._mark_sent.run(
                session, (datetime.now(UTC), among_values(ids, postgres=self.dialect == "postgresql")))
