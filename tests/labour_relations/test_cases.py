"""欠薪案件: intake, every transition (and every illegal one: 409 naming the current state), the working-day deadline
with its one extension at the edges, on-time closure, overdue cases and their job, group cases, provisional
deadlines recomputed when the year's calendar data arrives, corrections and cancellation — each change one event
valid against its contract."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from labour_relations.cases.service import OVERDUE_JOB, RECOMPUTE_JOB
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app
from labour_relations.workdays import CALENDAR_FILE
from tests import factories
from tests.labour_relations.helpers import (
    TYPE,
    act,
    assert_problem,
    case_body,
    events_since,
    mark,
    new_case,
    new_project,
    reason,
    run_job,
    settled,
    step,
    types_since,
)
from tests.support import InProcessService, alone


@pytest.fixture(autouse=True)
def _today(move_today: Any) -> None:
    move_today(date(2025, 9, 1))


async def accepted_case(svc: InProcessService, accepted_date: str = "2025-09-01", **over: Any) -> dict[str, Any]:
    case = await new_case(svc, **over)
    return await step(svc, case["id"], "accept", {"accepted_date": accepted_date})


async def test_intake_answers_the_case_and_publishes_one_registered_event(labour: InProcessService) -> None:
    before = await mark(labour)
    project = await new_project(labour, start_date="2025-01-10")
    case = await new_case(labour, project_id=project["id"])
    assert {k: case[k] for k in ("status", "group_case", "workers_affected", "amount_owed", "deadline_date",
                                 "project_id", "overdue")} == {
        "status": "registered", "group_case": False, "workers_affected": 3, "amount_owed": "36000.00",
        "deadline_date": None, "project_id": project["id"], "overdue": False}
    rows = await events_since(labour, before)
    assert [r["event_type"] for r in rows] == [TYPE("project.registered"), TYPE("arrears_case.registered")]
    data = rows[1]["event"]["data"]
    assert (data["id"], data["status"], data["amount_owed"]) == (case["id"], "registered", "36000.00")


async def test_the_whole_path_publishes_one_event_per_transition(labour: InProcessService) -> None:
    case = await new_case(labour)
    before = await mark(labour)
    accepted = await step(labour, case["id"], "accept", {"accepted_date": "2025-09-01"})
    assert (accepted["status"], accepted["base_deadline_date"], accepted["deadline_date"],
            accepted["deadline_provisional"]) == ("accepted", "2025-11-28", "2025-11-28", False)
    assert accepted["working_days_left"] == 60
    await step(labour, case["id"], "investigate")
    await step(labour, case["id"], "mediate")
    resolved = await step(labour, case["id"], "resolve", {"amount_recovered": "30000.00"})
    assert (resolved["status"], resolved["amount_recovered"]) == ("resolved", "30000.00")
    closed = await step(labour, case["id"], "close", {})
    assert (closed["status"], closed["concluded_date"], closed["on_time"], closed["working_days_left"]) == (
        "closed", "2025-09-01", True, None)
    rows = await events_since(labour, before)
    assert [r["event_type"] for r in rows] == [TYPE(f"arrears_case.{v}") for v in (
        "accepted", "investigation_started", "mediation_started", "resolved", "closed")]
    assert [r["event"]["data"]["previous_status"] for r in rows] == [
        "registered", "accepted", "investigating", "mediating", "resolved"]


async def test_transfer_to_arbitration_concludes_the_case(labour: InProcessService) -> None:
    case = await accepted_case(labour)
    before = await mark(labour)
    moved = await step(labour, case["id"], "transfer", {"note": "涉及劳动合同争议，移送仲裁"})
    assert (moved["status"], moved["on_time"], moved["concluded_date"]) == ("transferred", True, "2025-09-01")
    assert await types_since(labour, before) == [TYPE("arrears_case.transferred")]


# (states the case is brought to, the refused action, its body)
ILLEGAL = [
    ([], "investigate", None), ([], "mediate", None), ([], "resolve", {"amount_recovered": "1.00"}),
    ([], "close", {}), ([], "transfer", {}), ([], "extend", {"reason": "情况复杂"}),
    (["accept"], "accept", {}), (["accept"], "resolve", {"amount_recovered": "1.00"}), (["accept"], "close", {}),
    (["accept", "investigate"], "investigate", None),
    (["accept", "mediate"], "investigate", None),
    (["accept", "mediate", "resolve"], "mediate", None), (["accept", "mediate", "resolve"], "transfer", {}),
    (["accept", "mediate", "resolve", "close"], "close", {}),
    (["accept", "mediate", "resolve", "close"], "extend", {"reason": "情况复杂"}),
    (["accept", "transfer"], "mediate", None), (["accept", "transfer"], "close", {}),
    (["cancel"], "accept", {}), (["cancel"], "cancel", {"reason": "重复登记"}),
    (["cancel"], "correct", {"reason": "更正", "workers_affected": 5}),
]
BODIES = {"accept": {}, "investigate": None, "mediate": None, "resolve": {"amount_recovered": "1.00"},
          "close": {}, "transfer": {}, "cancel": {"reason": "重复登记"}}


@pytest.mark.parametrize(("path", "action", "body"), ILLEGAL)
async def test_an_illegal_transition_is_409_naming_the_current_state(
    labour: InProcessService, path: list[str], action: str, body: dict[str, Any] | None
) -> None:
    case = await new_case(labour)
    current = case["status"]
    for earlier in path:
        current = (await step(labour, case["id"], earlier, BODIES[earlier]))["status"]
    before = await mark(labour)
    problem = assert_problem(await act(labour, case["id"], action, body), 409, "status")
    assert problem["current_status"] == current and current in reason(problem, "status")
    assert await types_since(labour, before) == []


async def test_dates_of_each_step_are_checked(labour: InProcessService) -> None:
    case = await new_case(labour, filed_date="2025-08-28")
    assert_problem(await act(labour, case["id"], "accept", {"accepted_date": "2025-08-27"}), 422, "accepted_date")
    assert_problem(await act(labour, case["id"], "accept", {"accepted_date": "2025-09-02"}), 422, "accepted_date")
    await step(labour, case["id"], "accept", {"accepted_date": "2025-08-28"})  # the filing day itself
    await step(labour, case["id"], "investigate")
    r = await act(labour, case["id"], "resolve", {"amount_recovered": "36000.01"})
    assert_problem(r, 422, "amount_recovered")
    await step(labour, case["id"], "resolve", {"amount_recovered": "36000.00", "resolved_date": "2025-08-30"})
    assert_problem(await act(labour, case["id"], "close", {"concluded_date": "2025-08-29"}), 422, "concluded_date")


async def test_extension_adds_30_working_days_once_up_to_the_deadline_day(
    labour: InProcessService, move_today: Any
) -> None:
    on_time, late, twice = [await accepted_case(labour) for _ in range(3)]
    move_today(date(2025, 11, 28))  # the deadline day itself: still extendable
    before = await mark(labour)
    extended = await step(labour, on_time["id"], "extend", {"reason": "涉及多个分包单位，情况复杂，经局负责人批准"})
    # 30 working days after 2025-11-28: December's 23, then 1/1–1/3 off, Sun 1/4 worked (24), 1/5–1/9, 1/12.
    assert (extended["base_deadline_date"], extended["deadline_date"], extended["extended"],
            extended["extended_date"]) == ("2025-11-28", "2026-01-12", True, "2025-11-28")
    rows = await events_since(labour, before)
    assert [r["event_type"] for r in rows] == [TYPE("arrears_case.extended")]
    assert rows[0]["event"]["data"]["reason"].startswith("涉及多个分包单位")
    await step(labour, twice["id"], "extend", {"reason": "情况复杂"})
    problem = assert_problem(await act(labour, twice["id"], "extend", {"reason": "再次延长"}), 409, "extended")
    assert problem["extended_date"] == "2025-11-28"
    move_today(date(2025, 11, 29))  # the day after the deadline: too late
    problem = assert_problem(await act(labour, late["id"], "extend", {"reason": "情况复杂"}), 409, "deadline_date")
    assert problem["deadline_date"] == "2025-11-28"
    assert_problem(await act(labour, late["id"], "extend", {"reason": " "}), 422, "reason")


async def test_closure_on_the_deadline_is_on_time_and_the_day_after_is_not(
    labour: InProcessService, move_today: Any
) -> None:
    cases = [await accepted_case(labour) for _ in range(2)]
    for case in cases:
        await step(labour, case["id"], "investigate")
        await step(labour, case["id"], "resolve", {"amount_recovered": "36000.00"})
    move_today(date(2025, 12, 5))
    first = await step(labour, cases[0]["id"], "close", {"concluded_date": "2025-11-28"})
    second = await step(labour, cases[1]["id"], "close", {"concluded_date": "2025-11-29"})
    assert (first["on_time"], second["on_time"]) == (True, False)
    rates = (await labour.client.get("/v1/arrears-cases/on-time-rate",
                                     params={"from_date": "2025-11-01", "to_date": "2025-11-30"})).json()
    assert rates == [{"county_code": "330802", "numerator": 1, "denominator": 2, "rate": "50.0"},
                     {"county_code": None, "numerator": 1, "denominator": 2, "rate": "50.0"}]


async def test_overdue_from_the_day_after_the_deadline_published_once_by_the_job(
    labour: InProcessService, move_today: Any
) -> None:
    case = await accepted_case(labour)
    done = await accepted_case(labour)
    await step(labour, done["id"], "transfer", {})
    move_today(date(2025, 11, 28))
    assert (await labour.client.get(f"/v1/arrears-cases/{case['id']}")).json()["overdue"] is False
    assert await run_job(labour, OVERDUE_JOB) == "0 cases became overdue"
    move_today(date(2025, 11, 29))
    got = (await labour.client.get(f"/v1/arrears-cases/{case['id']}")).json()
    assert (got["overdue"], got["working_days_left"]) == (True, 0)
    listed = (await labour.client.get("/v1/arrears-cases/overdue")).json()
    assert [c["id"] for c in listed["data"]] == [case["id"]]
    assert (await labour.client.get("/v1/arrears-cases", params={"overdue": "false"})).json()["count"] == 1
    before = await mark(labour)
    assert await run_job(labour, OVERDUE_JOB) == "1 cases became overdue"
    assert await run_job(labour, OVERDUE_JOB) == "0 cases became overdue"
    rows = await events_since(labour, before)
    assert [(r["event_type"], r["event"]["data"]["id"]) for r in rows] == [(TYPE("arrears_case.overdue"), case["id"])]
    # an overdue case counts against the on-time rate of the period its deadline fell in
    rates = (await labour.client.get("/v1/arrears-cases/on-time-rate",
                                     params={"from_date": "2025-09-01", "to_date": "2025-11-30"})).json()
    assert rates[-1] == {"county_code": None, "numerator": 1, "denominator": 2, "rate": "50.0"}


@pytest.mark.parametrize(("workers", "group"), [(9, False), (10, True), (11, True)])
async def test_ten_or_more_workers_is_a_group_case_escalated_once(
    labour: InProcessService, workers: int, group: bool
) -> None:
    before = await mark(labour)
    case = await new_case(labour, workers=workers)
    assert (case["group_case"], case["group_case_illustrative"]) == (group, group)
    types = await types_since(labour, before)
    assert types.count(TYPE("arrears_case.escalated")) == int(group)
    assert types[0] == TYPE("arrears_case.registered")


async def test_a_correction_that_makes_a_group_case_escalates_it(labour: InProcessService) -> None:
    case = await new_case(labour, workers=9)
    before = await mark(labour)
    fixed = await step(labour, case["id"], "correct", {"reason": "登记时漏计一名工人", "workers_affected": 10})
    assert (fixed["workers_affected"], fixed["group_case"]) == (10, True)
    rows = await events_since(labour, before)
    # complaint (15) + group case (50) reach the warning threshold (60): one warning as well
    assert [r["event_type"] for r in rows] == [TYPE("arrears_case.corrected"), TYPE("arrears_case.escalated"),
                                               TYPE("warning.raised")]
    assert rows[0]["event"]["data"]["changed"] == ["workers_affected"]
    before = await mark(labour)
    fixed = await step(labour, case["id"], "correct", {"reason": "金额更正", "amount_owed": "40000.00"})
    assert await types_since(labour, before) == [TYPE("arrears_case.corrected")]  # already escalated
    assert_problem(await act(labour, case["id"], "correct", {"reason": "同样", "amount_owed": "40000.00"}), 422,
                   "reason")
    assert_problem(await act(labour, case["id"], "correct", {"reason": "无内容"}), 422)
    assert_problem(await act(labour, case["id"], "correct", {"reason": "人数", "workers_affected": 1}), 422,
                   "workers_affected")


async def test_cancellation_with_a_reason_is_one_event(labour: InProcessService) -> None:
    case = await accepted_case(labour)
    before = await mark(labour)
    cancelled = await step(labour, case["id"], "cancel", {"reason": "重复登记"})
    assert (cancelled["status"], cancelled["cancel_reason"], cancelled["cancelled_date"]) == (
        "cancelled", "重复登记", "2025-09-01")
    rows = await events_since(labour, before)
    assert [(r["event_type"], r["event"]["data"]["previous_status"]) for r in rows] == [
        (TYPE("arrears_case.cancelled"), "accepted")]


async def test_a_deadline_reaching_into_2027_is_provisional_and_recomputed_when_2027_is_added(
    tmp_path: Path, move_today: Any
) -> None:
    move_today(date(2026, 11, 28))
    settings = alone(LabourRelationsSettings, tmp_path)
    async with InProcessService(create_app, settings) as svc:
        await settled(svc)
        case = await new_case(svc, filed_date="2026-11-20")
        accepted = await step(svc, case["id"], "accept", {"accepted_date": "2026-11-20"})
        assert (accepted["deadline_date"], accepted["deadline_provisional"], accepted["provisional_years"]) == (
            "2027-02-17", True, [2027])
        due_2026 = await accepted_case(svc, accepted_date="2026-08-03")  # due in 2026: not provisional
        assert due_2026["deadline_provisional"] is False
        before = await mark(svc)
        assert await run_job(svc, RECOMPUTE_JOB) == "0 provisional deadlines recomputed"
        assert TYPE("arrears_case.deadline_recomputed") not in await types_since(svc, before)
    with_2027 = tmp_path / "calendar.toml"
    with_2027.write_text(CALENDAR_FILE.read_text(encoding="utf-8") + """
[[version]]
effective_from = 2027-01-01
effective_to = 2027-12-31
source = "国务院办公厅关于2027年部分节假日安排的通知（测试数据 test data）"
holidays = [
  { name = "元旦", first = 2027-01-01, last = 2027-01-03 },
  { name = "春节", first = 2027-02-05, last = 2027-02-13 },
]
workdays = [2027-02-20]
""", encoding="utf-8")
    async with InProcessService(create_app, settings.model_copy(update={"calendar_file": with_2027})) as svc:
        await settled(svc)
        before = await mark(svc)
        assert await run_job(svc, RECOMPUTE_JOB) == "1 provisional deadlines recomputed"
        assert await run_job(svc, RECOMPUTE_JOB) == "0 provisional deadlines recomputed"
        rows = [r for r in await events_since(svc, before)
                if r["event_type"] == TYPE("arrears_case.deadline_recomputed")]
        assert len(rows) == 1
        data = rows[0]["event"]["data"]
        assert (data["id"], data["deadline_date"], data["deadline_provisional"]) == (case["id"], "2027-02-22", False)
        got = (await svc.client.get(f"/v1/arrears-cases/{case['id']}")).json()
        assert (got["deadline_date"], got["deadline_provisional"], got["provisional_years"]) == (
            "2027-02-22", False, [])


@pytest.mark.parametrize(("over", "field"), [
    ({"filed_date": "2025-09-02"}, "filed_date"),
    ({"credit_code": "91330802MA2ABCDE1X"}, "credit_code"),
    ({"county_code": "330100"}, "county_code"),
    ({"amount_owed": 36000.5}, "amount_owed"),
    ({"amount_owed": "0"}, "amount_owed"),
    ({"workers_affected": 0}, "workers_affected"),
    ({"complainants": []}, "complainants"),
    ({"project_id": "no-such-project"}, "project_id"),
    ({"employer_name": "衢州\u0000建筑"}, "employer_name"),
])
async def test_bad_intake_is_422_naming_the_field(labour: InProcessService, over: dict[str, Any], field: str) -> None:
    r = await labour.client.post("/v1/arrears-cases", json=case_body(**over))
    body = assert_problem(r, 422)
    assert any(e["field"].endswith(field) or e["field"].startswith(field) for e in body["errors"]), body


async def test_fewer_workers_than_complainants_is_refused(labour: InProcessService) -> None:
    body = case_body(workers=2)
    body["workers_affected"] = 1
    assert_problem(await labour.client.post("/v1/arrears-cases", json=body), 422)


async def test_lists_filter_and_sort(labour: InProcessService) -> None:
    a = await new_case(labour, county="330881", filed_date="2025-08-01")
    b = await accepted_case(labour)
    r = await labour.client.get("/v1/arrears-cases", params={"county_code": "330881"})
    assert [c["id"] for c in r.json()["data"]] == [a["id"]]
    r = await labour.client.get("/v1/arrears-cases", params={"status": "accepted", "credit_code": b["credit_code"]})
    assert [c["id"] for c in r.json()["data"]] == [b["id"]]
    r = await labour.client.get("/v1/arrears-cases", params={"sort": "filed_date"})
    assert [c["id"] for c in r.json()["data"]] == [a["id"], b["id"]]
    r = await labour.client.get("/v1/arrears-cases", params={"from_date": "2025-08-02"})
    assert [c["id"] for c in r.json()["data"]] == [b["id"]]
    assert_problem(await labour.client.get("/v1/arrears-cases", params={"sort": "name"}), 422, "sort")
    assert_problem(await labour.client.get("/v1/arrears-cases/nope"), 404)


async def test_cases_of_a_complainant(labour: InProcessService) -> None:
    """The 一卡通 view's live read of a person's cases: filter by a complainant's ID number (validated)."""
    a, b = await new_case(labour), await new_case(labour)
    person = a["complainants"][1]["id_number"]
    r = await labour.client.get("/v1/arrears-cases", params={"complainant_id_number": person})
    assert [c["id"] for c in r.json()["data"]] == [a["id"]]
    r = await labour.client.get("/v1/arrears-cases",
                                params={"complainant_id_number": b["complainants"][0]["id_number"]})
    assert [c["id"] for c in r.json()["data"]] == [b["id"]]
    r = await labour.client.get("/v1/arrears-cases", params={"complainant_id_number": factories.id_number()})
    assert r.json()["data"] == []
    assert_problem(await labour.client.get("/v1/arrears-cases", params={"complainant_id_number": "3308021990"}),
                   422, "complainant_id_number")
