"""On the real broker: an event's Kafka message key is the keyed hash of its subject, never the ID number, and
one person's events share one key (so one partition, in order)."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer

from hrss_shared.outbox import message_key
from hrss_shared.registry import EMPLOYMENT
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from tests import factories
from tests.integration.conftest import Stack
from tests.support import eventually


async def raw_records(bootstrap: str, topic: str, *, want: int) -> list[tuple[bytes, bytes, int]]:
    """(key, value, partition) of the first ``want`` records on ``topic``."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"keys-{uuid.uuid4().hex[:8]}", enable_auto_commit=False)
    await consumer.start()
    records: list[tuple[bytes, bytes, int]] = []
    try:
        async def read() -> bool | None:
            batch = await consumer.getmany(timeout_ms=500)
            records.extend((r.key, r.value, r.partition) for recs in batch.values() for r in recs)
            return True if len(records) >= want else None
        await eventually(read, timeout=60)
    finally:
        await consumer.stop()
    return records


async def test_message_keys_are_the_keyed_hash_of_the_subject(stack: Stack) -> None:
    emp = stack.employment.client
    employer = factories.employer()
    seeker = factories.job_seeker()
    assert (await emp.post("/v1/employers", json=employer)).status_code == 201
    assert (await emp.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await emp.post("/v1/employment-registrations", json={
        "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2026-03-01"})
    assert r.status_code == 201, r.text

    records = await raw_records(stack.bootstrap, stack.prefix + str(EMPLOYMENT.topic), want=3)
    person_key = message_key(seeker["id_number"], DEV_EVENT_KEY_SECRET).encode()
    employer_key = message_key(employer["credit_code"], DEV_EVENT_KEY_SECRET).encode()
    keys = [key for key, _, _ in records]
    assert keys.count(person_key) == 2 and keys.count(employer_key) == 1, keys
    for key, _, _ in records:
        assert len(key) == 64 and key.decode() == key.decode().lower()
        assert seeker["id_number"].encode() not in key and employer["credit_code"].encode() not in key
    # The subject still travels inside the CloudEvent, for consumers.
    assert sum(seeker["id_number"].encode() in value for _, value, _ in records) == 2
    # One person's events sit on one partition.
    assert len({partition for key, _, partition in records if key == person_key}) == 1
    # A different secret gives different keys: the hash is keyed, not a bare digest of the ID number.
    assert message_key(seeker["id_number"], "another-secret").encode() != person_key
