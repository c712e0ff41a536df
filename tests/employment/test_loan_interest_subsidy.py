"""创业担保贷款贴息 (issue 11): the subsidy computed per quarter from the LPR on the disbursement date and the policy —
the subsidised rate (LPR−150BP borne by the borrower, the rate counted at most LPR+50BP; 2020: 50 % of the LPR), the
capped principal, repayments day by day, the last subsidised day (term end, early repayment, default), and the
projection after today."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from employment.startup.loans import subsidy
from employment.startup.loans.service import POLICY
from hrss_shared import clock
from tests.employment.helpers import assert_problem
from tests.employment.test_startup_loans import act, apply, done
from tests.support import InProcessService

# 2022-04-20: one-year LPR 3.70 %; the 2021 version: borrower bears LPR − 1.50 = 2.20 %, rate counted ≤ LPR + 2.00.


@pytest.fixture(autouse=True)
def _late_today() -> Any:
    with clock.freeze(date(2026, 1, 1)):
        yield


async def disbursed_loan(svc: InProcessService, amount: str, rate: str | None = "4.2", **over: Any) -> dict[str, Any]:
    loan = await apply(svc, amount=amount, **over)
    await done(svc, loan["id"], "approve", approved_amount=amount, approved_date="2022-04-15")
    body: dict[str, Any] = {"disbursed_date": "2022-04-20"}
    if rate is not None:
        body["interest_rate"] = rate
    return await done(svc, loan["id"], "disburse", **body)


async def subsidy_of(svc: InProcessService, loan_id: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/startup-loans/{loan_id}/interest-subsidy")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def amounts(answer: dict[str, Any]) -> dict[str, str]:
    return {p["period"]: p["amount"] for p in answer["periods"]}


@pytest.mark.parametrize(("day", "label", "first", "last"), [
    (date(2022, 3, 31), "2022Q1", date(2022, 1, 1), date(2022, 3, 31)),
    (date(2022, 4, 1), "2022Q2", date(2022, 4, 1), date(2022, 6, 30)),
    (date(2022, 12, 31), "2022Q4", date(2022, 10, 1), date(2022, 12, 31)),
])
def test_quarters_at_their_edges(day: date, label: str, first: date, last: date) -> None:
    assert subsidy.period_of(day, "quarter") == (label, first, last)
    assert subsidy.period_of(day, "year") == (str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))


@pytest.mark.parametrize(("rate", "subsidised", "borrower"), [
    ("4.2", "2", "2.2"),  # all above LPR − 150BP is subsidised
    ("5.7", "3.5", "2.2"),  # exactly LPR + 200BP, the highest rate counted before the 2025 rules
    ("6.0", "3.5", "2.5"),  # above it: the excess is the borrower's
    ("3.0", "0.8", "2.2"),
    ("2.2", "0", "2.2"),  # at LPR − 150BP: nothing to subsidise
    ("2.0", "0", "2"),  # below it: never negative
])
def test_the_subsidised_rate_of_the_2021_rule(rate: str, subsidised: str, borrower: str) -> None:
    rules = POLICY.at(date(2022, 4, 15))
    assert subsidy.subsidised_rate(rules, Decimal(rate), Decimal("3.70")) == (Decimal(subsidised), Decimal(borrower))


@pytest.mark.parametrize(("rate", "subsidised", "borrower"), [("3.5", "2", "1.5"), ("3.6", "2", "1.6")])
def test_from_the_quzhou_2025_rules_the_rate_is_counted_at_most_lpr_plus_50bp(
    rate: str, subsidised: str, borrower: str
) -> None:
    rules = POLICY.at(date(2025, 8, 6))  # LPR 3.00: the borrower bears 1.50, the rate counts up to 3.50
    assert subsidy.subsidised_rate(rules, Decimal(rate), Decimal("3.00")) == (Decimal(subsidised), Decimal(borrower))


def test_the_2020_rule_is_half_the_lpr_at_most_the_rate() -> None:
    rules = POLICY.at(date(2020, 6, 1))
    assert subsidy.subsidised_rate(rules, Decimal("4.35"), Decimal("3.85")) == (Decimal("1.925"), Decimal("2.425"))
    assert subsidy.subsidised_rate(rules, Decimal("1.5"), Decimal("3.85")) == (Decimal("1.5"), Decimal("0"))


def test_every_lpr_and_subsidy_value_names_its_source_or_is_illustrative() -> None:
    for version in subsidy.LPR.versions:
        assert "LPR" in version.source and version.illustrative
    assert subsidy.LPR.at(date(2022, 4, 20)).one_year == Decimal("3.70")
    assert subsidy.LPR.at(date(2022, 8, 22)).one_year == Decimal("3.65")
    for version in POLICY.versions:
        assert version.subsidy_method is not None and version.subsidy_source and version.subsidy_illustrative


async def test_a_loan_over_the_cap_is_subsidised_on_the_capped_principal_to_the_last_day_of_its_term(
    employment: InProcessService,
) -> None:
    loan = await disbursed_loan(employment, "300000")
    s = await subsidy_of(employment, loan["id"])
    assert (s["computed"], s["lpr"], s["subsidised_rate"], s["borrower_rate"], s["subsidised_principal_cap"]) == (
        True, "3.7", "2", "2.2", "200000.00")
    assert (s["first_date"], s["last_date"], s["period_kind"], s["day_count_basis"], s["illustrative"]) == (
        "2022-04-20", "2025-04-19", "quarter", 360, True)  # 36 months from 2022-04-20: the last day 2025-04-19
    got = amounts(s)
    assert got["2022Q2"] == "800.00"  # 200000 × 2 % × 72 days ÷ 360 (not 300000)
    assert got["2022Q3"] == "1022.22"  # 92 days
    assert got["2025Q2"] == "211.11"  # 2025-04-01 … 04-19: 19 days
    assert "2025Q3" not in got
    assert s["periods"][0]["segments"][0]["outstanding_principal"] == "300000.00"
    assert s["periods"][0]["segments"][0]["subsidised_principal"] == "200000.00"
    assert sum(Decimal(v) for v in got.values()) == Decimal(s["total"]) == Decimal(s["total_to_date"])
    loan = (await employment.client.get(f"/v1/startup-loans/{loan['id']}")).json()
    assert (loan["interest_rate"], loan["interest_subsidy_total"], loan["interest_subsidy_last_date"]) == (
        "4.2000", s["total"], "2025-04-19")


async def test_repayments_lower_the_principal_from_their_day_and_full_repayment_ends_the_subsidy_the_day_before(
    employment: InProcessService,
) -> None:
    loan = await disbursed_loan(employment, "200000")
    assert (await act(employment, loan["id"], "repay", amount="150000", repaid_date="2022-05-20")).status_code == 200
    assert (await act(employment, loan["id"], "repay", amount="50000", repaid_date="2022-08-10")).status_code == 200
    s = await subsidy_of(employment, loan["id"])
    assert s["last_date"] == "2022-08-09"
    [q2, q3] = s["periods"]
    assert [(g["start_date"], g["end_date"], g["days"], g["subsidised_principal"], g["amount"])
            for g in q2["segments"]] == [
        ("2022-04-20", "2022-05-19", 30, "200000.00", "333.33"),
        ("2022-05-20", "2022-06-30", 42, "50000.00", "116.67")]
    assert (q2["amount"], q3["amount"], q3["end_date"], q3["days"]) == ("450.00", "111.11", "2022-08-09", 40)
    assert s["total"] == "561.11"


async def test_over_the_cap_until_a_repayment_brings_it_below(employment: InProcessService) -> None:
    loan = await disbursed_loan(employment, "300000")
    assert (await act(employment, loan["id"], "repay", amount="100000", repaid_date="2022-05-20")).status_code == 200
    s = await subsidy_of(employment, loan["id"])
    segments = s["periods"][0]["segments"]
    assert [(g["outstanding_principal"], g["subsidised_principal"]) for g in segments] == [
        ("300000.00", "200000.00"), ("200000.00", "200000.00")]  # exactly at the cap: still the cap
    assert (await act(employment, loan["id"], "repay", amount="0.01", repaid_date="2022-06-01")).status_code == 200
    s = await subsidy_of(employment, loan["id"])
    assert s["periods"][0]["segments"][2]["subsidised_principal"] == "199999.99"


async def test_a_repayment_before_the_previous_one_is_refused(employment: InProcessService) -> None:
    loan = await disbursed_loan(employment, "200000")
    assert (await act(employment, loan["id"], "repay", amount="1000", repaid_date="2022-06-01")).status_code == 200
    assert_problem(await act(employment, loan["id"], "repay", amount="1000", repaid_date="2022-05-31"), 422,
                   "repaid_date")
    assert (await act(employment, loan["id"], "repay", amount="1000", repaid_date="2022-06-01")).status_code == 200


async def test_a_default_ends_the_subsidy_the_day_before(employment: InProcessService) -> None:
    loan = await disbursed_loan(employment, "200000")
    assert (await act(employment, loan["id"], "default", defaulted_date="2022-06-01",
                      reason="逾期代偿")).status_code == 200
    s = await subsidy_of(employment, loan["id"])
    assert s["last_date"] == "2022-05-31"
    assert amounts(s) == {"2022Q2": "466.67"}  # 42 days × 200000 × 2 % ÷ 360


async def test_after_today_the_schedule_is_projected(employment: InProcessService) -> None:
    loan = await disbursed_loan(employment, "200000")
    with clock.freeze(date(2022, 5, 10)):
        s = await subsidy_of(employment, loan["id"])
    segments = s["periods"][0]["segments"]
    assert [(g["start_date"], g["end_date"], g["projected"]) for g in segments] == [
        ("2022-04-20", "2022-05-10", False), ("2022-05-11", "2022-06-30", True)]
    assert s["periods"][0]["projected"] is True
    assert s["total_to_date"] == "233.33"  # 21 days
    assert Decimal(s["total"]) > Decimal(s["total_to_date"])


async def test_not_computed_without_disbursement_or_rate(employment: InProcessService) -> None:
    loan = await apply(employment, amount="100000")
    s = await subsidy_of(employment, loan["id"])
    assert (s["computed"], s["total"], s["periods"]) == (False, "0.00", [])
    assert "未放款" in s["reason"]
    no_rate = await disbursed_loan(employment, "100000", rate=None)
    s = await subsidy_of(employment, no_rate["id"])
    assert (s["computed"], no_rate["interest_subsidy_total"]) == (False, None)
    assert "利率" in s["reason"]


async def test_a_2020_loan_is_subsidised_at_half_the_lpr(employment: InProcessService) -> None:
    loan = await apply(employment, amount="100000", applied_date="2020-06-01")
    await done(employment, loan["id"], "approve", approved_amount="100000", approved_date="2020-06-10")
    await done(employment, loan["id"], "disburse", disbursed_date="2020-06-15", interest_rate="4.35")
    s = await subsidy_of(employment, loan["id"])
    assert (s["method"], s["lpr"], s["subsidised_rate"]) == ("share_of_lpr", "3.85", "1.925")
    assert amounts(s)["2020Q2"] == "85.56"  # 100000 × 1.925 % × 16 days ÷ 360


async def test_bad_rate_is_422(employment: InProcessService) -> None:
    loan = await apply(employment, amount="100000")
    await done(employment, loan["id"], "approve", approved_amount="100000", approved_date="2022-04-15")
    for rate in ("0", "-1", "25", "4.123456"):
        assert_problem(await act(employment, loan["id"], "disburse", disbursed_date="2022-04-20",
                                 interest_rate=rate), 422, "interest_rate")


async def test_unknown_loan_is_404(employment: InProcessService) -> None:
    assert_problem(await employment.client.get("/v1/startup-loans/nope/interest-subsidy"), 404)
