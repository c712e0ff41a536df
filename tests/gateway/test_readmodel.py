"""Gateway read-model handlers: order-tolerant, idempotent, and strict about bad payloads."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from gateway.readmodel import models as rm
from gateway.readmodel.employment import HANDLERS
from hrss_shared.consumer import PermanentEventError
from tests import factories
from tests.gateway.events import (
    EMPLOYER_REGISTERED,
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    JOB_SEEKER_REGISTERED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    apply,
    employment_registered,
    employment_terminated,
    event,
    job_seeker_registered,
)
from tests.support import InProcessService


async def get(svc: InProcessService, model: type, key: str) -> object:
    async with svc.runtime.maker() as session:
        return await session.get(model, key)


async def test_termination_before_registration_leaves_it_terminated_with_both_dates(
    gateway: InProcessService,
) -> None:
    person = factories.id_number()
    registered = employment_registered(person, start_date="2026-03-01")
    terminated = employment_terminated(person, registration_id=registered.data["id"],
                                       credit_code=registered.data["credit_code"], end_date="2026-06-30")
    await apply(gateway, terminated, registered)
    row = await get(gateway, rm.EmploymentView, registered.data["id"])
    assert isinstance(row, rm.EmploymentView)
    assert row.status == "terminated"
    assert row.start_date == date(2026, 3, 1)
    assert row.end_date == date(2026, 6, 30)
    assert row.termination_reason == "合同到期"
    assert row.employer_name == "衢州测试企业有限公司"
    assert row.occupation == "车工"
    r = await gateway.client.get(f"/v1/persons/{person}")
    assert r.status_code == 200, r.text
    section = r.json()["employment"]
    assert section["status"] == "not_employed"
    assert section["employments"][0]["status"] == "terminated"
    assert section["employments"][0]["start_date"] == "2026-03-01"
    assert section["employments"][0]["end_date"] == "2026-06-30"


async def test_in_order_registration_then_termination(gateway: InProcessService) -> None:
    person = factories.id_number()
    registered = employment_registered(person)
    await apply(gateway, registered)
    assert (await gateway.client.get(f"/v1/persons/{person}")).json()["employment"]["status"] == "employed"
    await apply(gateway, employment_terminated(person, registration_id=registered.data["id"],
                                               credit_code=registered.data["credit_code"]))
    row = await get(gateway, rm.EmploymentView, registered.data["id"])
    assert isinstance(row, rm.EmploymentView)
    assert (row.status, row.start_date, row.end_date) == ("terminated", date(2026, 3, 1), date(2026, 6, 30))


async def test_closure_before_unemployment_registration_stays_closed(gateway: InProcessService) -> None:
    person = factories.id_number()
    reg_id = str(uuid.uuid4())
    closed = event(UNEMPLOYMENT_CLOSED, person, {"id": reg_id, "id_number": person, "end_date": "2026-08-01",
                                                 "reason": "就业登记 re-employed"})
    opened = event(UNEMPLOYMENT_REGISTERED, person, {
        "id": reg_id, "id_number": person, "name": "王小明", "county_code": "330802",
        "registered_date": "2026-07-02"})
    await apply(gateway, closed, opened)
    row = await get(gateway, rm.UnemploymentView, reg_id)
    assert isinstance(row, rm.UnemploymentView)
    assert row.status == "closed"
    assert (row.registered_date, row.end_date) == (date(2026, 7, 2), date(2026, 8, 1))


async def test_redelivered_event_changes_nothing(gateway: InProcessService) -> None:
    person = factories.id_number()
    registered = employment_registered(person)
    await apply(gateway, registered, registered, job_seeker_registered(person), job_seeker_registered(person))
    body = (await gateway.client.get(f"/v1/persons/{person}")).json()
    assert len(body["employment"]["employments"]) == 1


async def test_as_of_never_moves_backwards(gateway: InProcessService) -> None:
    person = factories.id_number()
    newer = job_seeker_registered(person, name="新名字")
    older = employment_registered(person)
    older = older.model_copy(update={"time": datetime(2026, 1, 1, tzinfo=UTC)})
    await apply(gateway, newer, older)
    body = (await gateway.client.get(f"/v1/persons/{person}")).json()
    assert datetime.fromisoformat(body["employment"]["as_of"]) == newer.time
    assert datetime.fromisoformat(body["identity"]["as_of"]) == newer.time
    assert body["identity"]["name"] == "新名字"


async def test_employer_registered_builds_the_employer_view(gateway: InProcessService) -> None:
    code = factories.credit_code("330881")
    await apply(gateway, event(EMPLOYER_REGISTERED, code, {
        "credit_code": code, "name": "江山建设有限公司", "county_code": "330881", "is_construction": True}))
    row = await get(gateway, rm.EmployerView, code)
    assert isinstance(row, rm.EmployerView)
    assert (row.name, row.county_code, row.is_construction) == ("江山建设有限公司", "330881", True)


@pytest.mark.parametrize(("type_", "data"), [
    (EMPLOYMENT_REGISTERED, {"id": "r1", "id_number": "11010519491231002X"}),
    (EMPLOYMENT_REGISTERED, {"id": "r1", "id_number": "11010519491231002X", "name": "王", "credit_code": "c",
                             "employer_name": "e", "county_code": "330802", "start_date": "2026-02-30"}),
    (EMPLOYMENT_TERMINATED, {"id": "r1", "id_number": "11010519491231002X", "credit_code": "c",
                             "end_date": "not-a-date", "reason": "x"}),
    (UNEMPLOYMENT_REGISTERED, {}),
    (UNEMPLOYMENT_CLOSED, {"id": "u1", "id_number": "11010519491231002X", "end_date": "2026-08-01"}),
    (JOB_SEEKER_REGISTERED, {"id_number": "11010519491231002X", "name": "王"}),
    (EMPLOYER_REGISTERED, {"credit_code": "91350100M000100Y43", "name": ["not", "a", "string"],
                           "county_code": "330802"}),
])
async def test_bad_data_payload_is_a_permanent_error_and_writes_nothing(
    gateway: InProcessService, type_: str, data: dict[str, object]
) -> None:
    bad = event(type_, "11010519491231002X", data)
    with pytest.raises(PermanentEventError) as info:
        async with gateway.runtime.maker() as session, session.begin():
            await HANDLERS[type_](session, bad)
    assert "does not match" in str(info.value)
    assert await get(gateway, rm.PersonView, "11010519491231002X") is None
    assert await get(gateway, rm.EmploymentView, "r1") is None
