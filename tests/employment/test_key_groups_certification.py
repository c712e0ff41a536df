"""就业困难人员认定: a category with evidence, an open unemployment registration in Quzhou, and the end with it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from employment.key_groups import service as kg_service
from hrss_shared.validators import make_id_number
from tests import factories
from tests.employment.helpers import (
    assert_problem,
    employ,
    new_employer,
    outbox,
    reason,
    unemploy,
)
from tests.support import InProcessService, eventually

ADDED = "hrss.employment.key_group.added.v1"
ENDED = "hrss.employment.key_group.ended.v1"
EVIDENCE = "低保证 衢低保〔2024〕015号"


async def seeker(svc: InProcessService, id_number: str | None = None, county: str = "330802") -> str:
    body = factories.job_seeker(county, **({"id_number": id_number} if id_number else {}))
    r = await svc.client.post("/v1/job-seekers", json=body)
    assert r.status_code == 201, r.text
    return str(body["id_number"])


async def certify(svc: InProcessService, id_number: str, start_date: str, **over: Any) -> Any:
    body = {"group": "hard_to_employ", "source": "柯城区就业管理服务中心", "start_date": start_date,
            "category": "minimum_living", "evidence": EVIDENCE, **over}
    return await svc.client.post(f"/v1/job-seekers/{id_number}/key-groups", json=body)


async def job_started(svc: InProcessService) -> None:
    """The daily job runs once at start-up for today's slot; wait for it so it cannot run in the middle of a test."""
    scheduler = svc.runtime.scheduler
    assert scheduler is not None and kg_service.CERTIFICATION_JOB in scheduler.jobs

    async def done() -> bool:
        return kg_service.CERTIFICATION_JOB in scheduler.last_status
    await eventually(done, timeout=30)


async def groups(svc: InProcessService, id_number: str, on: date) -> set[str]:
    async with svc.runtime.maker() as session:
        return {str(g) for g in await kg_service.groups_on(session=session, id_number=id_number, on=on)}


async def test_certification_needs_an_open_unemployment_registration(employment: InProcessService) -> None:
    person = await seeker(employment)
    body = assert_problem(await certify(employment, person, "2025-03-01"), 422, "id_number")
    assert "失业登记" in reason(body, "id_number")


async def test_certification_before_the_registration_date_is_422(employment: InProcessService) -> None:
    person = await seeker(employment)
    await unemploy(employment, person, "2025-03-02")
    body = assert_problem(await certify(employment, person, "2025-03-01"), 422, "start_date")
    assert "2025-03-02" in reason(body, "start_date")
    assert (await certify(employment, person, "2025-03-02")).status_code == 201


@pytest.mark.parametrize(("over", "field", "text"), [
    ({"category": None}, "category", "须填写类别"),
    ({"category": "graduate"}, "category", "不是"),
    ({"evidence": None}, "evidence", "低保"),
])
async def test_category_from_policy_and_its_evidence_are_required(
    employment: InProcessService, over: dict[str, Any], field: str, text: str
) -> None:
    person = await seeker(employment)
    await unemploy(employment, person, "2025-03-01")
    before = len(await outbox(employment))
    body = assert_problem(await certify(employment, person, "2025-03-01", **over), 422, field)
    assert text in reason(body, field)
    assert len(await outbox(employment)) == before


async def test_other_groups_take_no_category(employment: InProcessService) -> None:
    person = await seeker(employment)
    r = await employment.client.post(f"/v1/job-seekers/{person}/key-groups", json={
        "group": "veteran", "source": "退役军人事务局", "start_date": "2025-03-01", "category": "disabled"})
    assert "仅就业困难人员" in reason(assert_problem(r, 422, "category"), "category")


async def test_certification_records_the_category_its_source_and_one_event(employment: InProcessService) -> None:
    person = await seeker(employment)
    registration = await unemploy(employment, person, "2025-03-01")
    before = len(await outbox(employment))
    r = await certify(employment, person, "2025-03-01")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["category"] == "minimum_living"
    assert body["category_name"].startswith("最低生活保障对象")
    assert body["evidence"] == EVIDENCE
    assert body["unemployment_registration_id"] == registration["id"]
    assert body["illustrative"] is True
    assert "hrss.hangzhou.gov.cn" in body["policy_source"]
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == ADDED
    assert row["event"]["data"]["category"] == "minimum_living"


async def test_a_certification_from_2025_11_uses_the_2025_notice(employment: InProcessService) -> None:
    person = await seeker(employment)
    await unemploy(employment, person, "2025-11-01")
    body = (await certify(employment, person, "2025-11-01", category="other_approved")).json()
    assert "浙人社发〔2025〕59号" in body["policy_source"]
    assert body["illustrative"] is True


async def test_older_unemployed_man_needs_55_years_on_the_start_date(employment: InProcessService) -> None:
    man = await seeker(employment, make_id_number("330802", date(1970, 3, 1), 901))
    await unemploy(employment, man, "2024-06-01")
    body = assert_problem(await certify(employment, man, "2025-02-28", category="older_unemployed"), 422, "category")
    assert "54 周岁" in reason(body, "category")
    assert (await certify(employment, man, "2025-03-01", category="older_unemployed")).status_code == 201


async def test_older_unemployed_needs_6_months_of_continuous_registration(employment: InProcessService) -> None:
    woman = await seeker(employment, make_id_number("330802", date(1978, 3, 1), 902))
    await unemploy(employment, woman, "2025-01-10")
    body = assert_problem(await certify(employment, woman, "2025-07-09", category="older_unemployed"), 422,
                          "category")
    assert "2025-07-10" in reason(body, "category")
    assert (await certify(employment, woman, "2025-07-10", category="older_unemployed")).status_code == 201


async def test_certification_outside_working_age_is_422(employment: InProcessService) -> None:
    man = await seeker(employment, make_id_number("330802", date(1964, 6, 1), 903))
    await unemploy(employment, man, "2024-05-01")
    body = assert_problem(await certify(employment, man, "2024-06-01"), 422, "id_number")
    assert "已达法定退休年龄 60周岁" in reason(body, "id_number")


async def test_re_employment_ends_the_certification_on_the_day_of_hire(employment: InProcessService) -> None:
    await job_started(employment)
    person = await seeker(employment)
    await unemploy(employment, person, "2025-03-01")
    membership = (await certify(employment, person, "2025-03-01")).json()
    employer = await new_employer(employment)
    before = len(await outbox(employment))
    await employ(employment, person, employer["credit_code"], "2025-09-15")
    # Rules see the end at once: still certified on the day of hire, not the day after.
    assert "hard_to_employ" in await groups(employment, person, date(2025, 9, 15))
    assert "hard_to_employ" not in await groups(employment, person, date(2025, 9, 16))
    listed = (await employment.client.get("/v1/key-groups/hard_to_employ", params={"on": "2025-09-16"})).json()
    assert person not in [m["id_number"] for m in listed["data"]]
    # The closure records the end at once and publishes key_group.ended once; the daily job finds nothing left.
    [row] = [r for r in (await outbox(employment))[before:] if r["event_type"] == ENDED]
    assert row["event"]["data"]["end_date"] == "2025-09-15"
    assert "失业登记已注销" in row["event"]["data"]["reason"]
    [mine] = (await employment.client.get(f"/v1/job-seekers/{person}/key-groups")).json()
    assert (mine["id"], mine["end_date"]) == (membership["id"], "2025-09-15")
    after = len(await outbox(employment))
    assert employment.runtime.scheduler is not None
    record = await employment.runtime.scheduler.run_now(kg_service.CERTIFICATION_JOB)
    assert record is not None and record.error is None
    assert len(await outbox(employment)) == after


async def test_closing_the_registration_ends_the_certification(employment: InProcessService) -> None:
    await job_started(employment)
    person = await seeker(employment)
    registration = await unemploy(employment, person, "2025-03-01")
    await certify(employment, person, "2025-03-01")
    r = await employment.client.post(f"/v1/unemployment-registrations/{registration['id']}/close",
                                     json={"end_date": "2025-05-31", "reason": "迁出本市"})
    assert r.status_code == 200, r.text
    assert "hard_to_employ" in await groups(employment, person, date(2025, 5, 31))
    assert "hard_to_employ" not in await groups(employment, person, date(2025, 6, 1))
    async with employment.runtime.maker() as session, session.begin():
        # Ended at once by the closure (key_group.ended published then): nothing left for the daily job.
        assert await kg_service.end_lapsed(session=session, outbox=employment.runtime.outbox) == 0  # type: ignore[arg-type]
