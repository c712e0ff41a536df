"""技能档案 from training's certificate events: the employment consumer's handler, called directly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select

from employment import consumers
from employment.job_seekers.models import JobSeekerSkill
from hrss_contracts.training import CERTIFICATE_ISSUED as CERTIFICATE
from hrss_contracts.training import CertificateIssued
from hrss_shared.consumer import ConsumerRunner, PermanentEventError
from hrss_shared.events import CloudEvent
from tests import factories
from tests.employment.helpers import outbox
from tests.support import InProcessService

CERTIFICATE_ISSUED = CERTIFICATE.type


def certificate(id_number: str, **over: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "id_number": id_number, "name": "王小明", "occupation": "电工", "level": 4,
            "certificate_number": f"S{uuid.uuid4().hex[:16].upper()}", "issued_date": "2026-05-20",
            "county_code": "330802", **over}


def event(data: dict[str, Any], event_id: str | None = None) -> CloudEvent:
    return CloudEvent(id=event_id or str(uuid.uuid4()), source="/hrss/training", type=CERTIFICATE_ISSUED,
                      time=datetime.now(UTC), subject=str(data.get("id_number", "x")), data=data)


async def apply(svc: InProcessService, ev: CloudEvent) -> None:
    """Run the handler in one transaction, as the consumer runner does."""
    async with svc.runtime.maker() as session, session.begin():
        await consumers.HANDLERS[CERTIFICATE_ISSUED](session, ev)


async def skills(svc: InProcessService, id_number: str | None = None) -> list[JobSeekerSkill]:
    query = select(JobSeekerSkill)
    if id_number:
        query = query.where(JobSeekerSkill.id_number == id_number)
    async with svc.runtime.maker() as session:
        return list((await session.execute(query.order_by(JobSeekerSkill.id))).scalars().all())


def test_handler_is_registered_for_the_training_topic() -> None:
    assert consumers.TOPICS == ["hrss.training"]
    assert CERTIFICATE_ISSUED == "hrss.training.certificate.issued.v1"
    assert set(consumers.HANDLERS) == {CERTIFICATE_ISSUED, "hrss.training.certificate.corrected.v1",
                                       "hrss.training.certificate.cancelled.v1"}


async def test_a_correction_changes_the_entry_and_a_cancellation_removes_it_once(
    employment: InProcessService,
) -> None:
    person = factories.id_number()
    data = certificate(person, level=4)
    await apply(employment, event(data))
    corrected = {**data, "occupation_code": "6-31-01-03", "level": 3, "evaluation_org": "鉴定中心",
                 "changed": ["level"], "reason": "等级录入错误"}
    ev = CloudEvent(id=str(uuid.uuid4()), source="/hrss/training", type="hrss.training.certificate.corrected.v1",
                    time=datetime.now(UTC), subject=person, data=corrected)
    async with employment.runtime.maker() as session, session.begin():
        await consumers.HANDLERS[ev.type](session, ev)
    [row] = await skills(employment, person)
    assert (row.level, row.source_event_id) == (3, ev.id)
    cancelled = CloudEvent(
        id=str(uuid.uuid4()), source="/hrss/training", type="hrss.training.certificate.cancelled.v1",
        time=datetime.now(UTC), subject=person, data={
            "id": data["id"], "id_number": person, "certificate_number": data["certificate_number"],
            "occupation_code": "6-31-01-03", "level": 3, "county_code": "330802", "cancelled_date": "2026-06-01",
            "reason": "证书信息虚假"})
    for _ in range(2):  # a redelivery finds nothing to remove
        async with employment.runtime.maker() as session, session.begin():
            await consumers.HANDLERS[cancelled.type](session, cancelled)
    assert await skills(employment, person) == []


async def test_certificate_fills_the_skill_profile(employment: InProcessService) -> None:
    person = factories.id_number()
    data = certificate(person, occupation="焊工", level=3)
    ev = event(data)
    await apply(employment, ev)
    [row] = await skills(employment)
    assert (row.id_number, row.occupation, row.level, row.certificate_number, row.issued_date, row.source_event_id) == (
        person, "焊工", 3, data["certificate_number"], date(2026, 5, 20), ev.id)
    assert await outbox(employment) == [], "a projection of training's event publishes nothing of its own"


async def test_redelivery_of_the_same_event_leaves_one_row(employment: InProcessService) -> None:
    ev = event(certificate(factories.id_number()))
    for _ in range(3):
        await apply(employment, ev)
    assert len(await skills(employment)) == 1


async def test_same_certificate_in_another_event_leaves_one_row(employment: InProcessService) -> None:
    data = certificate(factories.id_number())
    first = event(data)
    await apply(employment, first)
    await apply(employment, event({**data, "id": str(uuid.uuid4())}))
    [row] = await skills(employment)
    assert row.source_event_id == first.id, "an unchanged certificate keeps the event that recorded it"


async def test_corrected_certificate_updates_the_row(employment: InProcessService) -> None:
    data = certificate(factories.id_number(), level=4)
    await apply(employment, event(data))
    corrected = event({**data, "level": 3, "occupation": "电工（高压）"})
    await apply(employment, corrected)
    [row] = await skills(employment)
    assert (row.level, row.occupation, row.source_event_id) == (3, "电工（高压）", corrected.id)


async def test_redelivery_through_the_consumer_runner_applies_once(employment: InProcessService) -> None:
    runner = ConsumerRunner(group_id="test", topics=["hrss.training"], handlers=consumers.HANDLERS,
                            maker=employment.runtime.maker, processed=employment.runtime.infra.processed_events,
                            bootstrap="127.0.0.1:1")
    ev = event(certificate(factories.id_number()))
    record = SimpleNamespace(value=ev.to_json(), key=ev.subject.encode(), topic="hrss.training", partition=0, offset=7)
    await runner.handle_record(record)  # type: ignore[arg-type]
    await runner.handle_record(record)  # type: ignore[arg-type]
    assert (runner.stats.applied, runner.stats.duplicates) == (1, 1)
    assert len(await skills(employment)) == 1


@pytest.mark.parametrize("bad", [
    {"level": 0}, {"level": 6}, {"level": "high"}, {"id_number": "110105194912310021"}, {"issued_date": "2026-02-30"},
    {"certificate_number": ""}, {"county_code": "330800"}, {"occupation": None},
])
async def test_payload_that_does_not_validate_is_a_permanent_error(
    employment: InProcessService, bad: dict[str, Any]
) -> None:
    with pytest.raises(PermanentEventError):
        await apply(employment, event({**certificate(factories.id_number()), **bad}))
    assert await skills(employment) == []


async def test_missing_field_is_a_permanent_error(employment: InProcessService) -> None:
    data = certificate(factories.id_number())
    del data["certificate_number"]
    with pytest.raises(PermanentEventError):
        await apply(employment, event(data))


async def test_certificate_number_of_another_person_is_a_permanent_error(employment: InProcessService) -> None:
    data = certificate(factories.id_number())
    await apply(employment, event(data))
    with pytest.raises(PermanentEventError, match="另一人"):
        await apply(employment, event({**data, "id_number": factories.id_number()}))
    [row] = await skills(employment)
    assert row.id_number == data["id_number"]


async def test_certificate_before_job_seeker_registration_shows_once_registered(employment: InProcessService) -> None:
    seeker = factories.job_seeker()
    await apply(employment, event(certificate(seeker["id_number"], occupation="育婴员", level=5,
                                              issued_date="2025-11-01")))
    await apply(employment, event(certificate(seeker["id_number"], occupation="电工", level=3,
                                              issued_date="2026-03-01")))
    assert len(await skills(employment, seeker["id_number"])) == 2
    r = await employment.client.post("/v1/job-seekers", json=seeker)
    assert r.status_code == 201, r.text
    assert [s["occupation"] for s in r.json()["skills"]] == ["育婴员", "电工"]
    shown = (await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}")).json()["skills"]
    assert shown[1] == {"occupation": "电工", "level": 3, "certificate_number": shown[1]["certificate_number"],
                        "issued_date": "2026-03-01"}


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=st.integers(min_value=-5, max_value=10))
def test_contract_accepts_levels_one_to_five_only(level: int) -> None:
    data = certificate(factories.id_number(), level=level)
    if 1 <= level <= 5:
        assert CertificateIssued.model_validate(data).level == level
    else:
        with pytest.raises(ValidationError):
            CertificateIssued.model_validate(data)


async def test_many_certificates_one_row_each(employment: InProcessService) -> None:
    person = factories.id_number()
    for level in range(1, 6):
        await apply(employment, event(certificate(person, level=level, occupation=f"工种{level}")))
    async with employment.runtime.maker() as session:
        assert (await session.execute(select(func.count()).select_from(JobSeekerSkill))).scalar_one() == 5
