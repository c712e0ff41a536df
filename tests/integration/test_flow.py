"""End to end across the service boundary: employment → Kafka → gateway, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.integration.conftest import Stack
from tests.support import eventually


async def person(stack: Stack, id_number: str, *, predicate: Any = None) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        r = await stack.gateway.client.get(f"/v1/persons/{id_number}")
        if r.status_code != 200:
            return None
        body: dict[str, Any] = r.json()
        return body if predicate is None or predicate(body) else None
    return await eventually(check, timeout=60)


async def test_registration_posted_in_employment_is_visible_in_gateway(stack: Stack) -> None:
    emp = stack.employment.client
    employer = factories.employer()
    seeker = factories.job_seeker()
    assert (await emp.post("/v1/employers", json=employer)).status_code == 201
    assert (await emp.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await emp.post("/v1/employment-registrations", json={
        "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2026-03-01", "occupation": "车工"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]

    view = await person(stack, seeker["id_number"], predicate=lambda b: b["employment"]["employments"])
    assert view["identity"]["name"] == seeker["name"]
    assert view["identity"]["county_name"] == "柯城区"
    section = view["employment"]
    assert section["status"] == "employed"
    assert section["employments"][0]["id"] == registration_id
    assert section["employments"][0]["employer_name"] == employer["name"]
    assert section["as_of"] is not None

    r = await emp.post(f"/v1/employment-registrations/{registration_id}/terminate",
                       json={"end_date": "2026-06-30", "reason": "合同到期"})
    assert r.status_code == 200, r.text
    r = await emp.post("/v1/unemployment-registrations", json={
        "id_number": seeker["id_number"], "name": seeker["name"], "county_code": "330802",
        "registered_date": "2026-07-02"})
    assert r.status_code == 201, r.text
    view = await person(stack, seeker["id_number"],
                        predicate=lambda b: b["employment"]["status"] == "registered_unemployed")
    assert view["employment"]["employments"][0]["status"] == "terminated"
    assert view["employment"]["employments"][0]["end_date"] == "2026-06-30"
    first_as_of = section["as_of"]
    assert view["employment"]["as_of"] > first_as_of

    # Registering employment again closes the open unemployment registration from the start date.
    r = await emp.post("/v1/employment-registrations", json={
        "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2026-08-01"})
    assert r.status_code == 201, r.text
    view = await person(stack, seeker["id_number"], predicate=lambda b: b["employment"]["status"] == "employed"
                        and b["employment"]["unemployment_registrations"][0]["status"] == "closed")
    assert view["employment"]["unemployment_registrations"][0]["end_date"] == "2026-08-01"


async def test_correlation_id_travels_from_request_into_event(stack: Stack) -> None:
    from sqlalchemy import select

    seeker = factories.job_seeker()
    r = await stack.employment.client.post("/v1/job-seekers", json=seeker, headers={"X-Correlation-ID": "corr-42"})
    assert r.status_code == 201
    assert r.headers["X-Correlation-ID"] == "corr-42"
    outbox = stack.employment.runtime.infra.outbox
    async with stack.employment.runtime.maker() as session:
        assert stack.employment.runtime.outbox is not None
        key = stack.employment.runtime.outbox.key_for(seeker["id_number"])
        query = select(outbox.c.payload).where(outbox.c.key == key)
        payload = (await session.execute(query)).scalar_one()
    assert '"correlationid":"corr-42"' in payload


async def test_waiting_read_answers_with_the_registration_posted_meanwhile(stack: Stack) -> None:
    """Prefer: wait across the boundary: the gateway's GET starts before the POST in employment, and answers once the
    event has come through Kafka and the read model has committed it — no polling."""
    import asyncio

    emp, gw = stack.employment.client, stack.gateway.client
    employer = factories.employer()
    assert (await emp.post("/v1/employers", json=employer)).status_code == 201
    seeker = factories.job_seeker()
    url = f"/v1/persons/{seeker['id_number']}"
    waiting = asyncio.create_task(gw.get(url, headers={"Prefer": "wait=10"}))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # nobody has mentioned the person yet
    r = await emp.post("/v1/employment-registrations", json={
        "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2026-03-01"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]
    seen = await asyncio.wait_for(waiting, 30)
    assert seen.status_code == 200, seen.text
    assert seen.headers["Preference-Applied"] == "wait=10"
    assert [e["id"] for e in seen.json()["employment"]["employments"]] == [registration_id]

    # Holding that answer, wait for the next change: the termination.
    waiting = asyncio.create_task(gw.get(url, headers={"Prefer": "wait=10", "If-None-Match": seen.headers["ETag"]}))
    r = await emp.post(f"/v1/employment-registrations/{registration_id}/terminate",
                       json={"end_date": "2026-06-30", "reason": "合同到期"})
    assert r.status_code == 200, r.text
    changed = await asyncio.wait_for(waiting, 30)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != seen.headers["ETag"]
    assert changed.json()["employment"]["employments"][0]["status"] == "terminated"
