"""技能等级认定 across the real broker: a certificate recorded in the training service reaches employment's skill
profile and the gateway's person view, its 免申即享 subsidy is decided once even when the certificate event is
published twice, and its cancellation is followed everywhere — on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_shared.outbox import message_key
from hrss_shared.registry import TRAINING
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from tests import factories
from tests.conftest import DbFactory
from tests.integration.test_resilience import read_topic
from tests.support import InProcessService, KafkaNode, eventually, service_settings
from training.config import TrainingSettings
from training.main import create_app as create_training


@dataclass
class Trio:
    training: InProcessService
    employment: InProcessService
    gateway: InProcessService


@pytest.fixture
async def trio(make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path) -> AsyncIterator[Trio]:
    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    trn = InProcessService(create_training, settings(TrainingSettings, await make_db("training")))
    emp = InProcessService(create_employment, settings(EmploymentSettings, await make_db("employment")))
    gw = InProcessService(create_gateway, settings(GatewaySettings, await make_db("gateway")))
    async with trn, emp, gw:
        yield Trio(training=trn, employment=emp, gateway=gw)


async def subsidies_of(svc: InProcessService, id_number: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await svc.client.get("/v1/subsidies", params={"id_number": id_number})).json()["data"]
    return data


async def test_a_certificate_reaches_the_skill_profile_and_the_gateway_and_pays_one_subsidy(
    trio: Trio, kafka: KafkaNode, prefix: str
) -> None:
    seeker = factories.job_seeker()
    person = seeker["id_number"]
    assert (await trio.employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await trio.training.client.post("/v1/certificates", json={
        "certificate_number": f"Q{uuid.uuid4().hex[:12]}", "id_number": person, "name": seeker["name"],
        "county_code": "330802", "occupation_code": "6-31-01-03", "occupation_name": "电工", "level": 3,
        "evaluation_org": "衢州市职业技能鉴定指导中心", "issued_date": "2026-03-10"})
    assert r.status_code == 201, r.text
    cert = r.json()

    async def profiled() -> dict[str, Any] | None:
        body: dict[str, Any] = (await trio.employment.client.get(f"/v1/job-seekers/{person}")).json()
        return body if body.get("skills") else None
    profile = await eventually(profiled, timeout=90, interval=0.5)
    assert [(s["certificate_number"], s["level"], s["occupation"]) for s in profile["skills"]] == [
        (cert["certificate_number"], 3, "电工")]

    async def viewed() -> dict[str, Any] | None:
        r = await trio.gateway.client.get(f"/v1/persons/{person}")
        body: dict[str, Any] = r.json()
        return body if r.status_code == 200 and body["training"]["certificates"] else None
    view = await eventually(viewed, timeout=90, interval=0.5)
    assert view["training"]["high_skill"] is True
    assert view["training"]["certificates"][0]["certificate_number"] == cert["certificate_number"]

    async def paid() -> list[dict[str, Any]] | None:
        return await subsidies_of(trio.training, person) or None
    [subsidy] = await eventually(paid, timeout=90, interval=0.5)
    assert (subsidy["kind"], subsidy["level"], subsidy["amount"], subsidy["channel"]) == (
        "skill_upgrade", 3, "2000.00", "automatic")

    # The certificate event published onto the topic twice more — the same record, and a copy under a new id.
    topic = prefix + str(TRAINING.topic)
    [issued] = [e for e in await read_topic(kafka.bootstrap, topic, settle=1.0)
                if e.type == "hrss.training.certificate.issued.v1" and e.subject == person]
    copy = issued.model_copy(update={"id": str(uuid.uuid4())})
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
    await producer.start()
    try:
        key = message_key(person, DEV_EVENT_KEY_SECRET).encode()
        for event in (issued, copy):
            await producer.send_and_wait(topic, value=event.to_json(), key=key)
    finally:
        await producer.stop()
    [runner] = trio.training.runtime.consumers
    processed = trio.training.runtime.infra.processed_events

    async def both_seen() -> bool:  # the same record recognised as a duplicate, the copy applied (and recorded)
        async with trio.training.runtime.maker() as session:
            copies = (await session.execute(select(func.count()).select_from(processed).where(
                processed.c.event_id == copy.id))).scalar_one()
        return runner.stats.duplicates >= 1 and copies == 1
    await eventually(both_seen, timeout=60, interval=0.5)
    assert [s["id"] for s in await subsidies_of(trio.training, person)] == [subsidy["id"]]
    refusals = (await trio.training.client.get("/v1/subsidies/refusals", params={"id_number": person})).json()
    assert refusals["count"] == 0

    # Cancelled: the profile entry goes, the gateway marks it, the subsidy is revoked.
    r = await trio.training.client.post(f"/v1/certificates/{cert['id']}/cancel", json={"reason": "证书信息虚假"})
    assert r.status_code == 200, r.text

    async def followed() -> bool:
        skills = (await trio.employment.client.get(f"/v1/job-seekers/{person}")).json()["skills"]
        training = (await trio.gateway.client.get(f"/v1/persons/{person}")).json()["training"]
        subsidies = await subsidies_of(trio.training, person)
        return skills == [] and training["high_skill"] is False and subsidies[0]["status"] == "revoked"
    await eventually(followed, timeout=90, interval=0.5)
