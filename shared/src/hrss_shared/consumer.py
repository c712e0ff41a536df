"""Consumer runner: at-least-once delivery made effectively-once by a processed-event table.

Each poll is applied as one batch in one transaction: parse the CloudEvents, skip those whose (source, id)
is already recorded, run the handlers in offset order, record the new ids, commit, then commit the
offsets. A transient failure (the database unreachable, a lock or serialization conflict; see
:func:`hrss_shared.faults.is_transient`) is retried with capped backoff for as long as it lasts, holding the
position: nothing is skipped or dead-lettered because a dependency was down. Any other failure of a batch
applies it again one event per transaction, only to isolate the failing event: that one is retried a
bounded number of times and goes to ``<topic>.dlq`` with the reason, and the others apply. A record that is
not a valid CloudEvent, whose data breaks its contract, or that a handler rejects with
:class:`PermanentEventError` goes to the DLQ at once. ``hrss dlq replay`` re-drives dead-lettered events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import CommitFailedError, IllegalGenerationError, RebalanceInProgressError
from pydantic import ValidationError
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared import kafka_security
from hrss_shared.db import BulkWrite, SessionMaker, among, among_values
from hrss_shared.events import CloudEvent, Contract, ContractViolation, EventData, parse_once
from hrss_shared.faults import is_transient
from hrss_shared.kafka import ProducerFactory
from hrss_shared.logs import correlation_id, get_logger
from hrss_shared.outbox import PENDING_FLAG
from hrss_shared.registry import DLQ_SUFFIX
from hrss_shared.relay import Backoff

log = get_logger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
M = TypeVar("M", bound=EventData)
T = TypeVar("T")
MAX_POLL_RECORDS = 1000
RECORD_COLUMNS = ("source", "event_id", "event_type", "topic", "partition", "offset", "processed_at")
YIELD_EVERY = 50  # events applied between two turns given to the rest of the event loop


class PermanentEventError(Exception):
    """Raised by a handler when an event can never be applied (goes straight to the DLQ)."""


class BatchHook(Protocol):
    """Work around a batch's handlers in its transaction: prefetch before them, write back after them."""

    async def before(self, session: AsyncSession, events: Sequence[CloudEvent]) -> None: ...

    async def after(self, session: AsyncSession) -> None: ...


class BatchHandler:
    """A handler that applies a run of consecutive events of its type in one call (set-based: one query for the
    run instead of one per event). The runner hands it each run of its type within a batch, in offset order,
    events of other types between two runs applied between them; called with one event it is a plain
    :data:`Handler` (the runner's one-at-a-time fallback that isolates a failing event)."""

    def __init__(self, many: Callable[[AsyncSession, Sequence[CloudEvent]], Awaitable[None]]) -> None:
        self.many = many

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        await self.many(session, [event])


class Handlers:
    """Handlers by event type, each declared for a contract: the data arrives parsed as the contract's model.

    Data that does not validate against the contract is a :class:`PermanentEventError` (dead-lettered).
    """

    def __init__(self) -> None:
        self.by_type: dict[str, Handler] = {}

    def on(
        self, contract: Contract[M]
    ) -> Callable[[Callable[[AsyncSession, CloudEvent, M], Awaitable[None]]],
                  Callable[[AsyncSession, CloudEvent, M], Awaitable[None]]]:
        def register(
            fn: Callable[[AsyncSession, CloudEvent, M], Awaitable[None]],
        ) -> Callable[[AsyncSession, CloudEvent, M], Awaitable[None]]:
            async def handler(session: AsyncSession, event: CloudEvent) -> None:
                try:
                    data = contract.parse(event.data)
                except ContractViolation as exc:
                    raise PermanentEventError(str(exc)) from exc
                await fn(session, event, data)

            if contract.type in self.by_type:
                raise ValueError(f"two handlers for {contract.type}")
            self.by_type[contract.type] = handler
            return fn

        return register

    def on_many(
        self, contract: Contract[M]
    ) -> Callable[[Callable[[AsyncSession, Sequence[tuple[CloudEvent, M]]], Awaitable[None]]],
                  Callable[[AsyncSession, Sequence[tuple[CloudEvent, M]]], Awaitable[None]]]:
        """Declare a :class:`BatchHandler`: ``fn`` gets each run of consecutive events of the contract's type as
        (event, data) pairs in offset order; one event whose data breaks the contract fails the run (the runner
        then isolates and dead-letters it)."""
        def register(
            fn: Callable[[AsyncSession, Sequence[tuple[CloudEvent, M]]], Awaitable[None]],
        ) -> Callable[[AsyncSession, Sequence[tuple[CloudEvent, M]]], Awaitable[None]]:
            async def many(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
                items: list[tuple[CloudEvent, M]] = []
                for event in events:
                    try:
                        items.append((event, contract.parse(event.data)))
                    except ContractViolation as exc:
                        raise PermanentEventError(str(exc)) from exc
                await fn(session, items)

            self.add(contract.type, BatchHandler(many))
            return fn

        return register

    def add(self, event_type: str, handler: Handler) -> None:
        """Register an untyped handler (e.g. one folding many types generically)."""
        if event_type in self.by_type:
            raise ValueError(f"two handlers for {event_type}")
        self.by_type[event_type] = handler


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: int = 0
    retries: int = 0
    transient_retries: int = 0
    waiting_since: float | None = None  # time.time() since when a transient error holds the consumer
    last_transient_error: str | None = None
    batches: int = 0
    fallbacks: int = 0
    last_delay_ms: float = 0.0  # from the newest event's time to its batch's commit (freshness at the consumer)
    dead_lettered_by_topic: dict[str, int] = field(default_factory=dict)  # by original topic (hrss_shared.metrics)


@dataclass
class _Parsed:
    record: ConsumerRecord[Any, Any]
    event: CloudEvent
    handler: Handler


@dataclass
class ConsumerRunner:
    group_id: str
    topics: list[str]
    handlers: dict[str, Handler]
    maker: SessionMaker
    processed: Table
    bootstrap: str
    hooks: list[BatchHook] = field(default_factory=list)
    max_retries: int = 3
    retry_delay: float = 0.2
    transient_delay: tuple[float, float] = (0.2, 10.0)  # first and longest wait between transient retries
    # Called after a batch's commit that staged outbox events (the service's relay wake-up).
    after_commit: Callable[[], None] | None = None
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    healthy: bool = False
    # The live Kafka consumer while one runs: hrss_shared.metrics reads its lag at scrape time, not in the loop.
    kafka: AIOKafkaConsumer | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._dlq = ProducerFactory(self.bootstrap, client_id=f"{self.group_id}-dlq", idempotent=False)
        t = self.processed
        # Which of a batch's event ids are recorded already: one statement whatever the batch's size, its ids as
        # one parameter (a JSON array read by json_each on SQLite, a text[] on PostgreSQL).
        self._recorded_sqlite, self._recorded_pg = (
            select(t.c.event_id).where(t.c.source == bindparam("source"), among(t.c.event_id, "ids", postgres=pg))
            for pg in (False, True))
        self._record = BulkWrite(insert(t), RECORD_COLUMNS)

    async def run(self) -> None:
        """Consume until cancelled, reconnecting with backoff after broker errors."""
        backoff = Backoff(0.5, 10.0)
        try:
            while True:
                consumer = AIOKafkaConsumer(
                    *self.topics,
                    bootstrap_servers=self.bootstrap,
                    group_id=self.group_id,
                    client_id=self.group_id,
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                    max_poll_records=MAX_POLL_RECORDS,
                    # Brokers answer a fetch as soon as data arrives, or after this wait when idle;
                    # a short wait keeps read models fresh on brokers that do not wake fetches early.
                    fetch_max_wait_ms=100,
                    # Kafka's minimum; Tansu answers JoinGroup after half the session timeout,
                    # so a short one keeps consumer (re)joins to a few seconds.
                    session_timeout_ms=6000,
                    heartbeat_interval_ms=2000,
                    **kafka_security.options(),
                )
                try:
                    await consumer.start()
                    self.healthy = True
                    self.kafka = consumer
                    backoff.reset()
                    await self._loop(consumer)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - survive broker restarts
                    self.healthy = False
                    delay = backoff.next()
                    log.warning("consumer_failed", group=self.group_id, error=repr(exc), retry_in=delay)
                    await asyncio.sleep(delay)
                finally:
                    self.healthy = False
                    self.kafka = None
                    try:
                        await asyncio.wait_for(consumer.stop(), 10)
                    except Exception as exc:  # noqa: BLE001
                        log.debug("consumer_stop_failed", error=repr(exc))
        finally:
            await self._dlq.close()

    async def _loop(self, consumer: AIOKafkaConsumer) -> None:
        # A batch's offsets are committed while the next batch is fetched and applied (the commit of batch n
        # is awaited before that of batch n+1 is sent); its database transaction has committed already, so a
        # crash in between only redelivers events that the processed-event table then skips.
        committing: asyncio.Task[None] | None = None
        try:
            while True:
                polled = await consumer.getmany(timeout_ms=500, max_records=MAX_POLL_RECORDS)
                records = [record for batch in polled.values() for record in batch]
                if not records:
                    continue
                started = time.perf_counter()
                await self.handle_batch(records)
                newest = max(record.timestamp for record in records) / 1000
                self.stats.last_delay_ms = round((time.time() - newest) * 1000, 1)
                log.debug("batch_applied", group=self.group_id, records=len(records),
                          delay_ms=self.stats.last_delay_ms, apply_ms=round((time.perf_counter() - started) * 1000, 1))
                if committing is not None:
                    await self._committed(committing)
                offsets = {tp: batch[-1].offset + 1 for tp, batch in polled.items() if batch}
                committing = asyncio.create_task(consumer.commit(offsets))
        finally:
            if committing is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(committing, 10)

    async def _committed(self, committing: asyncio.Task[None]) -> None:
        """Wait for the previous batch's offset commit. One lost to a rebalance (the partitions moved to another
        member meanwhile) is only logged: its events are in the processed-event table, so the member that now owns
        the partitions skips them; raising would make this member rejoin and rebalance the whole group again."""
        try:
            await committing
        except (CommitFailedError, IllegalGenerationError, RebalanceInProgressError) as exc:
            log.info("offset_commit_lost", group=self.group_id, error=type(exc).__name__)

    async def handle_batch(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        """Apply the records in one transaction; on failure, one by one to isolate the failing one."""
        parsed: list[_Parsed] = []
        for record in records:
            try:
                event = CloudEvent.from_json(record.value)
            except (ValidationError, ValueError, TypeError) as exc:
                await self._dead_letter(record, f"malformed CloudEvent: {_short(exc)}")
                continue
            handler = self.handlers.get(event.type)
            if handler is None:
                self.stats.ignored += 1  # other services' event types this consumer does not need
                continue
            parsed.append(_Parsed(record, event, handler))
        if not parsed:
            return
        try:
            applied, duplicates = await self._until_not_transient(lambda: self._apply(parsed))
        except Exception as exc:  # noqa: BLE001 - isolate the failing event below
            self.stats.fallbacks += 1
            log.info("batch_fallback", group=self.group_id, size=len(parsed), error=_short(exc))
            for item in parsed:
                await self._apply_alone(item)
            return
        self.stats.batches += 1
        self.stats.applied += applied
        self.stats.duplicates += duplicates

    async def handle_record(self, record: ConsumerRecord[Any, Any]) -> None:
        """Apply one record (a batch of one)."""
        await self.handle_batch([record])

    async def _apply(self, items: Sequence[_Parsed]) -> tuple[int, int]:
        """One transaction: skip recorded events, run hooks and handlers, record the new ids."""
        async with self.maker() as session:
            async with session.begin():
                by_source: dict[str, list[str]] = {}
                for item in items:
                    by_source.setdefault(item.event.source, []).append(item.event.id)
                seen: set[tuple[str, str]] = set()
                postgres = session.get_bind().dialect.name == "postgresql"
                recorded = self._recorded_pg if postgres else self._recorded_sqlite
                for source, ids in by_source.items():  # (source, event_id) is the unique index's order
                    rows = await session.execute(
                        recorded, {"source": source, "ids": among_values(ids, postgres=postgres)})
                    seen.update((source, event_id) for event_id in rows.scalars())
                todo: list[_Parsed] = []
                for item in items:
                    key = (item.event.source, item.event.id)
                    if key not in seen:
                        seen.add(key)
                        todo.append(item)
                if todo:
                    events = [item.event for item in todo]
                    for hook in self.hooks:
                        await hook.before(session, events)
                    with parse_once():  # handlers chained on one event type validate its data once
                        await self._handle(session, todo)
                    for hook in self.hooks:
                        await hook.after(session)
                    now = datetime.now(UTC)
                    await self._record.execute(session, [
                        (item.event.source, item.event.id, item.event.type, item.record.topic, item.record.partition,
                         item.record.offset, now)
                        for item in todo
                    ])
        if todo and self.after_commit is not None and session.info.get(PENDING_FLAG):
            self.after_commit()
        return len(todo), len(items) - len(todo)

    async def _handle(self, session: AsyncSession, todo: Sequence[_Parsed]) -> None:
        """Run the handlers in offset order; a run of consecutive events for one :class:`BatchHandler` in one call."""
        done = since_yield = 0
        while done < len(todo):
            item = todo[done]
            if isinstance(item.handler, BatchHandler):
                end = done + 1
                while end < len(todo) and todo[end].handler is item.handler:
                    end += 1
                await item.handler.many(session, [t.event for t in todo[done:end]])
            else:
                end = done + 1
                token = correlation_id.set(item.event.correlationid)
                try:
                    await item.handler(session, item.event)
                finally:
                    correlation_id.reset(token)
            since_yield += end - done
            done = end
            if since_yield >= YIELD_EVERY:
                since_yield = 0
                await asyncio.sleep(0)  # database calls may not suspend: let requests in

    async def _apply_alone(self, item: _Parsed) -> None:
        """Apply one event exactly once in effect, or dead-letter it with the reason."""
        record, event = item.record, item.event
        for attempt in range(1, self.max_retries + 1):
            try:
                applied, _ = await self._until_not_transient(lambda: self._apply([item]))
            except PermanentEventError as exc:
                await self._dead_letter(record, f"rejected by handler: {exc}", event)
                return
            except IntegrityError:
                # Another instance recorded the same event first: the effect is already there.
                if await self._already_processed(event):
                    self.stats.duplicates += 1
                    return
                error: Exception | None = None
            except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered
                error = exc
            else:
                if applied:
                    self.stats.applied += 1
                else:
                    self.stats.duplicates += 1
                return
            if attempt == self.max_retries:
                await self._dead_letter(
                    record, f"handler failed {attempt} times: {_short(error) if error else 'integrity error'}", event
                )
                return
            self.stats.retries += 1
            log.warning("event_retry", type=event.type, id=event.id, attempt=attempt, error=repr(error))
            await asyncio.sleep(self.retry_delay * attempt)

    async def _until_not_transient(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` until it succeeds or fails for a reason other than a transient one (raised)."""
        backoff = Backoff(*self.transient_delay)
        while True:
            try:
                result = await work()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                delay = backoff.next()
                self.stats.transient_retries += 1
                self.stats.last_transient_error = _short(exc)
                if self.stats.waiting_since is None:
                    self.stats.waiting_since = time.time()
                log.warning("consumer_waiting", group=self.group_id, error=_short(exc), retry_in=round(delay, 2))
                await asyncio.sleep(delay)
                continue
            if self.stats.waiting_since is not None:
                log.info("consumer_resumed", group=self.group_id,
                         waited_s=round(time.time() - self.stats.waiting_since, 1))
                self.stats.waiting_since = None
            return result

    async def _already_processed(self, event: CloudEvent) -> bool:
        t = self.processed
        async with self.maker() as session:
            row = await session.execute(select(t.c.id).where(t.c.source == event.source, t.c.event_id == event.id))
            return row.first() is not None

    async def _dead_letter(
        self, record: ConsumerRecord[Any, Any], reason: str, event: CloudEvent | None = None
    ) -> None:
        """Publish the original bytes to ``<topic>.dlq`` with the reason; raise if that fails."""
        producer = await self._dlq.get()
        headers = [
            ("hrss-dlq-reason", reason.encode()),
            ("hrss-original-topic", record.topic.encode()),
            ("hrss-original-partition", str(record.partition).encode()),
            ("hrss-original-offset", str(record.offset).encode()),
            ("hrss-consumer-group", self.group_id.encode()),
        ]
        try:
            await producer.send_and_wait(
                record.topic + DLQ_SUFFIX, value=record.value, key=record.key, headers=headers
            )
        except Exception:
            await self._dlq.reset()
            raise
        self.stats.dead_lettered += 1
        self.stats.dead_lettered_by_topic[record.topic] = self.stats.dead_lettered_by_topic.get(record.topic, 0) + 1
        log.error(
            "event_dead_lettered", topic=record.topic, offset=record.offset, reason=reason,
            event_id=event.id if event else None,
        )


def _short(exc: BaseException) -> str:
    text = str(exc) if not isinstance(exc, ValidationError) else json.dumps(
        [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors()], ensure_ascii=False, default=str
    )
    return f"{type(exc).__name__}: {text}"[:1000]
