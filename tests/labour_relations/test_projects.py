"""在建工程项目 and 农民工工资: projects, monthly payrolls (one per month, dates at their edges), the minimum-wage flag
at its edge, missed payrolls found by the daily job the day after the pay day, cancellation, the online-payment
rate, and masking of the dedicated wage account."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from labour_relations.projects.service import MISSED_JOB
from tests import factories
from tests.labour_relations.helpers import (
    TYPE,
    assert_problem,
    events_since,
    mark,
    new_project,
    project_body,
    run_job,
    types_since,
)
from tests.support import InProcessService, bearer, token


@pytest.fixture(autouse=True)
def _today(move_today: Any) -> None:
    move_today(date(2026, 3, 20))


def payroll_body(month: str = "2026-02", paid_date: str = "2026-03-10", online: bool = True,
                 amounts: tuple[str, ...] = ("4200.00", "3800.00"), county: str = "330802") -> dict[str, Any]:
    return {"month": month, "paid_date": paid_date, "online": online,
            "workers": [{"id_number": factories.id_number(county), "name": "李四", "amount": a} for a in amounts]}


async def record(svc: InProcessService, project_id: str, **over: Any) -> Any:
    return await svc.client.post(f"/v1/projects/{project_id}/payrolls", json=payroll_body(**over))


async def test_a_project_is_registered_with_its_wage_account_masked_without_pii(labour: InProcessService) -> None:
    before = await mark(labour)
    project = await new_project(labour)
    assert (project["status"], project["wage_account"]) == ("active", "330016280180500012345")  # admin sees it
    rows = await events_since(labour, before)
    assert [r["event_type"] for r in rows] == [TYPE("project.registered")]
    assert "wage_account" not in rows[0]["event"]["data"]
    reader = bearer(token("labour-relations:read"))
    got = (await labour.client.get(f"/v1/projects/{project['id']}", headers=reader)).json()
    assert got["wage_account"] != "330016280180500012345" and got["wage_account"].endswith("2345")
    assert_problem(await labour.client.post("/v1/projects", json=project_body(wage_account="12-34")), 422,
                   "wage_account")
    assert_problem(await labour.client.post("/v1/projects", json=project_body(completion_date="2026-01-09")), 422,
                   "completion_date")


async def test_a_payroll_flags_lines_below_the_county_minimum_wage_at_the_edge(labour: InProcessService) -> None:
    project = await new_project(labour)  # 柯城区: 2070.00 (illustrative)
    before = await mark(labour)
    r = await record(labour, project["id"], amounts=("2070.00", "2069.99", "5000"))
    assert r.status_code == 201, r.text
    payroll = r.json()
    assert (payroll["minimum_wage"], payroll["below_minimum_count"], payroll["illustrative"], payroll["total_amount"],
            payroll["worker_count"]) == ("2070.00", 1, True, "9139.99", 3)
    assert [w["below_minimum"] for w in payroll["workers"]] == [False, True, False]
    rows = await events_since(labour, before)
    assert [r["event_type"] for r in rows] == [TYPE("payroll.recorded"), TYPE("payroll.below_minimum_wage")]
    flagged = rows[1]["event"]["data"]
    assert ([w["amount"] for w in flagged["workers"]], flagged["minimum_wage"]) == (["2069.99"], "2070.00")
    other = await new_project(labour, county_code="330822")  # 常山县: 1840.00
    r = await record(labour, other["id"], amounts=("1840.00",))
    assert (r.json()["minimum_wage"], r.json()["below_minimum_count"]) == ("1840.00", 0)


async def test_one_payroll_per_month_until_cancelled(labour: InProcessService) -> None:
    project = await new_project(labour)
    first = (await record(labour, project["id"])).json()
    problem = assert_problem(await record(labour, project["id"]), 409, "month")
    assert problem["existing_id"] == first["id"]
    before = await mark(labour)
    r = await labour.client.post(f"/v1/projects/{project['id']}/payrolls/{first['id']}/cancel",
                                 json={"reason": "金额录入错误"})
    assert (r.status_code, r.json()["status"]) == (200, "cancelled")
    assert await types_since(labour, before) == [TYPE("payroll.cancelled")]
    assert_problem(await labour.client.post(f"/v1/projects/{project['id']}/payrolls/{first['id']}/cancel",
                                            json={"reason": "再次"}), 409, "status")
    assert (await record(labour, project["id"])).status_code == 201
    listed = (await labour.client.get(f"/v1/projects/{project['id']}/payrolls")).json()
    assert sorted(p["status"] for p in listed["data"]) == ["cancelled", "recorded"]


@pytest.mark.parametrize(("over", "status", "field"), [
    ({"month": "2025-12"}, 422, "month"),            # before the start month (2026-01)
    ({"month": "2026-01", "paid_date": "2026-01-01"}, 201, None),  # the month's first day
    ({"month": "2026-02", "paid_date": "2026-01-31"}, 422, "paid_date"),
    ({"paid_date": "2026-03-20"}, 201, None),        # today
    ({"paid_date": "2026-03-21"}, 422, "paid_date"),  # tomorrow
    ({"month": "2026-13"}, 422, "month"),
    ({"amounts": ("3000.5",)}, 201, None),
    ({"amounts": ("0",)}, 422, None),
])
async def test_payroll_dates_and_amounts_at_their_edges(
    labour: InProcessService, over: dict[str, Any], status: int, field: str | None
) -> None:
    project = await new_project(labour)
    r = await record(labour, project["id"], **over)
    if status == 201:
        assert r.status_code == 201, r.text
    else:
        body = assert_problem(r, status)
        if field:
            assert field in [e["field"] for e in body["errors"]], body


async def test_no_payroll_after_the_completion_month(labour: InProcessService) -> None:
    project = await new_project(labour)
    before = await mark(labour)
    r = await labour.client.post(f"/v1/projects/{project['id']}/complete", json={"completed_date": "2026-02-27"})
    assert (r.status_code, r.json()["status"]) == (200, "completed")
    assert await types_since(labour, before) == [TYPE("project.completed")]
    assert (await record(labour, project["id"], month="2026-02")).status_code == 201
    assert_problem(await record(labour, project["id"], month="2026-03", paid_date="2026-03-20"), 409, "month")
    assert_problem(await labour.client.post(f"/v1/projects/{project['id']}/complete", json={}), 409, "status")


async def test_a_missed_month_is_found_the_day_after_its_pay_day_once(
    labour: InProcessService, move_today: Any
) -> None:
    project = await new_project(labour, start_date="2026-01-10")
    done = await new_project(labour, start_date="2026-01-10")
    await labour.client.post(f"/v1/projects/{done['id']}/complete", json={"completed_date": "2026-01-31"})
    move_today(date(2026, 2, 15))  # January's pay day (policy: the 15th of the next month)
    before = await mark(labour)
    assert await run_job(labour, MISSED_JOB) == "0 missed payrolls"
    move_today(date(2026, 2, 16))
    assert await run_job(labour, MISSED_JOB) == "1 missed payrolls"
    assert await run_job(labour, MISSED_JOB) == "0 missed payrolls"
    rows = await events_since(labour, before)
    assert [(r["event_type"], r["event"]["data"]["month"], r["event"]["data"]["pay_by_date"]) for r in rows] == [
        (TYPE("payroll.missed"), "2026-01", "2026-02-15")]
    assert (await record(labour, project["id"], month="2026-02", paid_date="2026-02-16")).status_code == 201
    move_today(date(2026, 3, 16))
    assert await run_job(labour, MISSED_JOB) == "0 missed payrolls"  # February was paid
    missed = (await labour.client.get("/v1/projects/missed-payrolls")).json()
    assert [(m["project_id"], m["month"], m["illustrative"]) for m in missed["data"]] == [
        (project["id"], "2026-01", True)]


async def test_online_payment_rate_by_county(labour: InProcessService) -> None:
    a = await new_project(labour)
    b = await new_project(labour, county_code="330881")
    await record(labour, a["id"], month="2026-01", paid_date="2026-02-10", online=True)
    await record(labour, a["id"], month="2026-02", paid_date="2026-03-10", online=False)
    await record(labour, b["id"], month="2026-02", paid_date="2026-03-10", online=True)
    rates = (await labour.client.get("/v1/projects/online-payment-rate")).json()
    assert rates == [
        {"county_code": "330802", "numerator": 1, "denominator": 2, "rate": "50.0"},
        {"county_code": "330881", "numerator": 1, "denominator": 1, "rate": "100.0"},
        {"county_code": None, "numerator": 2, "denominator": 3, "rate": "66.7"}]
    march = (await labour.client.get("/v1/projects/online-payment-rate",
                                     params={"from_date": "2026-03-01", "county_code": "330802"})).json()
    assert march[-1] == {"county_code": None, "numerator": 0, "denominator": 1, "rate": "0.0"}
    listed = (await labour.client.get("/v1/projects", params={"county_code": "330881"})).json()
    assert [p["id"] for p in listed["data"]] == [b["id"]]
