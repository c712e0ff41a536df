"""Employment API: identifiers validated at every boundary, employers, job seekers, lists and paging."""

from __future__ import annotations

import pytest

from tests import factories
from tests.employment.helpers import (
    EMPLOYER_REGISTERED,
    JOB_SEEKER_REGISTERED,
    assert_problem,
    count,
    key_of,
    new_employer,
    outbox,
    reason,
)
from tests.support import InProcessService

BAD_CHECK_ID = "110105194912310021"  # the GB 11643 example with the wrong check character (X is right)
BAD_DATE_ID = "330802199002300016"  # 30 February
BAD_CHECK_CREDIT = "91350100M000100Y44"  # correct check character is 3
BAD_CHAR_CREDIT = "91350100M0001O0Y43"  # the letter O is not in the code alphabet


# ---- 422 problem+json naming the field, in bodies ------------------------------------------


@pytest.mark.parametrize(("value", "why"), [
    (BAD_CHECK_ID, "校验码"), (BAD_DATE_ID, "出生日期"), ("33080219900101123", "18位"), ("", "18位"),
])
async def test_bad_id_number_in_body_is_422_naming_field_and_reason(
    employment: InProcessService, value: str, why: str
) -> None:
    r = await employment.client.post("/v1/job-seekers", json=factories.job_seeker(id_number=value))
    body = assert_problem(r, 422, "id_number")
    assert why in reason(body, "id_number")
    assert body["title"]
    assert await count(employment, "job_seekers") == 0
    assert await outbox(employment) == []


@pytest.mark.parametrize(("value", "why"), [
    (BAD_CHECK_CREDIT, "校验码"), (BAD_CHAR_CREDIT, "非法字符"), ("91350100M000100Y4", "18位"),
])
async def test_bad_credit_code_in_body_is_422_naming_field_and_reason(
    employment: InProcessService, value: str, why: str
) -> None:
    r = await employment.client.post("/v1/employers", json=factories.employer(credit_code=value))
    body = assert_problem(r, 422, "credit_code")
    assert why in reason(body, "credit_code")
    assert await count(employment, "employers") == 0
    assert await outbox(employment) == []


async def test_county_outside_quzhou_is_422(employment: InProcessService) -> None:
    r = await employment.client.post("/v1/employers", json=factories.employer(county_code="330800"))
    assert "衢州" in reason(assert_problem(r, 422, "county_code"), "county_code")
    r = await employment.client.post("/v1/job-seekers", json=factories.job_seeker(county_code="110105"))
    assert_problem(r, 422, "county_code")


async def test_every_bad_field_is_reported_at_once(employment: InProcessService) -> None:
    r = await employment.client.post("/v1/employment-registrations", json={
        "id_number": BAD_CHECK_ID, "name": "王小明", "credit_code": BAD_CHECK_CREDIT, "start_date": "2026-02-30"})
    body = assert_problem(r, 422)
    assert {e["field"] for e in body["errors"]} == {"id_number", "credit_code", "start_date"}


async def test_registration_bodies_validate_identifiers(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    r = await employment.client.post("/v1/employment-registrations", json={
        "id_number": BAD_CHECK_ID, "name": "王小明", "credit_code": employer["credit_code"],
        "start_date": "2026-03-01"})
    assert "校验码" in reason(assert_problem(r, 422, "id_number"), "id_number")
    r = await employment.client.post("/v1/unemployment-registrations", json={
        "id_number": factories.id_number(), "name": "王小明", "county_code": "330899",
        "registered_date": "2026-03-01"})
    assert_problem(r, 422, "county_code")
    assert await count(employment, "employment_registrations") == 0
    assert await count(employment, "unemployment_registrations") == 0


# ---- 422 problem+json naming the field, in path and query ----------------------------------


async def test_bad_id_number_in_path_is_422(employment: InProcessService) -> None:
    r = await employment.client.get(f"/v1/job-seekers/{BAD_CHECK_ID}")
    assert "校验码" in reason(assert_problem(r, 422, "id_number"), "id_number")


async def test_bad_credit_code_in_path_is_422(employment: InProcessService) -> None:
    r = await employment.client.get(f"/v1/employers/{BAD_CHECK_CREDIT}")
    assert "校验码" in reason(assert_problem(r, 422, "credit_code"), "credit_code")


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/employment-registrations", {"id_number": BAD_CHECK_ID}, "id_number"),
    ("/v1/employment-registrations", {"credit_code": BAD_CHAR_CREDIT}, "credit_code"),
    ("/v1/employment-registrations", {"county_code": "330800"}, "county_code"),
    ("/v1/unemployment-registrations", {"id_number": BAD_DATE_ID}, "id_number"),
    ("/v1/unemployment-registrations", {"county_code": "12"}, "county_code"),
    ("/v1/employers", {"county_code": "330801"}, "county_code"),
    ("/v1/job-seekers", {"county_code": "330801"}, "county_code"),
])
async def test_bad_identifier_in_query_is_422(
    employment: InProcessService, path: str, params: dict[str, str], field: str
) -> None:
    body = assert_problem(await employment.client.get(path, params=params), 422, field)
    assert reason(body, field)


async def test_lower_case_identifiers_in_query_and_path_are_normalised(employment: InProcessService) -> None:
    seeker = factories.job_seeker(id_number="11010519491231002X")
    assert (await employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await employment.client.get("/v1/job-seekers/11010519491231002x")
    assert r.status_code == 200, r.text
    assert r.json()["id_number"] == "11010519491231002X"
    employer = await new_employer(employment, credit_code="91350100M000100Y43")
    r = await employment.client.get(f"/v1/employers/{employer['credit_code'].lower()}")
    assert r.status_code == 200, r.text


# ---- employers and job seekers -------------------------------------------------------------


async def test_register_employer_and_read_it_back(employment: InProcessService) -> None:
    employer = factories.employer("330881")
    r = await employment.client.post("/v1/employers", json=employer)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "active"
    assert {k: created[k] for k in employer} == employer
    r = await employment.client.get(f"/v1/employers/{employer['credit_code']}")
    assert r.status_code == 200
    assert r.json()["id"] == created["id"]
    [row] = await outbox(employment)
    assert row["event_type"] == EMPLOYER_REGISTERED
    assert row["key"] == key_of(employment, employer["credit_code"])
    assert row["event"]["subject"] == employer["credit_code"]
    assert row["event"]["source"] == "/hrss/employment"
    assert row["event"]["data"]["county_code"] == "330881"


async def test_duplicate_employer_is_409_and_writes_nothing(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    r = await employment.client.post("/v1/employers", json={**employer, "name": "另一个名字"})
    body = assert_problem(r, 409, "credit_code")
    assert employer["credit_code"] in body["detail"]
    assert await count(employment, "employers") == 1
    assert len(await outbox(employment)) == 1


async def test_unknown_employer_is_404(employment: InProcessService) -> None:
    assert_problem(await employment.client.get(f"/v1/employers/{factories.credit_code()}"), 404)


async def test_register_job_seeker_and_duplicate(employment: InProcessService) -> None:
    seeker = factories.job_seeker(education="bachelor", graduation_year=2025, registered_date="2026-02-01")
    r = await employment.client.post("/v1/job-seekers", json=seeker)
    assert r.status_code == 201, r.text
    assert r.json()["registered_date"] == "2026-02-01"
    r = await employment.client.post("/v1/job-seekers", json=seeker)
    assert_problem(r, 409, "id_number")
    assert await count(employment, "job_seekers") == 1
    rows = await outbox(employment)
    assert [r["event_type"] for r in rows] == [JOB_SEEKER_REGISTERED]
    assert rows[0]["key"] == key_of(employment, seeker["id_number"])
    assert rows[0]["event"]["data"]["registered_date"] == "2026-02-01"


async def test_bad_phone_is_422(employment: InProcessService) -> None:
    assert_problem(await employment.client.post("/v1/job-seekers", json=factories.job_seeker(phone="12345")),
                   422, "phone")


async def test_unknown_job_seeker_is_404(employment: InProcessService) -> None:
    assert_problem(await employment.client.get(f"/v1/job-seekers/{factories.id_number()}"), 404)


# ---- lists: {data, count, limit, offset}, paging, county filter -----------------------------


async def test_employer_list_pages_and_counts(employment: InProcessService) -> None:
    codes = [(await new_employer(employment))["credit_code"] for _ in range(5)]
    r = await employment.client.get("/v1/employers", params={"limit": 2, "offset": 0})
    page1 = r.json()
    assert page1["count"] == 5
    assert (page1["limit"], page1["offset"]) == (2, 0)
    assert len(page1["data"]) == 2
    page2 = (await employment.client.get("/v1/employers", params={"limit": 2, "offset": 2})).json()
    page3 = (await employment.client.get("/v1/employers", params={"limit": 2, "offset": 4})).json()
    assert page3["count"] == 5
    assert len(page3["data"]) == 1
    seen = [e["credit_code"] for p in (page1, page2, page3) for e in p["data"]]
    assert sorted(seen) == sorted(codes)
    assert seen[0] == codes[-1], "newest first"
    beyond = (await employment.client.get("/v1/employers", params={"offset": 10})).json()
    assert beyond["data"] == []
    assert beyond["count"] == 5


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}])
async def test_bad_paging_is_422(employment: InProcessService, params: dict[str, object]) -> None:
    field = next(iter(params))
    assert_problem(await employment.client.get("/v1/employers", params=params), 422, field)


async def test_county_filter_on_lists(employment: InProcessService) -> None:
    for county in ("330802", "330802", "330803", "330881"):
        await new_employer(employment, county)
        assert (await employment.client.post("/v1/job-seekers", json=factories.job_seeker(county))).status_code == 201
    employers = (await employment.client.get("/v1/employers", params={"county_code": "330802"})).json()
    assert employers["count"] == 2
    assert {e["county_code"] for e in employers["data"]} == {"330802"}
    seekers = (await employment.client.get("/v1/job-seekers", params={"county_code": "330803"})).json()
    assert seekers["count"] == 1
    assert seekers["data"][0]["county_code"] == "330803"
    everyone = (await employment.client.get("/v1/job-seekers")).json()
    assert everyone["count"] == 4
