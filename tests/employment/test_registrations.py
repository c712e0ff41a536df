"""就业登记 / 失业登记 rules, and the outbox rows each state change writes (or does not)."""

from __future__ import annotations

import asyncio

import pytest

from tests import factories
from tests.employment.helpers import (
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    assert_problem,
    count,
    employ,
    key_of,
    new_employer,
    outbox,
    outbox_types,
    reason,
    unemploy,
)
from tests.support import InProcessService


async def seeded(employment: InProcessService, county: str = "330802") -> tuple[str, dict[str, str]]:
    """A new person's ID number and a registered employer in ``county``."""
    employer = await new_employer(employment, county)
    return factories.id_number(county), employer


async def new_rows(employment: InProcessService, before: int) -> list[dict[str, object]]:
    return (await outbox(employment))[before:]


# ---- employment registration ---------------------------------------------------------------


async def test_register_employment_writes_one_registered_event(employment: InProcessService) -> None:
    person, employer = await seeded(employment, "330825")
    before = len(await outbox(employment))
    reg = await employ(employment, person, employer["credit_code"], "2026-03-01", occupation="车工")
    assert reg["status"] == "active"
    assert reg["employer_name"] == employer["name"]
    assert reg["county_code"] == "330825"
    assert reg["end_date"] is None
    [row] = await new_rows(employment, before)
    assert row["event_type"] == EMPLOYMENT_REGISTERED
    assert row["key"] == key_of(employment, person)
    event = row["event"]
    assert event["subject"] == person  # type: ignore[index]
    assert event["data"] == {  # type: ignore[index]
        "id": reg["id"], "id_number": person, "name": "王小明", "credit_code": employer["credit_code"],
        "employer_name": employer["name"], "county_code": "330825", "start_date": "2026-03-01",
        "occupation": "车工",
    }
    r = await employment.client.get(f"/v1/employment-registrations/{reg['id']}")
    assert r.status_code == 200
    assert r.json()["id_number"] == person


async def test_unknown_employer_is_422_naming_credit_code_and_writes_nothing(employment: InProcessService) -> None:
    r = await employment.client.post("/v1/employment-registrations", json={
        "id_number": factories.id_number(), "name": "王小明", "credit_code": factories.credit_code(),
        "start_date": "2026-03-01"})
    assert "未登记" in reason(assert_problem(r, 422, "credit_code"), "credit_code")
    assert await count(employment, "employment_registrations") == 0
    assert await outbox(employment) == []


async def test_second_active_registration_with_same_employer_is_409_naming_the_existing_one(
    employment: InProcessService,
) -> None:
    person, employer = await seeded(employment)
    first = await employ(employment, person, employer["credit_code"], "2026-03-01")
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": "王小明", "credit_code": employer["credit_code"], "start_date": "2026-05-01"})
    body = assert_problem(r, 409, "credit_code")
    assert body["existing_id"] == first["id"]
    assert first["id"] in body["detail"]
    assert await count(employment, "employment_registrations") == 1
    assert await new_rows(employment, before) == []


async def test_active_registrations_with_two_employers_are_allowed(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    other = await new_employer(employment)
    await employ(employment, person, employer["credit_code"])
    await employ(employment, person, other["credit_code"])
    listed = (await employment.client.get("/v1/employment-registrations", params={"id_number": person})).json()
    assert listed["count"] == 2


async def test_same_employer_again_after_termination_is_allowed(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    first = await employ(employment, person, employer["credit_code"], "2025-01-01")
    r = await employment.client.post(f"/v1/employment-registrations/{first['id']}/terminate",
                                     json={"end_date": "2025-12-31", "reason": "合同到期"})
    assert r.status_code == 200, r.text
    second = await employ(employment, person, employer["credit_code"], "2026-03-01")
    assert second["id"] != first["id"]


# ---- termination ---------------------------------------------------------------------------


async def test_terminate_writes_one_terminated_event(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    reg = await employ(employment, person, employer["credit_code"], "2026-03-01")
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/employment-registrations/{reg['id']}/terminate",
                                     json={"end_date": "2026-06-30", "reason": "合同到期"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "terminated"
    assert r.json()["end_date"] == "2026-06-30"
    assert r.json()["termination_reason"] == "合同到期"
    [row] = await new_rows(employment, before)
    assert row["event_type"] == EMPLOYMENT_TERMINATED
    assert row["event"]["data"] == {  # type: ignore[index]
        "id": reg["id"], "id_number": person, "credit_code": employer["credit_code"], "end_date": "2026-06-30",
        "reason": "合同到期",
    }


@pytest.mark.parametrize(("end_date", "ok"), [("2026-02-28", False), ("2026-03-01", True), ("2026-03-02", True)])
async def test_end_date_before_start_date_is_422_naming_end_date(
    employment: InProcessService, end_date: str, ok: bool
) -> None:
    person, employer = await seeded(employment)
    reg = await employ(employment, person, employer["credit_code"], "2026-03-01")
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/employment-registrations/{reg['id']}/terminate",
                                     json={"end_date": end_date, "reason": "辞职"})
    if ok:
        assert r.status_code == 200, r.text
        return
    assert "2026-03-01" in reason(assert_problem(r, 422, "end_date"), "end_date")
    assert await new_rows(employment, before) == []
    still = (await employment.client.get(f"/v1/employment-registrations/{reg['id']}")).json()
    assert still["status"] == "active"
    assert still["end_date"] is None


async def test_terminate_twice_is_409_and_keeps_the_first_end(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    reg = await employ(employment, person, employer["credit_code"], "2026-03-01")
    url = f"/v1/employment-registrations/{reg['id']}/terminate"
    assert (await employment.client.post(url, json={"end_date": "2026-06-30", "reason": "合同到期"})).status_code == 200
    before = len(await outbox(employment))
    r = await employment.client.post(url, json={"end_date": "2026-07-31", "reason": "again"})
    assert "2026-06-30" in assert_problem(r, 409)["detail"]
    assert await new_rows(employment, before) == []
    assert (await employment.client.get(f"/v1/employment-registrations/{reg['id']}")).json()["end_date"] == "2026-06-30"


async def test_terminate_unknown_registration_is_404(employment: InProcessService) -> None:
    r = await employment.client.post("/v1/employment-registrations/no-such-id/terminate",
                                     json={"end_date": "2026-06-30", "reason": "x"})
    assert_problem(r, 404)
    assert await outbox(employment) == []


# ---- unemployment registration -------------------------------------------------------------


async def test_unemployment_while_employed_is_409_naming_the_active_registration(
    employment: InProcessService,
) -> None:
    person, employer = await seeded(employment)
    reg = await employ(employment, person, employer["credit_code"], "2026-03-01")
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": "王小明", "county_code": "330802", "registered_date": "2026-07-02"})
    body = assert_problem(r, 409, "id_number")
    assert body["existing_id"] == reg["id"]
    assert reg["id"] in body["detail"]
    assert employer["credit_code"] in body["detail"]
    assert await count(employment, "unemployment_registrations") == 0
    assert await new_rows(employment, before) == []


async def test_unemployment_after_termination_writes_one_registered_event(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    reg = await employ(employment, person, employer["credit_code"], "2026-03-01")
    await employment.client.post(f"/v1/employment-registrations/{reg['id']}/terminate",
                                 json={"end_date": "2026-06-30", "reason": "合同到期"})
    before = len(await outbox(employment))
    unemp = await unemploy(employment, person, "2026-07-02")
    assert unemp["status"] == "open"
    [row] = await new_rows(employment, before)
    assert row["event_type"] == UNEMPLOYMENT_REGISTERED
    assert row["key"] == key_of(employment, person)
    assert row["event"]["data"]["id"] == unemp["id"]  # type: ignore[index]
    assert row["event"]["data"]["registered_date"] == "2026-07-02"  # type: ignore[index]


async def test_second_open_unemployment_registration_is_409(employment: InProcessService) -> None:
    person = factories.id_number()
    first = await unemploy(employment, person, "2026-07-02")
    r = await employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": "王小明", "county_code": "330802", "registered_date": "2026-08-01"})
    assert assert_problem(r, 409, "id_number")["existing_id"] == first["id"]
    assert await count(employment, "unemployment_registrations") == 1
    assert await outbox_types(employment) == [UNEMPLOYMENT_REGISTERED]


async def test_employment_closes_open_unemployment_from_start_date(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    unemp = await unemploy(employment, person, "2026-07-02")
    before = len(await outbox(employment))
    reg = await employ(employment, person, employer["credit_code"], "2026-08-01")
    listed = (await employment.client.get("/v1/unemployment-registrations", params={"id_number": person})).json()
    assert listed["count"] == 1
    [closed] = listed["data"]
    assert closed["id"] == unemp["id"]
    assert closed["status"] == "closed"
    assert closed["end_date"] == "2026-08-01"
    assert closed["close_reason"]
    rows = await new_rows(employment, before)
    assert sorted(r["event_type"] for r in rows) == sorted([EMPLOYMENT_REGISTERED, UNEMPLOYMENT_CLOSED])
    closed_event = next(r for r in rows if r["event_type"] == UNEMPLOYMENT_CLOSED)["event"]
    assert closed_event["data"]["id"] == unemp["id"]  # type: ignore[index]
    assert closed_event["data"]["end_date"] == "2026-08-01"  # type: ignore[index]
    assert closed_event["subject"] == person  # type: ignore[index]
    registered = next(r for r in rows if r["event_type"] == EMPLOYMENT_REGISTERED)["event"]
    assert registered["data"]["id"] == reg["id"]  # type: ignore[index]
    # The person can register as unemployed again only after this employment ends.
    r = await employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": "王小明", "county_code": "330802", "registered_date": "2026-09-01"})
    assert assert_problem(r, 409)["existing_id"] == reg["id"]


async def test_close_unemployment_rules(employment: InProcessService) -> None:
    person = factories.id_number()
    unemp = await unemploy(employment, person, "2026-07-02")
    url = f"/v1/unemployment-registrations/{unemp['id']}/close"
    r = await employment.client.post(url, json={"end_date": "2026-07-01", "reason": "迁出"})
    assert_problem(r, 422, "end_date")
    assert await outbox_types(employment) == [UNEMPLOYMENT_REGISTERED]
    r = await employment.client.post(url, json={"end_date": "2026-09-01", "reason": "迁出"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    assert await outbox_types(employment) == [UNEMPLOYMENT_REGISTERED, UNEMPLOYMENT_CLOSED]
    assert_problem(await employment.client.post(url, json={"end_date": "2026-09-02", "reason": "again"}), 409)
    assert await outbox_types(employment) == [UNEMPLOYMENT_REGISTERED, UNEMPLOYMENT_CLOSED]


# ---- registration lists ----------------------------------------------------------------------


async def test_registration_list_filters_and_pages(employment: InProcessService) -> None:
    kecheng = await new_employer(employment, "330802")
    qujiang = await new_employer(employment, "330803")
    people = [factories.id_number() for _ in range(3)]
    for i, person in enumerate(people):
        await employ(employment, person, kecheng["credit_code"], f"2026-0{i + 1}-01")
    await employ(employment, people[0], qujiang["credit_code"], "2026-05-01")
    client = employment.client
    page = (await client.get("/v1/employment-registrations", params={"limit": 2})).json()
    assert page["count"] == 4
    assert [r["start_date"] for r in page["data"]] == ["2026-05-01", "2026-03-01"]
    page = (await client.get("/v1/employment-registrations", params={"limit": 2, "offset": 2})).json()
    assert [r["start_date"] for r in page["data"]] == ["2026-02-01", "2026-01-01"]
    by_county = (await client.get("/v1/employment-registrations", params={"county_code": "330803"})).json()
    assert by_county["count"] == 1
    assert by_county["data"][0]["credit_code"] == qujiang["credit_code"]
    by_employer = (await client.get("/v1/employment-registrations",
                                    params={"credit_code": kecheng["credit_code"]})).json()
    assert by_employer["count"] == 3
    by_person = (await client.get("/v1/employment-registrations", params={"id_number": people[0]})).json()
    assert by_person["count"] == 2
    active = (await client.get("/v1/employment-registrations", params={"status": "terminated"})).json()
    assert active["count"] == 0
    assert_problem(await client.get("/v1/employment-registrations", params={"status": "paused"}), 422, "status")


# ---- concurrent requests about one person --------------------------------------------------


async def test_concurrent_duplicate_registrations_create_exactly_one(employment: InProcessService) -> None:
    person, employer = await seeded(employment)
    before = len(await outbox(employment))
    body = {"id_number": person, "name": "王小明", "credit_code": employer["credit_code"], "start_date": "2026-03-01"}
    responses = await asyncio.gather(
        *(employment.client.post("/v1/employment-registrations", json=body) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert await count(employment, "employment_registrations") == 1
    assert [r["event_type"] for r in await new_rows(employment, before)] == [EMPLOYMENT_REGISTERED]


async def test_concurrent_unemployment_registrations_open_exactly_one(employment: InProcessService) -> None:
    person = factories.id_number()
    body = {"id_number": person, "name": "王小明", "county_code": "330802", "registered_date": "2026-07-02"}
    responses = await asyncio.gather(
        *(employment.client.post("/v1/unemployment-registrations", json=body) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert await count(employment, "unemployment_registrations") == 1
    assert await outbox_types(employment) == [UNEMPLOYMENT_REGISTERED]
