"""参保"一件事" and 单位欠缴 across the real broker: an employment registration POSTed to the employment service
reaches social insurance on ``hrss.employment`` and opens pending enrolments; the first contribution activates
them; two unpaid months later the employer's arrears event is on ``hrss.social-insurance`` exactly once — also when
the employment event is published a second time and the arrears job runs again. Every event read back validates
against its contract."""

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
from hrss_contracts import contract_for
from hrss_shared import clock
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import message_key
from hrss_shared.registry import EMPLOYMENT, SOCIAL_INSURANCE
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from social_insurance.arrears.service import JOB as ARREARS_JOB
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_resilience import read_topic
from tests.support import InProcessService, KafkaNode, eventually, service_settings


@dataclass
class Pair:
    employment: InProcessService
    social: InProcessService


@pytest.fixture
async def pair(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[Pair]:
    move_today(date(2026, 3, 10))
    emp = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await make_db("employment"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    si = InProcessService(create_social_insurance, service_settings(
        SocialInsuranceSettings, db_url=await make_db("social_insurance"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    async with emp, si:
        yield Pair(employment=emp, social=si)


async def enrolments_of(svc: InProcessService, id_number: str) -> list[dict[str, Any]]:
    r = await svc.client.get("/v1/enrolments", params={"id_number": id_number, "sort": "insurance_type"})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def social_events(kafka: KafkaNode, prefix: str) -> list[CloudEvent]:
    """Every event on this test's hrss.social-insurance, each validated against its contract."""
    events = await read_topic(kafka.bootstrap, prefix + str(SOCIAL_INSURANCE.topic), settle=1.0)
    for e in events:
        contract = contract_for(e.type)
        contract.parse(e.data)
        assert e.subject == str(e.data[contract.subject]) and e.source == "/hrss/social-insurance"
    return events


async def test_employment_opens_pending_enrolments_the_first_contribution_activates_and_arrears_go_out_once(
    pair: Pair, kafka: KafkaNode, prefix: str
) -> None:
    employer = factories.employer()
    assert (await pair.employment.client.post("/v1/employers", json=employer)).status_code == 201
    seeker = factories.job_seeker()
    person = seeker["id_number"]
    assert (await pair.employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await pair.employment.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2026-02-15"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]

    async def opened() -> list[dict[str, Any]] | None:
        found = await enrolments_of(pair.social, person)
        return found if len(found) == 3 else None
    found = await eventually(opened, timeout=90, interval=0.5)
    assert [(e["insurance_type"], e["status"], e["employment_registration_id"]) for e in found] == [
        (k, "pending", registration_id) for k in ("employee_pension", "unemployment", "work_injury")]

    # The first contribution (February, within the 30 grace days) activates each enrolment.
    r = await pair.social.client.post("/v1/contributions/bulk", json={
        "credit_code": employer["credit_code"], "month": "2026-02", "rows": [
            {"id_number": person, "insurance_type": kind, "declared_base": "6000.00"}
            for kind in ("employee_pension", "unemployment", "work_injury")]})
    assert r.status_code == 200 and r.json()["accepted"] == 3, r.text
    assert {e["status"] for e in await enrolments_of(pair.social, person)} == {"active"}

    # March and April unpaid: on 2026-05-01 the employer is in arrears for April.
    clock.advance(date(2026, 5, 1) - date(2026, 3, 10))
    scheduler = pair.social.runtime.scheduler
    assert scheduler is not None
    await scheduler.run_now(ARREARS_JOB)
    await scheduler.run_now(ARREARS_JOB)  # again: nothing new

    # The employment event published a second time: recognised, nothing changes.
    employment_topic = prefix + str(EMPLOYMENT.topic)
    records = [e for e in await read_topic(kafka.bootstrap, employment_topic, settle=1.0)
               if e.type == "hrss.employment.employment.registered.v1" and e.subject == person]
    assert len(records) == 1
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(employment_topic, value=records[0].to_json(),
                                     key=message_key(person, DEV_EVENT_KEY_SECRET).encode())
    finally:
        await producer.stop()
    [runner] = pair.social.runtime.consumers

    async def redelivered() -> bool:
        return runner.stats.duplicates >= 1
    await eventually(redelivered, timeout=60, interval=0.5)
    await scheduler.run_now(ARREARS_JOB)

    async def published() -> list[CloudEvent] | None:
        events = await social_events(kafka, prefix)
        return events if any(e.type.endswith("arrears.raised.v1") for e in events) else None
    events = await eventually(published, timeout=60, interval=0.5)
    by_type: dict[str, int] = {}
    for e in events:
        by_type[e.type.removeprefix("hrss.social-insurance.").removesuffix(".v1")] = by_type.get(
            e.type.removeprefix("hrss.social-insurance.").removesuffix(".v1"), 0) + 1
    assert by_type == {"enrolment.registered": 3, "medical_enrolment.requested": 1, "enrolment.activated": 3,
                       "contribution.posted": 3, "arrears.raised": 1}
    [raised] = [e for e in events if e.type.endswith("arrears.raised.v1")]
    assert (raised.subject, raised.data["month"], raised.data["consecutive_months"], raised.data["person_count"]) == (
        employer["credit_code"], "2026-04", 2, 1)
    assert {p["insurance_type"]: p["months"] for p in raised.data["persons"]} == {
        k: ["2026-03", "2026-04"] for k in ("employee_pension", "unemployment", "work_injury")}
