"""Revoked API clients, learned by every service from the gateway's topic (``hrss.gateway``).

The gateway owns the client registry; revoking a client publishes ``hrss.gateway.client.revoked.v1``
(:data:`hrss_shared.auth.REVOKED_EVENT_TYPE`) through its outbox. Every instance of every service runs a
:class:`RevocationFollower`: a plain consumer without a consumer group (every partition assigned by hand, no
committed offsets) that reads the whole topic from its beginning at start-up — so a service started after a
revocation refuses the client too — adds each revoked client id to :attr:`Authenticator.revoked`, and keeps
following the topic (a revocation reaches a running service within about a second of its publication).

Revocations are few and must be known for ever, so the topic keeps every event (``retention.ms=-1``); the
follower creates it so, or sets it so when another process created it with the broker's defaults. While the
broker is unreachable the service keeps refusing the clients it knows and keeps retrying.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError
from pydantic import ValidationError

from hrss_shared import clock, kafka_security
from hrss_shared.auth import REVOKED_EVENT_TYPE, Authenticator
from hrss_shared.events import CloudEvent
from hrss_shared.kafka import RETAIN_FOREVER
from hrss_shared.logs import get_logger
from hrss_shared.relay import Backoff

log = get_logger(__name__)



async def ensure_retained_topic(bootstrap: str, topic: str, *, partitions: int, client_id: str,
                                replication_factor: int = 1) -> list[int]:
    """Create ``topic`` keeping every event, or set an existing one so (best effort: a broker may refuse);
    return its partition numbers."""
    admin = kafka_security.admin_client(bootstrap, client_id)
    await asyncio.wait_for(admin.start(), 15)
    try:
        created = False
        if topic not in set(await admin.list_topics()):
            try:
                response = await admin.create_topics([NewTopic(
                    name=topic, num_partitions=partitions, replication_factor=replication_factor,
                    topic_configs=RETAIN_FOREVER)])
                # Per-topic errors come back in the answer (e.g. another process created it meanwhile).
                created = all(entry[1] == 0 for entry in response.topic_errors if entry[0] == topic)
            except TopicAlreadyExistsError:
                created = False
            if created:
                log.info("topics_created", topics=[topic], configs=RETAIN_FOREVER)
        if not created:
            await _retain(admin, topic)
        return await _partitions(admin, topic)
    finally:
        try:
            await admin.close()
        except Exception:  # noqa: BLE001
            pass


async def _retain(admin: AIOKafkaAdminClient, topic: str) -> None:
    try:
        responses = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, RETAIN_FOREVER)])
        errors = [r for response in responses for r in response.resources if r[0] != 0]
        if errors:
            log.warning("topic_retention_not_set", topic=topic, errors=repr(errors)[:300])
    except Exception as exc:  # noqa: BLE001 - e.g. a development broker without AlterConfigs
        log.warning("topic_retention_not_set", topic=topic, error=repr(exc))


async def _partitions(admin: AIOKafkaAdminClient, topic: str) -> list[int]:
    """The topic's partition numbers (a new topic's metadata may take a moment to show them)."""
    for _ in range(40):
        described = await admin.describe_topics([topic])
        numbers = sorted(int(p["partition"]) for t in described if t.get("error_code", 0) == 0
                         for p in t.get("partitions", ()))
        if numbers:
            return numbers
        await asyncio.sleep(0.25)
    raise RuntimeError(f"topic {topic} has no partitions yet")


def revoked_client(raw: bytes | None) -> str | None:
    """The client id a record revokes; None for any other event (or a record that is no event)."""
    if not raw:
        return None
    try:
        event = CloudEvent.from_json(raw)
    except ValidationError:
        log.warning("revocation_event_unreadable")
        return None
    if event.type != REVOKED_EVENT_TYPE:
        return None
    client_id = event.data.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        log.warning("revocation_event_without_client_id", event_id=event.id)
        return None
    return client_id


class RevocationFollower:
    """Keeps :attr:`Authenticator.revoked` current from the gateway's topic (see the module's docstring)."""

    def __init__(self, *, auth: Authenticator, bootstrap: str, topic: str, partitions: int, client_id: str,
                 replication_factor: int = 1, check_every: float = 10.0) -> None:
        self.auth = auth
        self.bootstrap = bootstrap
        self.topic = topic
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.client_id = client_id
        self.check_every = check_every
        self.revoked: set[str] = set()  # learned from the topic (the gateway also loads its own database)
        self.caught_up = asyncio.Event()  # set once the topic was read to its end as of start-up
        self.healthy = False
        self.events = 0
        self.last_event_at: datetime | None = None
        self.last_error: str | None = None
        self.lag: int | None = None
        self._positions: dict[TopicPartition, int] = {}  # next offset to read, kept across reconnections

    async def run(self) -> None:
        """Follow the topic for ever; reconnect with backoff while the broker is unreachable."""
        backoff = Backoff(0.5, 10.0)
        while True:
            consumer: AIOKafkaConsumer | None = None
            try:
                numbers = await ensure_retained_topic(self.bootstrap, self.topic, partitions=self.partitions,
                                                      replication_factor=self.replication_factor,
                                                      client_id=f"{self.client_id}-admin")
                consumer = AIOKafkaConsumer(
                    bootstrap_servers=self.bootstrap, client_id=self.client_id, group_id=None,
                    enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=500,
                    **kafka_security.options(),
                )
                await asyncio.wait_for(consumer.start(), 15)
                await self._follow(consumer, [TopicPartition(self.topic, n) for n in numbers], backoff)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep serving with the last known set, and retry
                delay = backoff.next()
                if self.healthy or self.last_error is None:
                    log.warning("revocations_unavailable", topic=self.topic, error=repr(exc), retry_in=delay)
                self.healthy, self.last_error = False, f"{type(exc).__name__}: {exc}"[:300]
                await asyncio.sleep(delay)
            finally:
                if consumer is not None:
                    try:
                        await asyncio.wait_for(consumer.stop(), 10)
                    except Exception:  # noqa: BLE001 - best effort
                        pass

    async def _follow(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition], backoff: Backoff) -> None:
        await self._assign(consumer, partitions)
        ends = await asyncio.wait_for(consumer.end_offsets(partitions), 15)
        self._mark_healthy(backoff)
        next_check = time.monotonic() + self.check_every
        while True:
            batches = await consumer.getmany(timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    self._apply(record)
                    self._positions[tp] = record.offset + 1
            if not self.caught_up.is_set():
                positions = {tp: await consumer.position(tp) for tp in partitions}
                if all(positions[tp] >= ends[tp] for tp in partitions):
                    self.caught_up.set()
                    log.info("revocations_loaded", topic=self.topic, revoked=len(self.revoked))
            if time.monotonic() >= next_check:
                # The consumer retries a lost broker by itself; asking for the end offsets tells whether it can.
                latest = await asyncio.wait_for(consumer.end_offsets(partitions), 10)
                positions = {tp: await consumer.position(tp) for tp in partitions}
                self.lag = sum(max(0, latest[tp] - positions[tp]) for tp in partitions)
                self._mark_healthy(backoff)
                next_check = time.monotonic() + self.check_every
                if len(consumer.partitions_for_topic(self.topic) or ()) > len(partitions):
                    return  # partitions were added: reassign on the next turn

    async def _assign(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        consumer.assign(partitions)
        fresh = [tp for tp in partitions if tp not in self._positions]
        for tp in partitions:
            if tp in self._positions:
                consumer.seek(tp, self._positions[tp])
        if fresh:
            await consumer.seek_to_beginning(*fresh)

    def _mark_healthy(self, backoff: Backoff) -> None:
        if not self.healthy and self.last_error is not None:
            log.info("revocations_available", topic=self.topic)
        self.healthy, self.last_error = True, None
        backoff.reset()

    def _apply(self, record: ConsumerRecord[Any, Any]) -> None:
        client_id = revoked_client(record.value)
        if client_id is None:
            return
        self.events += 1
        self.last_event_at = clock.now()
        if client_id not in self.revoked:
            self.revoked.add(client_id)
            self.auth.revoked.add(client_id)
            if self.caught_up.is_set():
                log.info("client_revoked", client_id=client_id)

    def status(self) -> dict[str, Any]:
        """For ``/readyz``."""
        return {
            "healthy": self.healthy, "topic": self.topic, "loaded": self.caught_up.is_set(),
            "revoked": len(self.auth.revoked), "events": self.events, "lag": self.lag,
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            "last_error": self.last_error,
        }
