"""岗位发布 job postings: publishing, closing, listing, county limits, and the outbox rows each change writes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import update

from employment.employers.models import Employer
from employment.job_postings.models import JobPostingCreate
from hrss_shared import clock
from tests import factories
from tests.employment.helpers import assert_problem, count, key_of, new_employer, outbox, reason
from tests.support import InProcessService, bearer, token

PUBLISHED = "hrss.employment.job_posting.published.v1"
CLOSED = "hrss.employment.job_posting.closed.v1"


def in_days(n: int) -> str:
    return (clock.today() + timedelta(days=n)).isoformat()


def posting_body(credit_code: str, county: str = "330802", **over: Any) -> dict[str, Any]:
    return {
        "credit_code": credit_code, "occupation": "电工", "title": "维修电工", "count": 3,
        "min_monthly_wage": "4500", "max_monthly_wage": "6800.5", "required_level": 4, "county_code": county,
        "closing_date": in_days(30), "education": "vocational", "description": "负责厂区电气设备维护", **over,
    }


async def publish(svc: InProcessService, credit_code: str, county: str = "330802", **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/job-postings", json=posting_body(credit_code, county, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def rows_after(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    return (await outbox(svc))[before:]


# ---- publishing ------------------------------------------------------------------------------


async def test_publish_writes_one_published_event_keyed_by_the_employer(employment: InProcessService) -> None:
    employer = await new_employer(employment, "330825")
    before = len(await outbox(employment))
    posting = await publish(employment, employer["credit_code"], "330825")
    assert posting["status"] == "open"
    assert posting["employer_name"] == employer["name"]
    assert posting["min_monthly_wage"] == "4500.00"
    assert posting["max_monthly_wage"] == "6800.50"
    assert posting["published_date"] == clock.today().isoformat()
    assert posting["closed_date"] is None
    [row] = await rows_after(employment, before)
    assert row["event_type"] == PUBLISHED
    assert row["key"] == key_of(employment, employer["credit_code"])
    data = row["event"]["data"]
    assert data["id"] == posting["id"]
    assert data["credit_code"] == employer["credit_code"]
    assert data["min_monthly_wage"] == "4500.00"
    assert data["county_code"] == "330825"
    assert data["required_level"] == 4
    r = await employment.client.get(f"/v1/job-postings/{posting['id']}")
    assert r.status_code == 200
    assert r.json() == posting


async def test_unregistered_employer_is_422_naming_credit_code_and_writes_nothing(
    employment: InProcessService,
) -> None:
    r = await employment.client.post("/v1/job-postings", json=posting_body(factories.credit_code()))
    assert "未登记" in reason(assert_problem(r, 422, "credit_code"), "credit_code")
    assert await count(employment, "job_postings") == 0
    assert await outbox(employment) == []


async def test_inactive_employer_cannot_publish(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    async with employment.runtime.maker() as session:
        await session.execute(
            update(Employer).where(Employer.credit_code == employer["credit_code"]).values(status="inactive")
        )
        await session.commit()
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/job-postings", json=posting_body(employer["credit_code"]))
    assert_problem(r, 422, "credit_code")
    assert await count(employment, "job_postings") == 0
    assert await rows_after(employment, before) == []


async def test_closing_date_in_the_past_is_422_but_today_is_allowed(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/job-postings", json=posting_body(employer["credit_code"],
                                                                           closing_date=in_days(-1)))
    assert "in the past" in reason(assert_problem(r, 422, "closing_date"), "closing_date")
    assert await count(employment, "job_postings") == 0
    assert await rows_after(employment, before) == []
    await publish(employment, employer["credit_code"], closing_date=in_days(0))


@pytest.mark.parametrize(("over", "field"), [
    ({"min_monthly_wage": "7000", "max_monthly_wage": "6999.99"}, "max_monthly_wage"),
    ({"min_monthly_wage": "-1"}, "min_monthly_wage"),
    ({"max_monthly_wage": "6000.123"}, "max_monthly_wage"),
    ({"max_monthly_wage": "abc"}, "max_monthly_wage"),
    ({"count": 0}, "count"),
    ({"required_level": 0}, "required_level"),
    ({"required_level": 6}, "required_level"),
    ({"county_code": "330100"}, "county_code"),
    ({"credit_code": "91330802000000000X"}, "credit_code"),
    ({"occupation": ""}, "occupation"),
    ({"education": "kindergarten"}, "education"),
    ({"closing_date": "2026-02-30"}, "closing_date"),
])
async def test_bad_bodies_are_422_naming_the_field_and_write_nothing(
    employment: InProcessService, over: dict[str, Any], field: str
) -> None:
    employer = await new_employer(employment)
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/job-postings", json={**posting_body(employer["credit_code"]), **over})
    assert_problem(r, 422, field)
    assert await count(employment, "job_postings") == 0
    assert await rows_after(employment, before) == []


async def test_wage_range_reason_is_bilingual(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    r = await employment.client.post("/v1/job-postings", json=posting_body(
        employer["credit_code"], min_monthly_wage="7000", max_monthly_wage="6000"))
    text = reason(assert_problem(r, 422, "max_monthly_wage"), "max_monthly_wage")
    assert "上限低于下限" in text and "maximum below the minimum" in text


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c) / 100)


@given(low=cents, high=cents)
def test_wage_range_is_accepted_exactly_when_min_is_not_above_max(low: Decimal, high: Decimal) -> None:
    body = posting_body(factories.credit_code(), min_monthly_wage=str(low), max_monthly_wage=str(high))
    if low <= high:
        parsed = JobPostingCreate.model_validate(body)
        assert parsed.min_monthly_wage == low and parsed.max_monthly_wage == high
        assert parsed.model_dump(mode="json")["max_monthly_wage"] == f"{high:.2f}"
    else:
        with pytest.raises(ValidationError) as info:
            JobPostingCreate.model_validate(body)
        assert [e["loc"] for e in info.value.errors()] == [("max_monthly_wage",)]


@given(level=st.integers(min_value=-10, max_value=15))
def test_required_level_is_one_to_five(level: int) -> None:
    body = posting_body(factories.credit_code(), required_level=level)
    if 1 <= level <= 5:
        assert JobPostingCreate.model_validate(body).required_level == level
    else:
        with pytest.raises(ValidationError):
            JobPostingCreate.model_validate(body)


@given(openings=st.integers(min_value=-5, max_value=200))
def test_count_is_at_least_one(openings: int) -> None:
    body = posting_body(factories.credit_code(), count=openings)
    if openings >= 1:
        assert JobPostingCreate.model_validate(body).count == openings
    else:
        with pytest.raises(ValidationError):
            JobPostingCreate.model_validate(body)


# ---- closing ---------------------------------------------------------------------------------


async def test_close_writes_one_closed_event_and_a_second_close_is_409(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    posting = await publish(employment, employer["credit_code"])
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/job-postings/{posting['id']}/close", json={"reason": "岗位调整"})
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["status"] == "closed"
    assert closed["closed_date"] == clock.today().isoformat()
    assert closed["close_reason"] == "岗位调整"
    [row] = await rows_after(employment, before)
    assert row["event_type"] == CLOSED
    assert row["key"] == key_of(employment, employer["credit_code"])
    assert row["event"]["data"] == {
        "id": posting["id"], "credit_code": employer["credit_code"], "county_code": "330802", "status": "closed",
        "closed_date": clock.today().isoformat(), "reason": "岗位调整",
    }
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/job-postings/{posting['id']}/close")
    body = assert_problem(r, 409, "status")
    assert body["posting_status"] == "closed"
    assert await rows_after(employment, before) == []
    assert (await employment.client.get(f"/v1/job-postings/{posting['id']}")).json()["close_reason"] == "岗位调整"


async def test_close_as_filled_without_a_body(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    posting = await publish(employment, employer["credit_code"])
    r = await employment.client.post(f"/v1/job-postings/{posting['id']}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    other = await publish(employment, employer["credit_code"])
    r = await employment.client.post(f"/v1/job-postings/{other['id']}/close", json={"status": "filled"})
    assert r.status_code == 200 and r.json()["status"] == "filled"
    assert (await outbox(employment))[-1]["event"]["data"]["status"] == "filled"


async def test_close_to_open_is_422_and_unknown_posting_is_404(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    posting = await publish(employment, employer["credit_code"])
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/job-postings/{posting['id']}/close", json={"status": "open"})
    assert_problem(r, 422, "status")
    assert_problem(await employment.client.post("/v1/job-postings/no-such-id/close"), 404)
    assert_problem(await employment.client.get("/v1/job-postings/no-such-id"), 404)
    assert await rows_after(employment, before) == []


# ---- listing ---------------------------------------------------------------------------------


async def test_list_filters_sorts_and_pages(employment: InProcessService) -> None:
    a = await new_employer(employment, "330802")
    b = await new_employer(employment, "330803")
    p1 = await publish(employment, a["credit_code"], "330802", closing_date=in_days(10), max_monthly_wage="6000")
    p2 = await publish(employment, a["credit_code"], "330802", occupation="焊工", closing_date=in_days(20),
                       max_monthly_wage="9000")
    p3 = await publish(employment, b["credit_code"], "330803", closing_date=in_days(30), max_monthly_wage="7500")
    await employment.client.post(f"/v1/job-postings/{p3['id']}/close", json={"status": "filled"})

    async def ids(**params: Any) -> list[str]:
        r = await employment.client.get("/v1/job-postings", params=params)
        assert r.status_code == 200, r.text
        return [p["id"] for p in r.json()["data"]]

    assert await ids(sort="closing_date") == [p1["id"], p2["id"], p3["id"]]
    assert await ids(sort="-closing_date") == [p3["id"], p2["id"], p1["id"]]
    assert await ids(sort="-max_monthly_wage") == [p2["id"], p3["id"], p1["id"]]
    assert await ids(county_code="330803") == [p3["id"]]
    assert await ids(credit_code=a["credit_code"], sort="closing_date") == [p1["id"], p2["id"]]
    assert await ids(occupation="焊工") == [p2["id"]]
    assert await ids(status="filled") == [p3["id"]]
    assert await ids(status="open", sort="closing_date") == [p1["id"], p2["id"]]
    assert await ids(from_date=in_days(15), to_date=in_days(25)) == [p2["id"]]
    r = await employment.client.get("/v1/job-postings", params={"limit": 1, "offset": 1, "sort": "closing_date"})
    page = r.json()
    assert (page["count"], page["limit"], page["offset"]) == (3, 1, 1)
    assert [p["id"] for p in page["data"]] == [p2["id"]]


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "name"}, "sort"),
    ({"sort": "--closing_date"}, "sort"),
    ({"from_date": "2026-05-01", "to_date": "2026-04-30"}, "to_date"),
    ({"status": "deleted"}, "status"),
    ({"county_code": "110101"}, "county_code"),
    ({"credit_code": "123"}, "credit_code"),
])
async def test_bad_list_queries_are_422(employment: InProcessService, params: dict[str, str], field: str) -> None:
    assert_problem(await employment.client.get("/v1/job-postings", params=params), 422, field)


# ---- county-limited clients ------------------------------------------------------------------


async def test_county_client_posts_sees_and_closes_only_its_county(employment: InProcessService) -> None:
    a = await new_employer(employment, "330802")
    b = await new_employer(employment, "330803")
    mine = await publish(employment, a["credit_code"], "330802")
    theirs = await publish(employment, b["credit_code"], "330803")
    kecheng = bearer(token("employment:read", "employment:write", county="330802"))
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/job-postings", json=posting_body(b["credit_code"], "330803"),
                                     headers=kecheng)
    assert_problem(r, 403)
    assert await rows_after(employment, before) == []
    r = await employment.client.get("/v1/job-postings", headers=kecheng)
    assert [p["id"] for p in r.json()["data"]] == [mine["id"]]
    assert_problem(await employment.client.get("/v1/job-postings", params={"county_code": "330803"},
                                               headers=kecheng), 403)
    assert_problem(await employment.client.get(f"/v1/job-postings/{theirs['id']}", headers=kecheng), 403)
    assert_problem(await employment.client.post(f"/v1/job-postings/{theirs['id']}/close", headers=kecheng), 403)
    assert await rows_after(employment, before) == []
    r = await employment.client.post("/v1/job-postings", json=posting_body(a["credit_code"], "330802"),
                                     headers=kecheng)
    assert r.status_code == 201
    assert (await employment.client.post(f"/v1/job-postings/{mine['id']}/close", headers=kecheng)).status_code == 200


async def test_read_scope_cannot_publish_or_close(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    posting = await publish(employment, employer["credit_code"])
    reader = bearer(token("employment:read"))
    assert_problem(await employment.client.post("/v1/job-postings", json=posting_body(employer["credit_code"]),
                                                headers=reader), 403)
    assert_problem(await employment.client.post(f"/v1/job-postings/{posting['id']}/close", headers=reader), 403)
    assert (await employment.client.get("/v1/job-postings", headers=reader)).status_code == 200
