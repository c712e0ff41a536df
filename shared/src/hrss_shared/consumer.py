"""Consumer runner: at-least-once delivery made effectively-once by a processed-event table.

For each record: parse the CloudEvent; in one transaction, skip it if (source, id) is already
recorded, else apply the handler and record it; then commit the offset. A handler that keeps
failing is retried a bounded number of times and the record goes to ``<topic>.dlq`` with the
reason; a record that is not a valid CloudEvent goes there at once. Either way the consumer
carries on with the next record.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared.db import SessionMaker
from hrss_shared.events import CloudEvent
from hrss_shared.kafka import ProducerFactory
from hrss_shared.logs import correlation_id, get_logger
from hrss_shared.relay import Backoff

log = get_logger(__name__)

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
DLQ_SUFFIX = ".dlq"


class PermanentEventError(Exception):
    """Raised by a handler when an event can never be applied (goes straight to the DLQ)."""


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: int = 0
    retries: int = 0


@dataclass
class ConsumerRunner:
    group_id: str
    topics: list[str]
    handlers: dict[str, Handler]
    maker: SessionMaker
    processed: Table
    bootstrap: str
    max_retries: int = 3
    retry_delay: float = 0.2
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    healthy: bool = False

    def __post_init__(self) -> None:
        self._dlq = ProducerFactory(self.bootstrap, client_id=f"{self.group_id}-dlq", idempotent=False)

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
                    max_poll_records=500,
                    # Brokers answer a fetch as soon as data arrives, or after this wait when idle;
                    # a short wait keeps read models fresh on brokers that do not wake fetches early.
                    fetch_max_wait_ms=100,
                    # Kafka's minimum; Tansu answers JoinGroup after half the session timeout,
                    # so a short one keeps consumer (re)joins to a few seconds.
                    session_timeout_ms=6000,
                    heartbeat_interval_ms=2000,
                )
                try:
                    await consumer.start()
                    self.healthy = True
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
                    try:
                        await asyncio.wait_for(consumer.stop(), 10)
                    except Exception as exc:  # noqa: BLE001
                        log.debug("consumer_stop_failed", error=repr(exc))
        finally:
            await self._dlq.close()

    async def _loop(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, records in batches.items():
                for record in records:
                    await self.handle_record(record)
                if records:
                    await consumer.commit({tp: records[-1].offset + 1})

    async def handle_record(self, record: ConsumerRecord[Any, Any]) -> None:
        """Apply one record exactly once in effect, or dead-letter it with the reason."""
        try:
            event = CloudEvent.from_json(record.value)
        except (ValidationError, ValueError, TypeError) as exc:
            await self._dead_letter(record, f"malformed CloudEvent: {_short(exc)}")
            return
        handler = self.handlers.get(event.type)
        if handler is None:
            self.stats.ignored += 1  # other services' event types this consumer does not need
            return
        token = correlation_id.set(event.correlationid)
        try:
            for attempt in range(1, self.max_retries + 1):
                try:
                    applied = await self._apply(record, event, handler)
                except PermanentEventError as exc:
                    await self._dead_letter(record, f"rejected by handler: {exc}", event)
                    return
                except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered
                    if attempt == self.max_retries:
                        await self._dead_letter(
                            record, f"handler failed {attempt} times: {_short(exc)}", event
                        )
                        return
                    self.stats.retries += 1
                    log.warning("event_retry", type=event.type, id=event.id, attempt=attempt, error=repr(exc))
                    await asyncio.sleep(self.retry_delay * attempt)
                    continue
                if applied:
                    self.stats.applied += 1
                else:
                    self.stats.duplicates += 1
                return
        finally:
            correlation_id.reset(token)

    async def _apply(self, record: ConsumerRecord[Any, Any], event: CloudEvent, handler: Handler) -> bool:
        t = self.processed
        try:
            async with self.maker() as session, session.begin():
                seen = await session.execute(
                    select(t.c.id).where(t.c.source == event.source, t.c.event_id == event.id)
                )
                if seen.first() is not None:
                    return False
                await handler(session, event)
                await session.execute(
                    insert(t).values(
                        source=event.source, event_id=event.id, event_type=event.type, topic=record.topic,
                        partition=record.partition, offset=record.offset, processed_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            # Another instance recorded the same event first: the effect is already there.
            if await self._already_processed(event):
                return False
            raise
        return True

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
        log.error(
            "event_dead_lettered", topic=record.topic, offset=record.offset, reason=reason,
            event_id=event.id if event else None,
        )


def _short(exc: BaseException) -> str:
    text = str(exc) if not isinstance(exc, ValidationError) else json.dumps(
        [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors()], ensure_ascii=False, default=str
    )
    return f"{type(exc).__name__}: {text}"[:1000]
