"""缴费: the base clamped to the year's floor and ceiling at its edges, the amounts, one contribution per person,
type and month, the enrolment that must cover the month, and an employer's month posted in bulk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from social_insurance.contributions.service import BASE_POLICY, clamp_base
from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import (
    TYPE,
    assert_problem,
    count_events,
    enrol,
    events_since,
    pay,
    types_of,
)
from tests.support import InProcessService


@pytest.fixture(autouse=True)
def _today(move_today: MoveToday) -> None:
    move_today(date(2026, 3, 15))


def test_the_policy_of_the_month_decides_the_limits() -> None:
    y2024, y2025 = BASE_POLICY.at(date(2024, 12, 1)), BASE_POLICY.at(date(2025, 1, 1))
    assert (y2024.floor, y2024.ceiling) == (Decimal("4462.00"), Decimal("24930.00"))
    assert (y2025.floor, y2025.ceiling) == (Decimal("4812.00"), Decimal("26802.00"))
    assert y2024.illustrative and y2025.illustrative and "国办发〔2019〕13号" in y2025.source


@pytest.mark.parametrize(("declared", "base", "adjustment"), [
    ("4811.99", "4812.00", "floor"),  # floor − 0.01
    ("4812.00", "4812.00", None),  # floor
    ("26802.00", "26802.00", None),  # ceiling
    ("26802.01", "26802.00", "ceiling"),  # ceiling + 0.01
    ("0.00", "4812.00", "floor"),
])
def test_clamp_base_at_the_edges(declared: str, base: str, adjustment: str | None) -> None:
    assert clamp_base(Decimal(declared), BASE_POLICY.at(date(2025, 6, 1))) == (Decimal(base), adjustment)


@pytest.mark.parametrize(("declared", "base", "adjustment", "employer", "personal"), [
    ("4811.99", "4812.00", "floor", "769.92", "384.96"),
    ("4812.00", "4812.00", None, "769.92", "384.96"),
    ("26802.00", "26802.00", None, "4288.32", "2144.16"),
    ("26802.01", "26802.00", "ceiling", "4288.32", "2144.16"),
    ("6543.21", "6543.21", None, "1046.91", "523.46"),  # 1046.9136 and 523.4568, half up to the fen
])
async def test_employee_pension_base_and_amounts(si: InProcessService, move_today: MoveToday, declared: str,
                                                 base: str, adjustment: str | None, employer: str,
                                                 personal: str) -> None:
    move_today(date(2025, 7, 10))  # June is the only month due: nothing is owed, only the contribution is news
    e = await enrol(si, "employee_pension", start_date="2025-06-01")
    before = await count_events(si)
    c = await pay(si, e, "2025-06", declared)
    assert (c["declared_base"], c["base"], c["base_adjustment"], c["employer_amount"], c["personal_amount"],
            c["illustrative"], c["status"], c["paid_date"]) == (
        declared, base, adjustment, employer, personal, True, "posted", "2025-07-10")
    [row] = await events_since(si, before)
    assert row["event_type"] == TYPE("contribution.posted")
    assert (row["event"]["data"]["base"], row["event"]["data"]["base_adjustment"],
            row["event"]["data"]["employer_amount"]) == (base, adjustment, employer)


@pytest.mark.parametrize(("kind", "over", "employer", "personal"), [
    ("unemployment", {}, "32.72", "32.72"),  # 6543.21 × 0.5 % = 32.71605
    ("work_injury", {}, "26.17", "0.00"),  # 6543.21 × 0.4 % = 26.17284
    ("employee_pension", {"flexible": True}, "0.00", "1308.64"),  # 灵活就业 20 % = 1308.642
])
async def test_amounts_of_the_other_types(si: InProcessService, kind: str, over: dict[str, Any], employer: str,
                                          personal: str) -> None:
    e = await enrol(si, kind, **over)
    c = await pay(si, e, "2025-06", "6543.21")
    assert (c["employer_amount"], c["personal_amount"]) == (employer, personal)


async def test_stated_amounts_are_kept_and_rules_of_who_pays_hold(si: InProcessService) -> None:
    e = await enrol(si, "work_injury")
    c = await pay(si, e, "2025-06", "6000.00", employer_amount="60.00")
    assert (c["employer_amount"], c["personal_amount"]) == ("60.00", "0.00")
    body = {"id_number": e["id_number"], "insurance_type": "work_injury", "credit_code": e["credit_code"],
            "month": "2025-07", "declared_base": "6000.00", "personal_amount": "1.00"}
    assert_problem(await si.client.post("/v1/contributions", json=body), 422, "personal_amount")
    flexible = await enrol(si, "employee_pension", flexible=True)
    body = {"id_number": flexible["id_number"], "insurance_type": "employee_pension", "month": "2025-07",
            "declared_base": "6000.00", "employer_amount": "10.00"}
    assert_problem(await si.client.post("/v1/contributions", json=body), 422, "employer_amount")


async def test_resident_pension_pays_a_grade_without_base(si: InProcessService) -> None:
    e = await enrol(si, "resident_pension")
    body = {"id_number": e["id_number"], "insurance_type": "resident_pension", "month": "2025-06"}
    assert_problem(await si.client.post("/v1/contributions", json=body), 422, "personal_amount")
    assert_problem(await si.client.post("/v1/contributions", json={**body, "declared_base": "100", "personal_amount":
                                                                   "500"}), 422, "declared_base")
    c = await pay(si, e, "2025-06", personal_amount="500.00")
    assert (c["base"], c["employer_amount"], c["personal_amount"]) == (None, "0.00", "500.00")


async def test_one_contribution_per_person_type_and_month(si: InProcessService) -> None:
    e = await enrol(si, "unemployment")
    first = await pay(si, e, "2025-06")
    r = await si.client.post("/v1/contributions", json={
        "id_number": e["id_number"], "insurance_type": "unemployment", "credit_code": e["credit_code"],
        "month": "2025-06", "declared_base": "7000.00"})
    assert assert_problem(r, 409, "month")["existing_id"] == first["id"]


async def test_the_month_must_lie_in_an_enrolment_with_that_employer(si: InProcessService) -> None:
    e = await enrol(si, "unemployment", start_date="2025-03-20")
    body = {"id_number": e["id_number"], "insurance_type": "unemployment", "credit_code": e["credit_code"],
            "declared_base": "6000.00"}
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2025-02"}), 409, "month")
    assert (await si.client.post("/v1/contributions", json={**body, "month": "2025-03"})).status_code == 201
    other = {**body, "credit_code": factories.credit_code(), "month": "2025-04"}
    assert_problem(await si.client.post("/v1/contributions", json=other), 409, "month")
    no_employer = {k: v for k, v in body.items() if k != "credit_code"}
    assert_problem(await si.client.post("/v1/contributions", json={**no_employer, "month": "2025-04"}), 409, "month")
    # After the enrolment ends, back payments for its months are still taken; later months are not.
    await si.client.post(f"/v1/enrolments/{e['id']}/end", json={"end_date": "2025-05-10", "reason": "离职"})
    assert (await si.client.post("/v1/contributions", json={**body, "month": "2025-05"})).status_code == 201
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2025-06"}), 409, "month")


async def test_months_and_dates_after_today_and_inexact_money_are_refused(si: InProcessService) -> None:
    e = await enrol(si, "unemployment")
    body = {"id_number": e["id_number"], "insurance_type": "unemployment", "credit_code": e["credit_code"],
            "declared_base": "6000.00"}
    assert (await si.client.post("/v1/contributions", json={**body, "month": "2026-03"})).status_code == 201
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2026-04"}), 422, "month")
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2026-02",
                                                                   "paid_date": "2026-03-16"}), 422, "paid_date")
    for bad in ("2026-13", "2026-3", "26-03", 202603):
        assert_problem(await si.client.post("/v1/contributions", json={**body, "month": bad}), 422, "month")
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2026-01",
                                                                   "declared_base": 6000.5}), 422, "declared_base")
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2026-01",
                                                                   "declared_base": "6000.001"}), 422, "declared_base")
    assert_problem(await si.client.post("/v1/contributions", json={**body, "month": "2026-01",
                                                                   "declared_base": "-1"}), 422, "declared_base")


async def test_a_bulk_month_reports_each_row_and_posts_the_good_ones(si: InProcessService,
                                                                     move_today: MoveToday) -> None:
    move_today(date(2025, 7, 10))
    employer = factories.credit_code()
    a = await enrol(si, "employee_pension", credit_code=employer, start_date="2025-06-01")
    b = await enrol(si, "unemployment", credit_code=employer, start_date="2025-06-01")
    stranger = factories.id_number()
    before = await count_events(si)
    r = await si.client.post("/v1/contributions/bulk", json={"credit_code": employer, "month": "2025-06", "rows": [
        {"id_number": a["id_number"], "insurance_type": "employee_pension", "declared_base": "4000.00"},
        {"id_number": b["id_number"], "insurance_type": "unemployment", "declared_base": "6000.00"},
        {"id_number": stranger, "insurance_type": "unemployment", "declared_base": "6000.00"},
        {"id_number": "330802199001011230", "insurance_type": "unemployment", "declared_base": "6000.00"},
        {"id_number": b["id_number"], "insurance_type": "unemployment", "declared_base": "6000.00"},
        {"id_number": a["id_number"], "insurance_type": "employee_pension", "declared_base": 6000.5},
    ]})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["accepted"], report["rejected"]) == (2, 4)
    rows = report["rows"]
    assert [x["status"] for x in rows] == ["accepted", "accepted", "rejected", "rejected", "rejected", "rejected"]
    assert [x["row"] for x in rows] == [1, 2, 3, 4, 5, 6]
    assert [[e["field"] for e in x["errors"]] for x in rows] == [[], [], ["month"], ["id_number"], ["month"],
                                                                 ["declared_base"]]
    assert rows[2]["id_number"] == stranger
    events = await events_since(si, before)
    assert types_of(events) == ["contribution.posted", "contribution.posted"]
    listed = (await si.client.get("/v1/contributions", params={"credit_code": employer})).json()
    bases = {c["id"]: c["base"] for c in listed["data"]}
    assert bases == {rows[0]["contribution_id"]: "4812.00", rows[1]["contribution_id"]: "6000.00"}


async def test_bulk_input_that_is_not_rows_is_refused(si: InProcessService) -> None:
    employer = factories.credit_code()
    assert_problem(await si.client.post("/v1/contributions/bulk", json={"credit_code": employer, "month": "2025-06",
                                                                        "rows": []}), 422, "rows")
    assert_problem(await si.client.post("/v1/contributions/bulk", json={"credit_code": "bad", "month": "2025-06",
                                                                        "rows": [{}]}), 422, "credit_code")
    r = await si.client.post("/v1/contributions/bulk", json={"credit_code": employer, "month": "2025-06",
                                                             "rows": [{"id_number": 5}]})
    assert r.status_code == 200 and r.json()["rows"][0]["status"] == "rejected"


async def test_contribution_lists_filter_by_month_range_and_type(si: InProcessService) -> None:
    e = await enrol(si, "unemployment")
    for month in ("2025-01", "2025-02", "2025-03"):
        await pay(si, e, month)
    r = await si.client.get("/v1/contributions", params={"id_number": e["id_number"], "month_from": "2025-02",
                                                         "sort": "month"})
    assert [c["month"] for c in r.json()["data"]] == ["2025-02", "2025-03"]
    r = await si.client.get("/v1/contributions", params={"id_number": e["id_number"], "month_to": "2025-01"})
    assert [c["month"] for c in r.json()["data"]] == ["2025-01"]
    r = await si.client.get("/v1/contributions", params={"id_number": e["id_number"], "insurance_type": "work_injury"})
    assert r.json()["count"] == 0
    assert_problem(await si.client.get("/v1/contributions", params={"month_from": "2025-03", "month_to": "2025-02"}),
                   422, "month_to")
    assert_problem(await si.client.get("/v1/contributions", params={"month_from": "2025-3"}), 422, "month_from")


async def test_the_person_view_shows_paid_months_and_gaps_to_last_month(si: InProcessService) -> None:
    e = await enrol(si, "unemployment", start_date="2025-10-15")
    for month in ("2025-10", "2025-12", "2026-02", "2026-03"):
        await pay(si, e, month)
    r = await si.client.get(f"/v1/persons/{e['id_number']}/insurance")
    assert r.status_code == 200, r.text
    view = r.json()
    assert [x["id"] for x in view["enrolments"]] == [e["id"]]
    [summary] = view["types"]
    assert (summary["insurance_type"], summary["months_paid"], summary["paid_months"], summary["gaps"]) == (
        "unemployment", 4, ["2025-10", "2025-12", "2026-02", "2026-03"], ["2025-11", "2026-01"])
    same = await si.client.post("/v1/persons/insurance/lookup", json={"id_number": e["id_number"]})
    assert same.json() == view
    assert_problem(await si.client.get("/v1/persons/330802199001011230/insurance"), 422, "id_number")
