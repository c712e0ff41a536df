"""``hrss dlq list|replay`` over the real broker: an event a bug kept failing is listed with its reason,
re-driven after the fix and applied once; replaying it again changes nothing."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import MetaData
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.consumer import ConsumerRunner
from hrss_shared.db import make_engine, make_sessionmaker
from hrss_shared.events import CloudEvent
from hrss_shared.infra import infra_tables
from hrss_shared.kafka import ensure_topics
from tests.support import KafkaNode, eventually

TYPE = "hrss.employment.job_seeker.registered.v1"


class Fixable:
    """A handler with a bug for one kind of data, until it is fixed."""

    def __init__(self) -> None:
        self.fixed = False
        self.applied: list[str] = []

    async def __call__(self, session: AsyncSession, event: CloudEvent) -> None:
        if event.data["name"] == "坏数据" and not self.fixed:
            raise KeyError("a bug for this name")
        self.applied.append(event.id)


@pytest.fixture
async def consumer(kafka: KafkaNode, prefix: str, tmp_path: Path) -> AsyncIterator[tuple[ConsumerRunner, Fixable]]:
    topic = prefix + "hrss.employment"
    await ensure_topics(kafka.bootstrap, [topic, topic + ".dlq"], partitions=1)
    metadata = MetaData()
    tables = infra_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'consumer.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    handler = Fixable()
    runner = ConsumerRunner(group_id=f"{prefix}test-group", topics=[topic], handlers={TYPE: handler},
                            maker=make_sessionmaker(engine), processed=tables.processed_events,
                            bootstrap=kafka.bootstrap, max_retries=2, retry_delay=0.05)
    task = asyncio.create_task(runner.run())
    yield runner, handler
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await engine.dispose()


def event(name: str) -> CloudEvent:
    return CloudEvent(id=str(uuid.uuid4()), source="/hrss/employment", type=TYPE, time=datetime.now(UTC),
                      subject="s", data={"name": name})


def hrss(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "hrss_cli.main", *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_a_dead_letter_is_listed_replayed_after_the_fix_and_applied_once(
    consumer: tuple[ConsumerRunner, Fixable], kafka: KafkaNode, prefix: str,
) -> None:
    runner, handler = consumer
    events = [event("张三"), event("坏数据"), event("李四")]
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
    await producer.start()
    try:
        for e in events:
            await producer.send_and_wait(prefix + "hrss.employment", value=e.to_json(), key=b"k")
    finally:
        await producer.stop()

    async def settled() -> bool:
        return runner.stats.dead_lettered == 1 and runner.stats.applied == 2
    await eventually(settled, timeout=90)
    broker = ["--bootstrap", kafka.bootstrap, "--prefix", prefix, "--topic", "hrss.employment"]

    listed: list[dict[str, Any]] = json.loads(await asyncio.to_thread(hrss, "dlq", "list", "--json", *broker))
    assert len(listed) == 1
    assert listed[0]["event"]["id"] == events[1].id and listed[0]["group"] == f"{prefix}test-group"
    assert listed[0]["reason"].startswith("handler failed 2 times: KeyError")
    assert listed[0]["original"].startswith(prefix + "hrss.employment/0@")

    handler.fixed = True
    assert "replayed 1 event" in await asyncio.to_thread(hrss, "dlq", "replay", *broker)

    async def applied() -> bool:
        return runner.stats.applied == 3
    await eventually(applied, timeout=60)
    assert handler.applied.count(events[1].id) == 1

    assert "replayed 0 event" in await asyncio.to_thread(hrss, "dlq", "replay", *broker)
    assert json.loads(await asyncio.to_thread(hrss, "dlq", "list", "--json", *broker)) == []
    every = json.loads(await asyncio.to_thread(hrss, "dlq", "list", "--all", "--json", *broker))
    assert [row["replayed"] for row in every] == [True]

    duplicates = runner.stats.duplicates
    assert "replayed 1 event" in await asyncio.to_thread(hrss, "dlq", "replay", "--again", *broker)

    async def skipped() -> bool:
        return runner.stats.duplicates == duplicates + 1
    await eventually(skipped, timeout=60)
    assert runner.stats.applied == 3 and handler.applied.count(events[1].id) == 1
