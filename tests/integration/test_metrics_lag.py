"""Consumer metrics on the real Apache Kafka: the lag per partition read from a running consumer (high watermark
minus position) while its handler holds a batch, and the dead-lettered events counted per topic at the gateway's
/metrics."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import MetaData
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_shared.consumer import ConsumerRunner, PermanentEventError
from hrss_shared.db import make_engine, make_sessionmaker
from hrss_shared.events import CloudEvent, new_event
from hrss_shared.infra import infra_tables
from hrss_shared.kafka import ensure_topics
from hrss_shared.metrics import consumer_lag
from hrss_shared.registry import DLQ_SUFFIX
from tests.support import InProcessService, KafkaNode, bearer, eventually, service_settings, token

TYPE = "hrss.test.thing.happened.v1"
SCRAPER = bearer(token("metrics:read"))


async def send(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=b"one-partition")
    finally:
        await producer.stop()


def event(n: int, **data: Any) -> bytes:
    return new_event(source="/hrss/test", type=TYPE, subject=f"s{n}", data={"n": n, **data}).to_json()


@pytest.fixture
async def runner(kafka: KafkaNode, prefix: str, tmp_path: Path) -> AsyncIterator[tuple[ConsumerRunner, asyncio.Event]]:
    """A real runner on a one-partition topic whose handler waits for ``gate`` (so records pile up behind it)."""
    topic = prefix + "hrss.test"
    await ensure_topics(kafka.bootstrap, [topic, topic + DLQ_SUFFIX], partitions=1)
    metadata = MetaData()
    tables = infra_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    gate = asyncio.Event()

    async def handle(session: AsyncSession, e: CloudEvent) -> None:
        if e.data.get("bad"):
            raise PermanentEventError("这条事件永远无法处理 (never applies)")
        await gate.wait()

    r = ConsumerRunner(group_id=f"{prefix}g", topics=[topic], handlers={TYPE: handle},
                       maker=make_sessionmaker(engine), processed=tables.processed_events, bootstrap=kafka.bootstrap,
                       max_retries=1, retry_delay=0.01)
    task = asyncio.create_task(r.run())
    try:
        yield r, gate
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()


async def test_lag_is_what_waits_behind_the_batch_in_hand_and_dead_letters_count_per_topic(
    runner: tuple[ConsumerRunner, asyncio.Event], kafka: KafkaNode, prefix: str
) -> None:
    r, gate = runner
    topic = prefix + "hrss.test"
    await eventually(lambda: _true(r.kafka is not None and bool(r.kafka.assignment())), timeout=60)
    await send(kafka.bootstrap, topic, [event(0)])
    await eventually(lambda: _true(r.stats.applied == 0 and r.kafka is not None
                                   and r.kafka.highwater(next(iter(r.kafka.assignment()))) == 1), timeout=60)

    # The handler holds event 0; five more and a bad one arrive and wait behind it.
    await send(kafka.bootstrap, topic, [event(n) for n in range(1, 6)] + [event(6, bad=True)])

    async def behind() -> list[tuple[str, int, int]] | None:
        lag = await consumer_lag(r)
        return lag if lag == [(topic, 0, 6)] else None
    await eventually(behind, timeout=60)

    gate.set()

    async def caught_up() -> bool:
        return await consumer_lag(r) == [(topic, 0, 0)] and r.stats.applied == 6
    await eventually(caught_up, timeout=60)
    assert r.stats.dead_lettered_by_topic == {topic: 1}


async def _true(value: bool) -> bool:
    return value


@pytest.mark.parametrize("make_db", ["sqlite"], indirect=True)
async def test_the_gateway_reports_lag_per_partition_and_its_dead_letters(
    make_db: Any, kafka: KafkaNode, prefix: str, tmp_path: Path
) -> None:
    gateway = InProcessService(create_gateway, service_settings(
        GatewaySettings, db_url=await make_db("gateway"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    async with gateway:
        topic = prefix + "hrss.employment"
        await eventually(lambda: _true(bool(gateway.runtime.consumers[0].kafka
                                            and gateway.runtime.consumers[0].kafka.assignment())), timeout=90)
        await send(kafka.bootstrap, topic, [b"not a CloudEvent " + uuid.uuid4().hex.encode()])
        group = gateway.runtime.consumers[0].group_id

        async def scraped() -> dict[tuple[str, frozenset[tuple[str, str]]], float] | None:
            r = await gateway.client.get("/metrics", headers=SCRAPER)
            samples = {(s.name, frozenset(s.labels.items())): s.value
                       for f in text_string_to_metric_families(r.text) for s in f.samples}
            labels = frozenset({"group": group, "topic": topic}.items())
            dead = samples.get(("hrss_consumer_dead_lettered_total", labels))
            # The offsets are committed after the batch (while the next one is fetched): the lag falls to 0 then.
            lag = {v for (name, labels), v in samples.items()
                   if name == "hrss_consumer_lag" and dict(labels)["topic"] == topic}
            return samples if dead == 1 and lag == {0} else None
        samples = await eventually(scraped, timeout=60, interval=0.5)

        assert samples[("hrss_consumer_up", frozenset({"group": group}.items()))] == 1
        assert samples[("hrss_consumer_events_total",
                        frozenset({"group": group, "outcome": "dead_lettered"}.items()))] == 1
        lags = {dict(labels)["partition"]: v for (name, labels), v in samples.items()
                if name == "hrss_consumer_lag" and dict(labels)["topic"] == topic}
        assert set(lags) == {"0", "1", "2"} and set(lags.values()) == {0}
