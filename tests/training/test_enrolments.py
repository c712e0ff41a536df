"""培训报名, 考勤, 结业 and 退出 at their edges: capacity n and n+1, the course's end date, attended hours against the
course hours and the policy's share, and one event per change."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hrss_shared.policy import PolicyTable
from tests import factories
from tests.support import InProcessService
from tests.training.helpers import (
    TYPE,
    accredit,
    assert_problem,
    count,
    enrol,
    events_since,
    new_course,
    new_institution,
    outbox,
    reason,
)
from training.enrolments import service as enrolments
from training.enrolments.models import CompletionPolicy

DURING = date(2026, 3, 10)  # the default course runs 2026-03-01 … 2026-04-30, 100 hours
END = date(2026, 4, 30)


async def attend(svc: InProcessService, enrolment_id: str, hours: int) -> Any:
    return await svc.client.post(f"/v1/enrolments/{enrolment_id}/attendance", json={"hours": hours})


async def complete(svc: InProcessService, enrolment_id: str, result: str = "passed") -> Any:
    return await svc.client.post(f"/v1/enrolments/{enrolment_id}/complete", json={"result": result})


async def withdraw(svc: InProcessService, enrolment_id: str, reason_text: str = "本人申请退出") -> Any:
    return await svc.client.post(f"/v1/enrolments/{enrolment_id}/withdraw", json={"reason": reason_text})


# ---- enrolment ---------------------------------------------------------------------------------


async def test_enrolment_answers_the_record_and_writes_one_enrolled_event(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training, county_code="330825")
    person = factories.id_number("330825")
    before = len(await outbox(training))
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"], "id_number": person,
                                                           "name": " 买买提・吐尔逊 "})
    assert r.status_code == 201, r.text
    answer = r.json()
    assert {k: answer[k] for k in ("course_id", "id_number", "name", "county_code", "occupation_code", "status",
                                   "attended_hours", "course_hours", "result", "enrolled_date")} == {
        "course_id": course["id"], "id_number": person, "name": "买买提·吐尔逊", "county_code": "330825",
        "occupation_code": course["occupation_code"], "status": "enrolled", "attended_hours": 0, "course_hours": 100,
        "result": None, "enrolled_date": "2026-03-10"}
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("enrolment.enrolled")
    assert row["event"]["subject"] == person
    assert row["event"]["data"] == {
        "id": answer["id"], "course_id": course["id"], "institution_id": course["institution_id"],
        "credit_code": course["credit_code"], "id_number": person, "name": "买买提·吐尔逊", "county_code": "330825",
        "occupation_code": course["occupation_code"], "occupation_name": "电工", "course_kind": "employment_skills",
        "start_date": "2026-03-01", "end_date": "2026-04-30", "enrolled_date": "2026-03-10"}
    assert (await training.client.get(f"/v1/enrolments/{answer['id']}")).json() == answer


@pytest.mark.parametrize("capacity", [1, 3])
async def test_the_nth_seat_of_a_capacity_n_course_is_taken_and_the_next_is_409(
    training: InProcessService, move_today: Any, capacity: int
) -> None:
    move_today(DURING)
    course = await new_course(training, capacity=capacity)
    for _ in range(capacity):
        await enrol(training, course["id"])
    before = await outbox(training)
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"],
                                                           "id_number": factories.id_number(), "name": "李四"})
    problem = assert_problem(r, 409, "course_id")
    assert (problem["capacity"], problem["enrolled"]) == (capacity, capacity)
    assert "名额已满" in problem["detail"]
    assert await outbox(training) == before
    assert await count(training, "enrolments") == capacity
    seats = (await training.client.get(f"/v1/courses/{course['id']}")).json()
    assert (seats["enrolled"], seats["seats_left"]) == (capacity, 0)


async def test_withdrawing_frees_the_seat_and_a_completed_trainee_keeps_it(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training, capacity=2)
    first = await enrol(training, course["id"])
    second = await enrol(training, course["id"])
    before = len(await outbox(training))
    r = await withdraw(training, first["id"])
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["withdrawn_date"], r.json()["withdraw_reason"]) == (
        "withdrawn", "2026-03-10", "本人申请退出")
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("enrolment.withdrawn")
    assert row["event"]["data"] == {"id": first["id"], "course_id": course["id"], "id_number": first["id_number"],
                                    "county_code": "330802", "withdrawn_date": "2026-03-10", "reason": "本人申请退出"}
    third = await enrol(training, course["id"])  # the freed seat
    move_today(END)
    assert (await complete(training, second["id"], "failed")).status_code == 200
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"],
                                                           "id_number": factories.id_number(), "name": "李四"})
    assert_problem(r, 409, "course_id")  # completed and enrolled trainees both hold their seats
    assert third["status"] == "enrolled"


async def test_one_enrolment_per_person_and_course_409_naming_the_existing_one(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training)
    other = await new_course(training)
    person = factories.id_number()
    first = await enrol(training, course["id"], person)
    before = await outbox(training)
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"], "id_number": person.lower(),
                                                           "name": "王小明"})
    problem = assert_problem(r, 409, "id_number")
    assert (problem["existing_id"], problem["existing_status"]) == (first["id"], "enrolled")
    assert first["id"] in problem["detail"]
    assert await outbox(training) == before
    await enrol(training, other["id"], person)  # another course is another enrolment
    assert (await withdraw(training, first["id"])).status_code == 200
    again = await enrol(training, course["id"], person)  # after withdrawing, the person may enrol again
    assert again["id"] != first["id"]


async def test_enrolment_is_taken_up_to_the_end_date_and_refused_the_day_after(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training)
    move_today(END)
    assert (await enrol(training, course["id"]))["enrolled_date"] == "2026-04-30"
    move_today(date(2026, 5, 1))
    before = await outbox(training)
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"],
                                                           "id_number": factories.id_number(), "name": "李四"})
    problem = assert_problem(r, 409, "course_id")
    assert "2026-04-30" in problem["detail"]
    assert await outbox(training) == before


async def test_a_suspended_institutions_course_takes_no_enrolment(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training)
    await training.client.patch(f"/v1/institutions/{course['institution_id']}", json={"status": "suspended"})
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"],
                                                           "id_number": factories.id_number(), "name": "李四"})
    assert assert_problem(r, 409, "course_id")["current_status"] == "suspended"


@pytest.mark.parametrize(("over", "field"), [
    ({"course_id": "no-such-course"}, "course_id"), ({"id_number": "330802199001011230"}, "id_number"),
    ({"name": "王\x00明"}, "name"), ({"name": "王明😀"}, "name"), ({"name": "张 三"}, "name"),
])
async def test_bad_enrolment_is_422_naming_the_field(
    training: InProcessService, move_today: Any, over: dict[str, Any], field: str
) -> None:
    move_today(DURING)
    course = await new_course(training)
    before = await outbox(training)
    body = {"course_id": course["id"], "id_number": factories.id_number(), "name": "王明", **over}
    assert_problem(await training.client.post("/v1/enrolments", json=body), 422, field)
    assert await outbox(training) == before
    assert await count(training, "enrolments") == 0


# ---- attendance ---------------------------------------------------------------------------------


async def test_attendance_adds_up_to_the_course_hours_and_not_above(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training, hours=100)
    e = await enrol(training, course["id"])
    before = len(await outbox(training))
    assert (await attend(training, e["id"], 60)).json()["attended_hours"] == 60
    r = await attend(training, e["id"], 40)
    assert r.json()["attended_hours"] == 100
    rows = await events_since(training, before)
    assert [row["event_type"] for row in rows] == [TYPE("enrolment.attendance_recorded")] * 2
    assert rows[1]["event"]["data"] == {"id": e["id"], "course_id": course["id"], "id_number": e["id_number"],
                                        "county_code": "330802", "hours": 40, "attended_hours": 100,
                                        "course_hours": 100, "recorded_date": "2026-03-10"}
    problem = assert_problem(await attend(training, e["id"], 1), 422, "hours")
    assert "100" in reason(problem, "hours")
    assert len(await outbox(training)) == before + 2
    assert (await training.client.get(f"/v1/enrolments/{e['id']}")).json()["attended_hours"] == 100


async def test_attendance_starts_on_the_start_date(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 2, 20))
    course = await new_course(training)
    e = await enrol(training, course["id"])
    move_today(date(2026, 2, 28))
    assert "尚未开始" in assert_problem(await attend(training, e["id"], 8), 409, "hours")["detail"]
    move_today(date(2026, 3, 1))
    assert (await attend(training, e["id"], 8)).status_code == 200


@pytest.mark.parametrize("hours", [0, -1, 5001, 1.5, "8h"])
async def test_bad_attendance_is_422(training: InProcessService, move_today: Any, hours: object) -> None:
    move_today(DURING)
    e = await enrol(training, (await new_course(training))["id"])
    r = await training.client.post(f"/v1/enrolments/{e['id']}/attendance", json={"hours": hours})
    assert_problem(r, 422, "hours")


# ---- completion ---------------------------------------------------------------------------------


async def test_completion_the_day_before_the_end_date_is_409_and_on_it_200(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training)
    e = await enrol(training, course["id"])
    await attend(training, e["id"], 100)
    move_today(date(2026, 4, 29))
    before = len(await outbox(training))
    problem = assert_problem(await complete(training, e["id"]), 409, "result")
    assert (problem["end_date"], problem["today"]) == ("2026-04-30", "2026-04-29")
    assert len(await outbox(training)) == before
    move_today(END)
    r = await complete(training, e["id"])
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["result"], r.json()["completed_date"]) == ("completed", "passed",
                                                                                    "2026-04-30")
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("enrolment.completed")
    data = row["event"]["data"]
    assert {k: data[k] for k in ("id", "id_number", "result", "attended_hours", "course_hours", "completed_date",
                                 "target_level", "occupation_code", "course_kind")} == {
        "id": e["id"], "id_number": e["id_number"], "result": "passed", "attended_hours": 100, "course_hours": 100,
        "completed_date": "2026-04-30", "target_level": 4, "occupation_code": course["occupation_code"],
        "course_kind": "employment_skills"}
    assert "80%" in data["policy_source"]
    assert_problem(await complete(training, e["id"]), 409, "status")  # once
    assert_problem(await withdraw(training, e["id"]), 409, "status")
    assert_problem(await attend(training, e["id"], 1), 409, "status")
    assert len(await outbox(training)) == before + 1


async def test_passed_needs_exactly_the_policys_share_of_the_hours(
    training: InProcessService, move_today: Any
) -> None:
    move_today(DURING)
    course = await new_course(training, hours=95)  # 80 % of 95 hours = 76 hours
    short, exact = await enrol(training, course["id"]), await enrol(training, course["id"])
    await attend(training, short["id"], 75)
    await attend(training, exact["id"], 76)
    move_today(END)
    before = await outbox(training)
    problem = assert_problem(await complete(training, short["id"]), 409, "result")
    assert {k: problem[k] for k in ("attended_hours", "course_hours", "required_hours", "required_attendance_share",
                                    "illustrative")} == {
        "attended_hours": 75, "course_hours": 95, "required_hours": 76, "required_attendance_share": "0.8",
        "illustrative": True}
    assert "示例" in problem["detail"] and "illustrative" in problem["detail"]
    assert problem["policy_source"] == enrolments.POLICY.at(date(2026, 3, 1)).source
    assert await outbox(training) == before
    assert (await training.client.get(f"/v1/enrolments/{short['id']}")).json()["status"] == "enrolled"
    assert (await complete(training, exact["id"])).json()["result"] == "passed"
    r = await complete(training, short["id"], "failed")  # 不合格 whatever the attendance
    assert (r.status_code, r.json()["result"]) == (200, "failed")


async def test_a_fraction_of_an_hour_rounds_the_requirement_up(training: InProcessService, move_today: Any) -> None:
    move_today(DURING)
    course = await new_course(training, hours=97)  # 80 % of 97 = 77.6: 77 hours is short, 78 passes
    low, high = await enrol(training, course["id"]), await enrol(training, course["id"])
    await attend(training, low["id"], 77)
    await attend(training, high["id"], 78)
    move_today(END)
    assert assert_problem(await complete(training, low["id"]), 409, "result")["required_hours"] == 78
    assert (await complete(training, high["id"])).status_code == 200


async def test_the_share_in_force_on_the_courses_start_date_applies(
    training: InProcessService, move_today: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new version of the policy file changes the answer from its date on, without a code change."""
    policy = tmp_path / "completion.toml"
    policy.write_text(
        '[[version]]\neffective_from = 2021-01-01\nsource = "示例 2021"\nillustrative = true\n'
        "required_attendance_share = 0.8\n\n"
        '[[version]]\neffective_from = 2026-04-01\nsource = "某文件〔2026〕1号"\nrequired_attendance_share = 0.9\n',
        encoding="utf-8")
    monkeypatch.setattr(enrolments, "POLICY", PolicyTable.load(policy, CompletionPolicy))
    move_today(date(2026, 3, 10))
    old = await new_course(training, start_date="2026-03-31", end_date="2026-04-30")
    new = await new_course(training, start_date="2026-04-01", end_date="2026-04-30")
    move_today(date(2026, 4, 10))
    on_old, on_new = await enrol(training, old["id"]), await enrol(training, new["id"])
    await attend(training, on_old["id"], 85)
    await attend(training, on_new["id"], 85)
    move_today(END)
    assert (await complete(training, on_old["id"])).status_code == 200
    problem = assert_problem(await complete(training, on_new["id"]), 409, "result")
    assert (problem["required_hours"], problem["illustrative"], problem["policy_source"]) == (90, False,
                                                                                             "某文件〔2026〕1号")
    assert "示例" not in problem["detail"]


async def test_a_course_started_before_any_policy_version_cannot_be_completed(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2020, 6, 1))
    institution = await new_institution(training)
    await accredit(training, institution["id"], "2019-01-01", "2023-12-31")
    course = await new_course(training, institution["id"], start_date="2020-06-01", end_date="2020-06-30")
    e = await enrol(training, course["id"])
    move_today(date(2020, 6, 30))
    assert "无适用" in assert_problem(await complete(training, e["id"], "failed"), 409, "course_id")["detail"]


@pytest.mark.parametrize("body", [{}, {"result": "excellent"}, {"result": "合格"}])
async def test_bad_completion_is_422_naming_result(
    training: InProcessService, move_today: Any, body: dict[str, Any]
) -> None:
    move_today(DURING)
    e = await enrol(training, (await new_course(training))["id"])
    move_today(END)
    r = await training.client.post(f"/v1/enrolments/{e['id']}/complete", json=body)
    assert_problem(r, 422, "result")


async def test_withdrawal_needs_a_reason_and_happens_once(training: InProcessService, move_today: Any) -> None:
    move_today(DURING)
    e = await enrol(training, (await new_course(training))["id"])
    for bad in ("", "退\x00出", "多行\n原因"):
        assert_problem(await withdraw(training, e["id"], bad), 422, "reason")
    assert (await withdraw(training, e["id"])).status_code == 200
    assert "已退出" in assert_problem(await withdraw(training, e["id"]), 409, "status")["detail"]
    assert_problem(await complete(training, e["id"], "failed"), 409, "status")


async def test_unknown_enrolment_is_404(training: InProcessService) -> None:
    for r in (await training.client.get("/v1/enrolments/nope"), await attend(training, "nope", 1),
              await complete(training, "nope"), await withdraw(training, "nope")):
        assert_problem(r, 404)
    assert await outbox(training) == []


# ---- list ------------------------------------------------------------------------------------


async def test_list_filters_pages_and_sorts(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 2, 1))
    course = await new_course(training)
    other = await new_course(training, county_code="330881")
    person = factories.id_number()
    a = await enrol(training, course["id"], person)
    move_today(date(2026, 2, 2))
    b = await enrol(training, other["id"], person)
    move_today(date(2026, 2, 3))
    c = await enrol(training, course["id"])
    await withdraw(training, c["id"])

    async def ids(**params: Any) -> list[str]:
        r = await training.client.get("/v1/enrolments", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["data"]]

    assert await ids() == [c["id"], b["id"], a["id"]]
    assert await ids(sort="enrolled_date") == [a["id"], b["id"], c["id"]]
    assert await ids(id_number=person) == [b["id"], a["id"]]
    assert await ids(course_id=course["id"]) == [c["id"], a["id"]]
    assert await ids(status="withdrawn") == [c["id"]]
    assert await ids(county_code="330881") == [b["id"]]
    assert await ids(from_date="2026-02-02", to_date="2026-02-02") == [b["id"]]
    page = (await training.client.get("/v1/enrolments", params={"limit": 2, "sort": "enrolled_date"})).json()
    assert (page["count"], [x["id"] for x in page["data"]]) == (3, [a["id"], b["id"]])
    assert_problem(await training.client.get("/v1/enrolments", params={"id_number": "123"}), 422, "id_number")
    assert_problem(await training.client.get("/v1/enrolments", params={"status": "done"}), 422, "status")
