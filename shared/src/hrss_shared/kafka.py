"""Kafka plumbing: producers (idempotent where the broker allows), topic creation, broker probe."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from hrss_shared import kafka_security
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
                **PRODUCER_OPTIONS, **kafka_security.options(),
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
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, client_id=self.client_id, **PRODUCER_OPTIONS,
                                    **kafka_security.options())
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
    admin = kafka_security.admin_client(bootstrap, f"{client_id}-probe", request_timeout_ms=5000)
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


# The domain topics are the record of every change: a read model (the gateway's) is rebuilt by replaying them, so
# they keep every event. Set when a topic is created; an existing cluster's topics are set once by hand
# (README: "Keeping every event"), and ``topic_retention`` tells whether they are.
RETAIN_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}


async def ensure_topics(bootstrap: str, names: Iterable[str], *, partitions: int = 3, replication_factor: int = 1,
                        configs: dict[str, str] | None = None) -> None:
    """Create the topics that do not exist yet (idempotent), keeping every event unless ``configs`` says
    otherwise. An existing topic's configuration is left as it is."""
    admin = kafka_security.admin_client(bootstrap, "hrss-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if not missing:
            return
        topic_configs = RETAIN_FOREVER if configs is None else configs
        try:
            await admin.create_topics([NewTopic(name=n, num_partitions=partitions,
                                                replication_factor=replication_factor, topic_configs=topic_configs)
                                       for n in missing])
        except TopicAlreadyExistsError:
            pass
        log.info("topics_created", topics=missing, configs=topic_configs)
    finally:
        await _quiet_close(admin)


async def topic_retention(bootstrap: str, names: Iterable[str]) -> dict[str, str | None]:
    """Each topic's ``retention.ms`` as the broker reports it ("-1": every event kept; None: the broker did not
    say, e.g. a development broker without DescribeConfigs)."""
    admin = kafka_security.admin_client(bootstrap, "hrss-admin")
    await admin.start()
    found: dict[str, str | None] = dict.fromkeys(names)
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in found])
        for response in responses:
            for resource in response.resources:
                error_code, _message, _kind, name, entries = resource[:5]
                if error_code != 0 or name not in found:
                    continue
                for entry in entries:
                    if entry[0] == "retention.ms":
                        found[name] = entry[1]
    except Exception as exc:  # noqa: BLE001 - a broker that cannot describe configs leaves None
        log.warning("topic_retention_unknown", error=repr(exc))
    finally:
        await _quiet_close(admin)
    return found


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
                    admin = kafka_security.admin_client(self.bootstrap, f"{self.client_id}-ready",
                                                        request_timeout_ms=int(timeout * 1000))
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
