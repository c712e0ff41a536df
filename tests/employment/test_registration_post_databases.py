"""POST /v1/employment-registrations on SQLite and on the real PostgreSQL: its rules read in one statement after the
person's lock, the row and its event written through the driver (hrss_shared.db.Prepared) — each rule's answer, the
row, and exactly one event per registration, on both databases."""

from __future__ import annotations

import asyncio

from employment.config import EmploymentSettings
from employment.main import create_app
from tests import factories
from tests.employment.helpers import (
    EMPLOYMENT_REGISTERED,
    UNEMPLOYMENT_CLOSED,
    assert_problem,
    count,
    employ,
    new_employer,
    outbox,
    unemploy,
)
from tests.support import InProcessService, on_each_database

service = on_each_database(create_app, EmploymentSettings, "employment")


async def new_events(svc: InProcessService, before: int) -> list[str]:
    return [r["event_type"] for r in (await outbox(svc))[before:]]


async def test_registration_row_and_its_one_event(service: InProcessService) -> None:
    employer = await new_employer(service)
    person = factories.id_number()
    before = len(await outbox(service))
    body = await employ(service, person, employer["credit_code"], occupation="车工")
    assert body["status"] == "active" and body["employer_name"] == employer["name"]
    assert body["county_code"] == employer["county_code"] and body["start_date"] == "2026-03-01"
    rows = (await outbox(service))[before:]
    assert [r["event_type"] for r in rows] == [EMPLOYMENT_REGISTERED]
    data = rows[0]["event"]["data"]
    assert (data["id"], data["id_number"], data["occupation"]) == (body["id"], person, "车工")
    listed = (await service.client.get("/v1/employment-registrations", params={"id_number": person})).json()
    assert [r["id"] for r in listed["data"]] == [body["id"]]
    assert listed["data"][0]["created_at"] is not None


async def test_concurrent_duplicates_create_one_row_and_one_event(service: InProcessService) -> None:
    employer = await new_employer(service)
    person = factories.id_number()
    before = len(await outbox(service))
    body = {"id_number": person, "name": "王小明", "credit_code": employer["credit_code"], "start_date": "2026-03-01"}
    responses = await asyncio.gather(
        *(service.client.post("/v1/employment-registrations", json=body) for _ in range(6)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409, 409]
    conflicts = [r.json() for r in responses if r.status_code == 409]
    created = next(r.json() for r in responses if r.status_code == 201)
    assert all(c.get("existing_id") in (None, created["id"]) for c in conflicts)
    assert await count(service, "employment_registrations") == 1
    assert await new_events(service, before) == [EMPLOYMENT_REGISTERED]


async def test_the_same_person_at_another_employer_is_a_second_registration(service: InProcessService) -> None:
    first, second = await new_employer(service), await new_employer(service)
    person = factories.id_number()
    await employ(service, person, first["credit_code"])
    r = await service.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": "王小明", "credit_code": first["credit_code"], "start_date": "2026-04-01"})
    problem = assert_problem(r, 409, "credit_code")
    assert problem["existing_id"] and "2026-03-01" in problem["detail"]
    await employ(service, person, second["credit_code"], start_date="2026-04-01")


async def test_registration_closes_the_open_unemployment_registration(service: InProcessService) -> None:
    employer = await new_employer(service)
    person = factories.id_number()
    unemployed = await unemploy(service, person, registered_date="2026-07-02")
    before = len(await outbox(service))
    await employ(service, person, employer["credit_code"], start_date="2026-08-01")
    assert await new_events(service, before) == [UNEMPLOYMENT_CLOSED, EMPLOYMENT_REGISTERED]
    closed = (await service.client.get(f"/v1/unemployment-registrations/{unemployed['id']}")).json()
    assert (closed["status"], closed["end_date"]) == ("closed", "2026-08-01")


async def test_unknown_or_deactivated_employer_is_refused_naming_credit_code(service: InProcessService) -> None:
    person = factories.id_number()
    r = await service.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": "王小明", "credit_code": factories.credit_code(), "start_date": "2026-03-01"})
    assert "用人单位未登记" in assert_problem(r, 422, "credit_code")["errors"][0]["reason"]
    assert await count(service, "employment_registrations") == 0
