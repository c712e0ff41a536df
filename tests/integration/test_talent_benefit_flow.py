"""人才政策兑现 across the real broker: a graduate's employment registered in the employment service and paid
contribution months on ``hrss.social-insurance`` (one posted alone, two in employers' bulk postings) make the training
service's allowance eligible; the employment terminated stops the payments from that month, a late payment is
published, and redelivered events change nothing — on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from hrss_contracts.social_insurance import CONTRIBUTION_POSTED, CONTRIBUTIONS_POSTED
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import message_key
from hrss_shared.registry import EMPLOYMENT, SOCIAL_INSURANCE, TRAINING
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

    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    emp = InProcessService(create_employment, settings(EmploymentSettings, await make_db("employment")))
    trn = InProcessService(create_training, settings(TrainingSettings, await make_db("training")))
    async with emp, trn:
        yield Pair(employment=emp, training=trn)


async def produce(bootstrap: str, topic: str, key: str, *events: CloudEvent) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(topic, value=event.to_json(),
                                         key=message_key(key, DEV_EVENT_KEY_SECRET).encode())
    finally:
        await producer.stop()


def contribution(person: str, credit_code: str, month: str) -> CloudEvent:
    """A 缴费记账 event as the social-insurance service publishes it (its contract validates the data)."""
    data = CONTRIBUTION_POSTED.model(
        id=str(uuid.uuid4()), id_number=person, county_code="330802", insurance_type="employee_pension",
        credit_code=credit_code, enrolment_id="si-enrolment-1", month=month, employer_amount="1280.00",
        personal_amount="512.00", paid_date=date(int(month[:4]), int(month[5:]), 15))
    return CloudEvent(id=str(uuid.uuid4()), source="/hrss/social-insurance", type=CONTRIBUTION_POSTED.type,
                      time=datetime.now(UTC), subject=person, data=data.model_dump(mode="json"))


def bulk_contribution(person: str, credit_code: str, month: str) -> CloudEvent:
    """An employer's month posted in bulk (批量缴费记账), naming the person among others."""
    items = [{"id": str(uuid.uuid4()), "id_number": someone, "county_code": "330802", "enrolment_id": "si-enrolment-1",
              "employer_amount": "1280.00", "personal_amount": "512.00", "paid_date": f"{month}-15"}
             for someone in (factories.id_number(), person)]
    data = CONTRIBUTIONS_POSTED.model.model_validate(
        {"credit_code": credit_code, "insurance_type": "employee_pension", "month": month, "items": items})
    return CloudEvent(id=str(uuid.uuid4()), source="/hrss/social-insurance", type=CONTRIBUTIONS_POSTED.type,
                      time=datetime.now(UTC), subject=credit_code, data=data.model_dump(mode="json"))


async def test_employment_and_contributions_make_the_allowance_eligible_and_its_end_stops_it(
    pair: Pair, kafka: KafkaNode, prefix: str, move_today: MoveToday
) -> None:
    emp, trn = pair.employment.client, pair.training.client
    employer = factories.employer()
    seeker = factories.job_seeker(id_number=factories.id_number(birth=date(1999, 4, 1)))
    person = seeker["id_number"]
    assert (await emp.post("/v1/employers", json=employer)).status_code == 201
    assert (await emp.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await emp.post("/v1/employment-registrations", json={
        "id_number": person, "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2025-09-01"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]
    si_topic = prefix + str(SOCIAL_INSURANCE.topic)
    await produce(kafka.bootstrap, si_topic, person, contribution(person, employer["credit_code"], "2025-12"))
    await produce(kafka.bootstrap, si_topic, employer["credit_code"],
                  *(bulk_contribution(person, employer["credit_code"], m) for m in ("2026-01", "2026-02")))
    application = {"id_number": person, "name": seeker["name"], "kind": "graduate_living_allowance",
                   "degree": "bachelor", "graduation_date": "2025-06-30"}

    async def granted() -> dict[str, Any] | None:
        r = await trn.post("/v1/talent-benefits", json=application)
        return r.json() if r.status_code == 201 else None
    benefit = await eventually(granted, timeout=90, interval=0.5)
    assert (benefit["credit_code"], benefit["amount_per_period"], benefit["first_period"]) == (
        employer["credit_code"], "1000.00", "2026-03")
    assert (await trn.post(f"/v1/talent-benefits/{benefit['id']}/payments",
                           json={"period": "2026-03", "paid_date": "2026-03-10"})).status_code == 201

    # The employment ends on 31 March: the allowance stops from March, already paid for March.
    r = await emp.post(f"/v1/employment-registrations/{registration_id}/terminate",
                       json={"end_date": "2026-03-31", "reason": "个人辞职"})
    assert r.status_code == 200, r.text

    async def stopped() -> dict[str, Any] | None:
        got: dict[str, Any] = (await trn.get(f"/v1/talent-benefits/{benefit['id']}")).json()
        return got if got["status"] == "stopped" else None
    got = await eventually(stopped, timeout=90, interval=0.5)
    assert (got["stop_period"], got["stop_reason"]) == ("2026-03", "employment_ended")

    # The termination published onto the topic again changes nothing.
    employment_topic = prefix + str(EMPLOYMENT.topic)
    [ended] = [e for e in await read_topic(kafka.bootstrap, employment_topic, settle=1.0)
               if e.type == "hrss.employment.employment.terminated.v1" and e.subject == person]
    await produce(kafka.bootstrap, employment_topic, person, ended)
    [runner] = pair.training.runtime.consumers

    async def redelivered() -> bool:
        return runner.stats.duplicates >= 1
    await eventually(redelivered, timeout=60, interval=0.5)

    move_today(date(2026, 4, 20))
    late = await trn.post(f"/v1/talent-benefits/{benefit['id']}/payments",
                          json={"period": "2026-04", "paid_date": "2026-04-20"})
    assert late.status_code == 201 and late.json()["after_stop"] is True
    training_topic = prefix + str(TRAINING.topic)

    async def published() -> list[Any] | None:
        events = [e for e in await read_topic(kafka.bootstrap, training_topic, settle=1.0) if e.subject == person]
        return events if any(e.data.get("period") == "2026-04" for e in events) else None
    events = await eventually(published, timeout=60, interval=0.5)
    kinds = [(e.type.split(".")[3], e.data.get("period"), e.data.get("after_stop"), e.data.get("overpaid_periods"))
             for e in events]
    assert kinds == [("granted", None, None, None), ("paid", "2026-03", False, None),
                     ("stopped", None, None, ["2026-03"]), ("paid", "2026-04", True, None)]
