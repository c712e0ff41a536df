"""Consumer guarantees over the real broker: redelivery changes nothing; malformed events go to the DLQ."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from hrss_contracts.employment import JOB_SEEKER_REGISTERED as JOB_SEEKER_REGISTERED_CONTRACT
from hrss_shared.events import CloudEvent
from tests import factories
from tests.integration.conftest import Stack
from tests.support import eventually

JOB_SEEKER_REGISTERED = JOB_SEEKER_REGISTERED_CONTRACT.type


def seeker_event(id_number: str, name: str = "李四") -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()), source="/hrss/employment", type=JOB_SEEKER_REGISTERED, time=datetime.now(UTC),
        subject=id_number, data={"id_number": id_number, "name": name, "county_code": "330803",
                                 "registered_date": "2026-02-01"},
    )


async def produce(bootstrap: str, topic: str, *values: bytes, key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def processed_count(stack: Stack) -> int:
    table = stack.gateway.runtime.infra.processed_events
    async with stack.gateway.runtime.maker() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_redelivered_event_changes_nothing(stack: Stack) -> None:
    id_number = factories.id_number("330803")
    event = seeker_event(id_number)
    topic = stack.prefix + "hrss.employment"
    await produce(stack.bootstrap, topic, event.to_json(), key=id_number.encode())

    async def seen() -> dict[str, Any] | None:
        r = await stack.gateway.client.get(f"/v1/persons/{id_number}")
        return r.json() if r.status_code == 200 else None
    first = await eventually(seen, timeout=60)
    consumer = stack.gateway.runtime.consumers[0]
    applied_before = consumer.stats.applied

    # The same event again, and the same id with different content (a replay must not overwrite).
    replay = event.model_copy(update={"data": {**event.data, "name": "被篡改"}})
    await produce(stack.bootstrap, topic, event.to_json(), replay.to_json(), key=id_number.encode())
    await eventually(lambda: _at_least(consumer.stats, "duplicates", 2), timeout=30)
    assert consumer.stats.applied == applied_before
    after = await seen()
    assert after == first
    assert after is not None and after["identity"]["name"] == "李四"
    assert await processed_count(stack) == 1


async def _at_least(stats: object, name: str, n: int) -> bool:
    return getattr(stats, name) >= n


async def test_malformed_event_goes_to_dead_letter_topic_and_consumer_carries_on(stack: Stack) -> None:
    topic = stack.prefix + "hrss.employment"
    bad_json = b"{not json"
    missing_fields = json.dumps({"specversion": "1.0", "id": "x", "type": JOB_SEEKER_REGISTERED}).encode()
    wrong_data = seeker_event(factories.id_number()).model_copy(update={"data": {"id_number": 12}}).to_json()
    good_id = factories.id_number("330803")
    good = seeker_event(good_id, name="赵六").to_json()
    await produce(stack.bootstrap, topic, bad_json, missing_fields, wrong_data, good, key=good_id.encode())

    async def visible() -> bool:
        return (await stack.gateway.client.get(f"/v1/persons/{good_id}")).status_code == 200
    await eventually(visible, timeout=60)

    dlq = AIOKafkaConsumer(topic + ".dlq", bootstrap_servers=stack.bootstrap, auto_offset_reset="earliest",
                           group_id=f"dlq-reader-{uuid.uuid4().hex[:6]}")
    await dlq.start()
    try:
        records: list[Any] = []
        async def three() -> bool:
            batch = await dlq.getmany(timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
            return len(records) >= 3
        await eventually(three, timeout=30)
    finally:
        await dlq.stop()
    by_value = {r.value: dict(r.headers) for r in records}
    assert set(by_value) == {bad_json, missing_fields, wrong_data}
    assert by_value[bad_json]["hrss-dlq-reason"].startswith(b"malformed CloudEvent")
    assert b"rejected by handler" in by_value[wrong_data]["hrss-dlq-reason"]
    assert b"id_number" in by_value[wrong_data]["hrss-dlq-reason"]
    assert by_value[bad_json]["hrss-original-topic"] == topic.encode()
    assert stack.gateway.runtime.consumers[0].stats.dead_lettered == 3
