"""欠薪联合预警 across the real broker: social insurance's contribution-arrears events, published onto
``hrss.social-insurance`` here (the social-insurance service is not needed), raise the employer's score in the
labour-relations service and, past the threshold, exactly one ``warning.raised`` on ``hrss.labour-relations`` —
also when every record is delivered again; and a group case publishes its escalation — on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from hrss_contracts import contract_for
from hrss_contracts.social_insurance import CONTRIBUTION_ARREARS_RAISED, ContributionArrearsRaised
from hrss_shared import clock
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import message_key
from hrss_shared.registry import LABOUR_RELATIONS, SOCIAL_INSURANCE
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_resilience import read_topic
from tests.labour_relations.helpers import new_case, settled
from tests.support import InProcessService, KafkaNode, eventually, service_settings


@pytest.fixture
async def labour(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[InProcessService]:
    """The labour-relations service with its relay and consumer, on the real Kafka and the chosen database."""
    move_today(date(2026, 11, 20))
    settings = service_settings(LabourRelationsSettings, db_url=await make_db("labour"), bootstrap=kafka.bootstrap,
                                prefix=prefix, data_dir=tmp_path)
    async with InProcessService(create_app, settings) as svc:
        await settled(svc)
        yield svc


def arrears_event(credit_code: str, month: str) -> CloudEvent:
    data = ContributionArrearsRaised(
        id=str(uuid.uuid4()), credit_code=credit_code, county_code="330802", month=month, consecutive_months=2,
        persons=[{"id_number": factories.id_number(), "insurance_type": "employee_pension",  # type: ignore[list-item]
                  "months": ["2026-08", month]}], person_count=1)
    return CloudEvent(id=str(uuid.uuid4()), source="/hrss/social-insurance", type=CONTRIBUTION_ARREARS_RAISED.type,
                      time=clock.now(), subject=credit_code,
                      data=CONTRIBUTION_ARREARS_RAISED.dump(data))


async def publish(bootstrap: str, topic: str, events: list[CloudEvent]) -> None:
    """Publish as the social-insurance relay does: the CloudEvent JSON, keyed by the hash of its subject."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for ev in events:
            await producer.send_and_wait(topic, value=ev.to_json(),
                                         key=message_key(ev.subject, DEV_EVENT_KEY_SECRET).encode())
    finally:
        await producer.stop()


async def risk(svc: InProcessService, credit_code: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/employers/{credit_code}/risk")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_arrears_events_raise_exactly_one_warning_even_when_redelivered(
    labour: InProcessService, kafka: KafkaNode, prefix: str
) -> None:
    employer = factories.credit_code()
    source_topic = prefix + str(SOCIAL_INSURANCE.topic)
    september = arrears_event(employer, "2026-09")
    await publish(kafka.bootstrap, source_topic, [september])

    async def scored(expected: float) -> bool:
        return (await risk(labour, employer))["score"] == expected
    await eventually(lambda: scored(40.0), timeout=90, interval=0.5)  # one signal: below the threshold (60)
    assert (await risk(labour, employer))["open_warning"] is None

    october = arrears_event(employer, "2026-10")
    await publish(kafka.bootstrap, source_topic, [october])
    await eventually(lambda: scored(80.0), timeout=90, interval=0.5)
    warning = (await risk(labour, employer))["open_warning"]
    assert warning is not None and warning["score"] == 80.0

    # Both records delivered again: recognised as duplicates, nothing changes.
    [runner] = labour.runtime.consumers
    duplicates = runner.stats.duplicates
    await publish(kafka.bootstrap, source_topic, [september, october])

    async def redelivered() -> bool:
        return runner.stats.duplicates >= duplicates + 2
    await eventually(redelivered, timeout=60, interval=0.5)
    now = await risk(labour, employer)
    assert (now["score"], now["open_warning"]["id"]) == (80.0, warning["id"])

    topic = prefix + str(LABOUR_RELATIONS.topic)

    async def published() -> list[CloudEvent] | None:
        events = [e for e in await read_topic(kafka.bootstrap, topic, settle=1.0) if e.subject == employer]
        return events or None
    events = await eventually(published, timeout=60, interval=0.5)
    assert [(e.type, e.data["id"]) for e in events] == [("hrss.labour-relations.warning.raised.v1", warning["id"])]
    contract_for(events[0].type).parse(events[0].data)
    assert sorted(s["kind"] for s in events[0].data["signals"]) == ["contribution_arrears", "contribution_arrears"]


async def test_a_group_case_publishes_its_escalation(labour: InProcessService, kafka: KafkaNode, prefix: str) -> None:
    employer = factories.credit_code()
    case = await new_case(labour, credit_code=employer, workers=10, filed_date="2026-11-20")
    assert case["group_case"] is True
    topic = prefix + str(LABOUR_RELATIONS.topic)

    async def published() -> list[CloudEvent] | None:
        events = [e for e in await read_topic(kafka.bootstrap, topic, settle=1.0) if e.subject == employer]
        return events if len(events) >= 3 else None
    events = await eventually(published, timeout=90, interval=0.5)
    assert [e.type for e in events] == ["hrss.labour-relations.arrears_case.registered.v1",
                                        "hrss.labour-relations.arrears_case.escalated.v1",
                                        "hrss.labour-relations.warning.raised.v1"]
    for e in events:
        contract_for(e.type).parse(e.data)
    escalated = events[1].data
    assert (escalated["id"], escalated["group_case"], escalated["workers_affected"]) == (case["id"], True, 10)
