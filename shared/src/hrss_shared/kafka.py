"""Kafka plumbing: producers (idempotent where the broker allows), topic creation, broker probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from hrss_shared.logs import get_logger

log = get_logger(__name__)

PRODUCER_OPTIONS = {
    "acks": "all",
    # The relay sends a whole batch of rows before awaiting their acks, so batching needs no wait; a long
    # linger would only add to every event's way to its consumers.
    "linger_ms": 1,
    "request_timeout_ms": 15000,
    "max_batch_size": 256 * 1024,
}


class ProducerFactory:
    """Start a producer with acks=all, idempotent when the broker supports it.

    Brokers that refuse InitProducerId (the embedded Tansu broker) make the idempotent start
    fail; the factory then falls back to a plain acks=all producer and remembers it, so the
    outbox relay still works — delivery stays at-least-once and consumers dedupe.
    """

    def __init__(self, bootstrap: str, *, client_id: str, idempotent: bool = True) -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.want_idempotent = idempotent
        self.idempotent: bool | None = None
        self._producer: AIOKafkaProducer | None = None

    async def get(self) -> AIOKafkaProducer:
        if self._producer is None:
            self._producer = await self._start()
        return self._producer

    async def _start(self) -> AIOKafkaProducer:
        if self.want_idempotent and self.idempotent is not False:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap, client_id=self.client_id, enable_idempotence=True,
                **PRODUCER_OPTIONS,
            )
            try:
                # start() fetches the producer id, so a broker's refusal shows here.
                await asyncio.wait_for(producer.start(), timeout=20)
                self.idempotent = True
                return producer
            except (KafkaError, TimeoutError, OSError) as exc:
                await _quiet_stop(producer)
                if not await _broker_reachable(self.bootstrap, self.client_id):
                    raise
                log.warning("idempotent_producer_refused", bootstrap=self.bootstrap, error=repr(exc))
                self.idempotent = False
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, client_id=self.client_id, **PRODUCER_OPTIONS)
        try:
            await producer.start()
        except BaseException:
            await _quiet_stop(producer)
            raise
        return producer

    async def reset(self) -> None:
        """Drop the current producer (after an error); the next :meth:`get` reconnects."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await _quiet_stop(producer)

    async def close(self) -> None:
        await self.reset()


async def _quiet_stop(producer: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout=10)
    except Exception as exc:  # noqa: BLE001 - best effort on shutdown
        log.debug("producer_stop_failed", error=repr(exc))


async def _broker_reachable(bootstrap: str, client_id: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{client_id}-probe", request_timeout_ms=5000)
    try:
        await asyncio.wait_for(admin.start(), timeout=10)
        await asyncio.wait_for(admin.list_topics(), timeout=10)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    finally:
        await _quiet_close(admin)


async def _quiet_close(admin: AIOKafkaAdminClient) -> None:
    try:
        await admin.close()
    except Exception:  # noqa: BLE001
        pass


async def ensure_topics(bootstrap: str, names: Iterable[str], *, partitions: int = 3) -> None:
    """Create the topics that do not exist yet (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="hrss-admin", request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if not missing:
            return
        try:
            await admin.create_topics(
                [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in missing]
            )
        except TopicAlreadyExistsError:
            pass
        log.info("topics_created", topics=missing)
    finally:
        await _quiet_close(admin)


class BrokerProbe:
    """Answers readiness: can a metadata request reach the broker right now."""

    def __init__(self, bootstrap: str, client_id: str) -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self._admin: AIOKafkaAdminClient | None = None
        self._lock = asyncio.Lock()

    async def check(self, timeout: float = 3.0) -> None:
        async with self._lock:
            try:
                if self._admin is None:
                    admin = AIOKafkaAdminClient(
                        bootstrap_servers=self.bootstrap, client_id=f"{self.client_id}-ready",
                        request_timeout_ms=int(timeout * 1000),
                    )
                    await asyncio.wait_for(admin.start(), timeout)
                    self._admin = admin
                await asyncio.wait_for(self._admin.list_topics(), timeout)
            except BaseException:
                await self.close()
                raise

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            await _quiet_close(admin)
