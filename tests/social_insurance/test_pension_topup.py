"""提档补缴: a quote checked by hand (years, cost, the personal account with subsidies and credited interest, the
monthly pension by ÷139, before and after), the age and grade rules, and applying it as contributions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from hrss_shared.validators import make_id_number
from social_insurance.pension.service import POLICY, account_balance, monthly_pension
from tests.conftest import MoveToday
from tests.social_insurance.helpers import TYPE, assert_problem, count_events, enrol, events_since, pay, types_of
from tests.support import InProcessService

PERSON = make_id_number("330802", date(1966, 8, 20), 11)  # 59 on 2025-08-20, 60 on 2026-08-20


@pytest.fixture(autouse=True)
def _today(move_today: MoveToday) -> None:
    move_today(date(2026, 3, 10))


def test_the_account_earns_each_later_years_rate_rounded_each_year() -> None:
    rates = {2022: Decimal("0.0612"), 2023: Decimal("0.0397"), 2024: Decimal("0.0262"), 2025: Decimal("0.0262")}
    credits = {2022: Decimal("360"), 2023: Decimal("580"), 2024: Decimal("1120"), 2025: Decimal("360")}
    # 2022: 360.00; 2023: 360 × 1.0397 = 374.29 + 580 = 954.29; 2024: 954.29 × 1.0262 = 979.29 + 1120 = 2099.29;
    # 2025: 2099.29 × 1.0262 = 2154.29 + 360 = 2514.29 (on a day of 2026, before 2026's rate is earned).
    assert account_balance(credits, rates, 2026) == Decimal("2514.29")
    assert account_balance(credits, rates, 2025) == Decimal("2459.29")  # 2025's credits without interest
    assert account_balance({}, rates, 2026) == Decimal("0.00")
    assert monthly_pension(Decimal("280.00"), Decimal("2514.29"), 139) == Decimal("298.09")  # 280 + 18.0884


async def seed(si: InProcessService) -> dict[str, Any]:
    e = await enrol(si, "resident_pension", id_number=PERSON, start_date="2022-01-01")
    for month, amount in (("2022-05", "300.00"), ("2023-05", "500.00"), ("2024-05", "1000.00"),
                          ("2025-05", "300.00")):
        await pay(si, e, month, personal_amount=amount)
    return e


async def test_a_quote_checked_by_hand(si: InProcessService) -> None:
    await seed(si)
    r = await si.client.post("/v1/pension-topups/quote", json={"id_number": PERSON, "target_grade": "1000.00"})
    assert r.status_code == 200, r.text
    q = r.json()
    assert [(y["year"], y["paid"], y["cost"], y["subsidy"], y["credited"]) for y in q["years"]] == [
        (2022, "300.00", "700.00", "0.00", "700.00"), (2023, "500.00", "500.00", "0.00", "500.00"),
        (2025, "300.00", "700.00", "0.00", "700.00")]  # 2024 already paid 1000
    # Credits with the subsidy of the grade paid: 2022 300+60, 2023 500+80, 2024 1000+120, 2025 300+60 → 2514.29
    # (see the test above); the top-up is credited today, without subsidy or back interest: + 1900.
    assert (q["total_cost"], q["account_before"], q["account_after"]) == ("1900.00", "2514.29", "4414.29")
    # 280 + 2514.29 / 139 = 298.088… → 298.09;  280 + 4414.29 / 139 = 311.757… → 311.76
    assert (q["basic_pension"], q["divisor"], q["monthly_before"], q["monthly_after"]) == (
        "280.00", 139, "298.09", "311.76")
    assert (q["age"], q["reaches_pension_age_on"], q["illustrative"]) == (59, "2026-08-20", True)
    assert "国发〔2014〕8号" in q["policy_source"]
    r = await si.client.post("/v1/pension-topups/quote", json={"id_number": PERSON, "target_grade": "1000.00",
                                                               "years": [2025]})
    assert [y["year"] for y in r.json()["years"]] == [2025] and r.json()["account_after"] == "3214.29"


async def test_the_rules_of_who_and_what(si: InProcessService, move_today: MoveToday) -> None:
    await seed(si)
    url = "/v1/pension-topups/quote"
    assert_problem(await si.client.post(url, json={"id_number": PERSON, "target_grade": "900.00"}), 422,
                   "target_grade")
    assert_problem(await si.client.post(url, json={"id_number": PERSON, "target_grade": "1000.00",
                                                   "years": [2024]}), 422, "years")
    assert_problem(await si.client.post(url, json={"id_number": PERSON, "target_grade": "1000.00",
                                                   "years": [2026]}), 422, "years")
    assert_problem(await si.client.post(url, json={"id_number": PERSON, "target_grade": "300.00"}), 409,
                   "target_grade")
    assert_problem(await si.client.post(url, json={"id_number": PERSON, "target_grade": 1000.5}), 422,
                   "target_grade")
    move_today(date(2025, 8, 19))  # the day before 59
    body = assert_problem(await si.client.post(url, json={"id_number": PERSON, "target_grade": "1000.00"}), 409,
                          "id_number")
    assert body["eligible_from"] == "2025-08-20"
    move_today(date(2025, 8, 20))
    assert (await si.client.post(url, json={"id_number": PERSON, "target_grade": "1000.00"})).status_code == 200
    stranger = make_id_number("330802", date(1960, 1, 1), 13)
    assert_problem(await si.client.post(url, json={"id_number": stranger, "target_grade": "1000.00"}), 409,
                   "id_number")


async def test_applying_records_the_years_as_contributions(si: InProcessService) -> None:
    await seed(si)
    before = await count_events(si)
    r = await si.client.post("/v1/pension-topups", json={"id_number": PERSON, "target_grade": "1000.00"})
    assert r.status_code == 201, r.text
    applied = r.json()
    assert (applied["total_cost"], applied["account_after"], len(applied["contribution_ids"])) == (
        "1900.00", "4414.29", 3)
    rows = await events_since(si, before)
    assert types_of(rows) == ["contribution.posted"] * 3 + ["pension_topup.applied"]
    assert {(x["event"]["data"]["month"], x["event"]["data"]["personal_amount"], x["event"]["data"]["kind"])
            for x in rows[:3]} == {("2022-05", "700.00", "topup"), ("2023-05", "500.00", "topup"),
                                   ("2025-05", "700.00", "topup")}
    assert rows[3]["event_type"] == TYPE("pension_topup.applied")
    listed = (await si.client.get("/v1/pension-topups", params={"id_number": PERSON})).json()["data"]
    assert [x["id"] for x in listed] == [applied["id"]]
    assert (await si.client.get(f"/v1/pension-topups/{applied['id']}")).json()["monthly_after"] == "311.76"
    # Topped up: nothing more to 1000; a quote to 2000 starts from the grades paid now (1000 each year).
    assert_problem(await si.client.post("/v1/pension-topups/quote", json={"id_number": PERSON,
                                                                          "target_grade": "1000.00"}),
                   409, "target_grade")
    q = (await si.client.post("/v1/pension-topups/quote", json={"id_number": PERSON, "target_grade": "2000.00"})).json()
    assert [(y["year"], y["paid"], y["cost"]) for y in q["years"]] == [
        (y, "1000.00", "1000.00") for y in (2022, 2023, 2024, 2025)]
    assert q["account_before"] == "4414.29"  # 2514.29 + 1900: the top-up earns no back interest
    view = (await si.client.get(f"/v1/persons/{PERSON}/insurance")).json()
    assert view["types"][0]["months_paid"] == 4


def test_the_policy_has_the_rates_and_the_divisor() -> None:
    rules = POLICY.at(date(2026, 1, 1))
    assert rules.divisor == 139 and rules.rates[2023] == Decimal("0.0397") and rules.illustrative
