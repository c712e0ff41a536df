"""再就业培训券 across the real broker: an unemployment registration POSTed to the employment service reaches the
training service's consumer on ``hrss.employment`` and issues exactly one voucher — also when the same event is
published onto the topic a second time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from hrss_shared.outbox import message_key
from hrss_shared.registry import EMPLOYMENT, TRAINING
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_resilience import read_topic
from tests.support import InProcessService, KafkaNode, eventually, service_settings
from training.config import TrainingSettings
from training.main import create_app as create_training


@dataclass
class Pair:
    employment: InProcessService
    training: InProcessService


@pytest.fixture
async def pair(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[Pair]:
    move_today(date(2026, 3, 10))
    emp = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await make_db("employment"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    trn = InProcessService(create_training, service_settings(
        TrainingSettings, db_url=await make_db("training"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    async with emp, trn:
        yield Pair(employment=emp, training=trn)


async def vouchers_of(svc: InProcessService, id_number: str) -> list[dict[str, Any]]:
    r = await svc.client.get("/v1/vouchers", params={"id_number": id_number})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def test_an_unemployment_registration_issues_one_voucher_even_when_redelivered(
    pair: Pair, kafka: KafkaNode, prefix: str
) -> None:
    seeker = factories.job_seeker()
    person = seeker["id_number"]
    assert (await pair.employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await pair.employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": seeker["name"], "county_code": "330802", "registered_date": "2026-03-02"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]

    async def issued() -> list[dict[str, Any]] | None:
        found = await vouchers_of(pair.training, person)
        return found or None
    [voucher] = await eventually(issued, timeout=90, interval=0.5)
    assert (voucher["kind"], voucher["unemployment_registration_id"], voucher["issue_date"], voucher["expiry_date"],
            voucher["illustrative"]) == ("reemployment", registration_id, "2026-03-02", "2027-03-02", True)

    # The very same record published onto the topic again: still one voucher.
    employment_topic = prefix + str(EMPLOYMENT.topic)
    records = [e for e in await read_topic(kafka.bootstrap, employment_topic, settle=1.0)
               if e.type == "hrss.employment.unemployment.registered.v1" and e.subject == person]
    assert len(records) == 1
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
    await producer.start()
    try:
        key = message_key(person, DEV_EVENT_KEY_SECRET).encode()  # the key the outbox gave it
        await producer.send_and_wait(employment_topic, value=records[0].to_json(), key=key)
    finally:
        await producer.stop()
    [runner] = pair.training.runtime.consumers

    async def redelivered() -> bool:  # the second copy reached the consumer and was recognised
        return runner.stats.duplicates >= 1
    await eventually(redelivered, timeout=60, interval=0.5)
    assert [v["id"] for v in await vouchers_of(pair.training, person)] == [voucher["id"]]

    # Exactly one voucher.issued event on hrss.training for this person.
    training_topic = prefix + str(TRAINING.topic)

    async def published() -> list[Any] | None:
        events = [e for e in await read_topic(kafka.bootstrap, training_topic, settle=1.0) if e.subject == person]
        return events or None
    events = await eventually(published, timeout=60, interval=0.5)
    assert [(e.type, e.data["id"]) for e in events] == [("hrss.training.voucher.issued.v1", voucher["id"])]
