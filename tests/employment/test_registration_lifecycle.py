"""失业登记 lifecycle (issue 11): working age at both registrations, a date inside a past employment, coded closure
reasons, the daily automatic closure, and 更正 / 撤销 as events with the certifications resting on a registration."""

from __future__ import annotations

from datetime import date
from typing import Any

import employment.key_groups.service as kg_service
from employment.registrations import service as reg_service
from hrss_contracts import contract_for
from hrss_shared.validators import make_id_number
from tests import factories
from tests.employment.helpers import (
    UNEMPLOYMENT_CLOSED,
    assert_problem,
    employ,
    new_employer,
    outbox,
    reason,
    unemploy,
)
from tests.support import InProcessService, eventually

CORRECTED = "hrss.employment.unemployment.corrected.v1"
CANCELLED = "hrss.employment.unemployment.cancelled.v1"
KEY_GROUP_ENDED = "hrss.employment.key_group.ended.v1"


async def closure_job_done(svc: InProcessService) -> None:
    """The daily closure job runs once at start-up; wait for it so it cannot run in the middle of a test."""
    scheduler = svc.runtime.scheduler
    assert scheduler is not None and reg_service.CLOSURE_JOB in scheduler.jobs

    async def done() -> bool:
        return reg_service.CLOSURE_JOB in scheduler.last_status
    await eventually(done, timeout=30)


async def new_events(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    rows = (await outbox(svc))[before:]
    for row in rows:  # every event validates against its contract
        contract_for(row["event_type"]).parse(row["event"]["data"])
    return rows


async def register_unemployed(svc: InProcessService, id_number: str, registered_date: str, **over: Any) -> Any:
    return await svc.client.post("/v1/unemployment-registrations", json={
        "id_number": id_number, "name": "李芳", "county_code": "330802", "registered_date": registered_date, **over})


# ---- working age ------------------------------------------------------------------------------------------


async def test_employment_registration_the_day_before_and_on_the_16th_birthday(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    person = make_id_number("330802", date(2010, 5, 17), 911)
    r = await employment.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": "王小明", "credit_code": employer["credit_code"], "start_date": "2026-05-16"})
    text = reason(assert_problem(r, 422, "id_number"), "id_number")
    assert "15 周岁" in text and "16 周岁" in text
    assert (await employ(employment, person, employer["credit_code"], "2026-05-17"))["status"] == "active"


async def test_unemployment_registration_the_day_before_and_on_the_16th_birthday(
    employment: InProcessService,
) -> None:
    person = make_id_number("330802", date(2010, 6, 10), 912)
    text = reason(assert_problem(await register_unemployed(employment, person, "2026-06-09"), 422, "id_number"),
                  "id_number")
    assert "未满法定劳动年龄 16 周岁" in text and "2026-06-10" in text
    assert (await register_unemployed(employment, person, "2026-06-10")).status_code == 201


async def test_man_born_1965_03_at_unemployment_registration_around_his_retirement_age(
    employment: InProcessService,
) -> None:
    await closure_job_done(employment)
    man = make_id_number("330802", date(1965, 3, 15), 913)  # 60周岁1个月 under the gradual raise: 2025-04-15
    text = reason(assert_problem(await register_unemployed(employment, man, "2025-04-15"), 422, "id_number"),
                  "id_number")
    assert "已达法定退休年龄 60周岁1个月" in text and "2025-04-15" in text
    assert (await register_unemployed(employment, man, "2025-04-14")).status_code == 201


async def test_woman_born_1975_01_at_unemployment_registration_around_her_retirement_age(
    employment: InProcessService,
) -> None:
    await closure_job_done(employment)
    woman = make_id_number("330802", date(1975, 1, 20), 914)  # original age 50: 50周岁1个月, 2025-02-20
    r = await register_unemployed(employment, woman, "2025-02-20", female_original_age=50)
    text = reason(assert_problem(r, 422, "id_number"), "id_number")
    assert "已达法定退休年龄 50周岁1个月" in text and "2025-02-20" in text
    r = await register_unemployed(employment, woman, "2025-02-19", female_original_age=50)
    assert r.status_code == 201, r.text
    assert r.json()["female_original_age"] == 50
    # Without the original age stated, the policy's default (55, raised to 56周岁4个月) applies: not yet retired.
    other = make_id_number("330802", date(1975, 1, 20), 916)  # even 17th digit: a woman
    assert (await register_unemployed(employment, other, "2025-02-20")).status_code == 201


# ---- a date inside a past employment -----------------------------------------------------------------------


async def test_registration_dated_inside_a_past_employment_is_refused_the_day_after_is_fine(
    employment: InProcessService,
) -> None:
    employer = await new_employer(employment)
    person = factories.id_number()
    job = await employ(employment, person, employer["credit_code"], "2026-03-01")
    r = await employment.client.post(f"/v1/employment-registrations/{job['id']}/terminate",
                                     json={"end_date": "2026-06-30", "reason": "合同期满"})
    assert r.status_code == 200, r.text
    before = len(await outbox(employment))
    for day in ("2026-03-01", "2026-06-30"):  # its first and its last day
        text = reason(assert_problem(await register_unemployed(employment, person, day), 422, "registered_date"),
                      "registered_date")
        assert "2026-03-01 至 2026-06-30" in text and "2026-07-01 起" in text
    assert len(await outbox(employment)) == before
    assert (await register_unemployed(employment, person, "2026-07-01")).status_code == 201


async def test_a_date_before_the_past_employment_is_fine(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    person = factories.id_number()
    job = await employ(employment, person, employer["credit_code"], "2026-03-01")
    await employment.client.post(f"/v1/employment-registrations/{job['id']}/terminate",
                                 json={"end_date": "2026-06-30", "reason": "合同期满"})
    assert (await register_unemployed(employment, person, "2026-02-28")).status_code == 201


# ---- closure reasons ---------------------------------------------------------------------------------------


async def test_closure_carries_a_coded_reason_and_the_text_stays_a_note(employment: InProcessService) -> None:
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-07-02")
    bad = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/close", json={
        "end_date": "2026-08-01", "reason": "迁往杭州", "reason_code": "holiday"})
    assert_problem(bad, 422, "reason_code")
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/close", json={
        "end_date": "2026-08-01", "reason": "迁往杭州", "reason_code": "moved_away"})
    assert r.status_code == 200, r.text
    assert (r.json()["close_reason_code"], r.json()["close_reason"]) == ("moved_away", "迁往杭州")
    [row] = await new_events(employment, before)
    assert row["event_type"] == UNEMPLOYMENT_CLOSED
    assert row["event"]["data"]["reason_code"] == "moved_away"
    assert row["event"]["data"]["automatic"] is False


async def test_a_closure_without_a_code_is_still_accepted(employment: InProcessService) -> None:
    reg = await unemploy(employment, factories.id_number(), "2026-07-02")
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/close",
                                     json={"end_date": "2026-08-01", "reason": "本人申请"})
    assert r.status_code == 200, r.text
    assert r.json()["close_reason_code"] is None


async def test_re_employment_closes_with_the_reemployed_code(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-07-02")
    await employ(employment, person, employer["credit_code"], "2026-08-01")
    row = (await employment.client.get(f"/v1/unemployment-registrations/{reg['id']}")).json()
    assert (row["status"], row["close_reason_code"], row["end_date"]) == ("closed", "reemployed", "2026-08-01")


# ---- the daily automatic closure ---------------------------------------------------------------------------


async def close_lapsed(svc: InProcessService, today: date) -> int:
    async with svc.runtime.maker() as session, session.begin():
        return await reg_service.close_lapsed(
            session=session, outbox=svc.runtime.outbox, today=today)  # type: ignore[arg-type]


async def test_no_contact_for_six_months_closes_once_counting_from_the_latest_service(
    employment: InProcessService,
) -> None:
    await closure_job_done(employment)
    silent, served = factories.id_number(), factories.id_number()
    quiet = await unemploy(employment, silent, "2026-01-10")
    await unemploy(employment, served, "2026-01-10")
    r = await employment.client.post("/v1/service-records", json={
        "id_number": served, "kind": "career_guidance", "service_date": "2026-03-01", "staff": "张老师"})
    assert r.status_code == 201, r.text
    before = len(await outbox(employment))
    assert await close_lapsed(employment, date(2026, 7, 9)) == 0  # the day before six months
    assert await close_lapsed(employment, date(2026, 7, 10)) == 1  # on the day
    [row] = await new_events(employment, before)
    data = row["event"]["data"]
    assert (row["event_type"], data["id"], data["end_date"]) == (UNEMPLOYMENT_CLOSED, quiet["id"], "2026-07-10")
    assert (data["reason_code"], data["automatic"]) == ("no_contact", True)
    assert "6 个月" in data["reason"] and "illustrative" in data["reason"]
    assert await close_lapsed(employment, date(2026, 8, 31)) == 0  # six months after the service: 2026-09-01
    assert await close_lapsed(employment, date(2026, 9, 1)) == 1
    assert await close_lapsed(employment, date(2026, 9, 1)) == 0  # published once
    assert len(await outbox(employment)) == before + 2


async def test_reaching_retirement_age_closes_on_the_last_working_day(employment: InProcessService) -> None:
    await closure_job_done(employment)
    man = make_id_number("330802", date(1965, 3, 15), 915)  # retires 2025-04-15
    r = await register_unemployed(employment, man, "2025-04-14")
    assert r.status_code == 201, r.text
    reg = r.json()
    before = len(await outbox(employment))
    assert await close_lapsed(employment, date(2025, 4, 14)) == 0
    assert await close_lapsed(employment, date(2025, 4, 15)) == 1
    [row] = await new_events(employment, before)
    data = row["event"]["data"]
    assert (data["id"], data["end_date"], data["reason_code"], data["automatic"]) == (
        reg["id"], "2025-04-14", "retired", True)


async def test_the_closure_job_is_scheduled_and_runs(employment: InProcessService) -> None:
    await closure_job_done(employment)
    man = make_id_number("330802", date(1965, 3, 15), 917)
    reg = (await register_unemployed(employment, man, "2025-04-14")).json()
    assert employment.runtime.scheduler is not None
    record = await employment.runtime.scheduler.run_now(reg_service.CLOSURE_JOB)
    assert record is not None and record.error is None and record.outcome == "closed 1 unemployment registrations"
    row = (await employment.client.get(f"/v1/unemployment-registrations/{reg['id']}")).json()
    assert (row["status"], row["close_reason_code"]) == ("closed", "retired")


# ---- 更正 and 撤销 -------------------------------------------------------------------------------------------


async def certified(svc: InProcessService, registered: str = "2026-07-02") -> tuple[str, dict[str, Any], str]:
    """A job seeker with an open registration and a 就业困难人员 certification resting on it."""
    seeker = factories.job_seeker("330802")
    assert (await svc.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    person = seeker["id_number"]
    reg = await unemploy(svc, person, registered)
    r = await svc.client.post(f"/v1/job-seekers/{person}/key-groups", json={
        "group": "hard_to_employ", "source": "柯城区就业管理服务中心", "start_date": "2026-07-10",
        "category": "minimum_living", "evidence": "低保证 衢低保〔2025〕009号"})
    assert r.status_code == 201, r.text
    return person, reg, r.json()["id"]


async def test_correction_changes_the_fields_sent_and_publishes_corrected_once(employment: InProcessService) -> None:
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-07-02")
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct", json={
        "registered_date": "2026-07-01", "separation_reason": "contract_expired", "reason": "登记日期录入错误"})
    assert r.status_code == 200, r.text
    assert (r.json()["registered_date"], r.json()["separation_reason"]) == ("2026-07-01", "contract_expired")
    [row] = await new_events(employment, before)
    assert row["event_type"] == CORRECTED
    data = row["event"]["data"]
    assert data["changed"] == ["registered_date", "separation_reason"]
    assert (data["registered_date"], data["correction_reason"]) == ("2026-07-01", "登记日期录入错误")
    same = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct", json={
        "registered_date": "2026-07-01", "reason": "再次更正"})
    assert_problem(same, 409, "reason")
    empty = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct",
                                         json={"reason": "无内容"})
    assert_problem(empty, 422)
    assert len(await outbox(employment)) == before + 1


async def test_correction_follows_the_registration_rules(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    person = factories.id_number()
    job = await employ(employment, person, employer["credit_code"], "2026-03-01")
    await employment.client.post(f"/v1/employment-registrations/{job['id']}/terminate",
                                 json={"end_date": "2026-06-30", "reason": "合同期满"})
    reg = await unemploy(employment, person, "2026-07-02")
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct", json={
        "registered_date": "2026-06-30", "reason": "日期更正"})
    assert "2026-07-01 起" in reason(assert_problem(r, 422, "registered_date"), "registered_date")
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct", json={
        "registered_date": "2026-07-01", "reason": "日期更正"})
    assert r.status_code == 200, r.text


async def test_correction_cannot_move_the_date_past_a_certification_resting_on_it(
    employment: InProcessService,
) -> None:
    _, reg, _ = await certified(employment)
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct", json={
        "registered_date": "2026-07-11", "reason": "日期更正"})
    assert "2026-07-10" in assert_problem(r, 409)["detail"]
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct", json={
        "registered_date": "2026-07-10", "reason": "日期更正"})
    assert r.status_code == 200, r.text


async def test_cancellation_ends_the_certification_resting_on_it_and_publishes_once(
    employment: InProcessService,
) -> None:
    person, reg, membership = await certified(employment)
    before = len(await outbox(employment))
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/cancel",
                                     json={"reason": "重复登记，录入错误"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["cancel_reason"]) == ("cancelled", "重复登记，录入错误")
    assert r.json()["end_date"] == "2026-07-01"  # the day before it began: in force on no day
    async with employment.runtime.maker() as session:  # the certification resting on it held on no day either
        assert await kg_service.groups_on(session=session, id_number=person, on=date(2026, 7, 10)) == set()
    rows = await new_events(employment, before)
    assert [row["event_type"] for row in rows] == [CANCELLED, KEY_GROUP_ENDED]
    assert rows[0]["event"]["data"] == {"id": reg["id"], "id_number": person, "registered_date": "2026-07-02",
                                        "reason": "重复登记，录入错误"}
    ended = rows[1]["event"]["data"]
    assert (ended["id"], ended["end_date"]) == (membership, "2026-07-10")
    assert "撤销" in ended["reason"]
    again = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/cancel",
                                         json={"reason": "再次撤销"})
    assert_problem(again, 409)
    close = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/close",
                                         json={"end_date": "2026-08-01", "reason": "就业"})
    assert "撤销" in assert_problem(close, 409)["detail"]
    correct = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/correct",
                                           json={"registered_date": "2026-07-03", "reason": "更正"})
    assert_problem(correct, 409)
    assert len(await outbox(employment)) == before + 2
    # The person may register again (a cancelled registration is not open).
    assert (await register_unemployed(employment, person, "2026-08-01")).status_code == 201
    listed = (await employment.client.get("/v1/unemployment-registrations",
                                          params={"id_number": person, "status": "cancelled"})).json()
    assert [i["id"] for i in listed["data"]] == [reg["id"]]
