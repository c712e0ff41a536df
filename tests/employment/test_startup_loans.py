"""创业担保贷款: caps from the policy table, the state machine, one active loan per person, and outbox rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from employment.key_groups.models import KeyGroupMembership
from employment.registrations.models import EmploymentRegistration
from employment.startup.loans import service as loan_service
from employment.startup.loans.models import ApplicantKind, LoanApply
from hrss_shared.problems import InvalidField
from hrss_shared.validators import make_id_number
from tests import factories
from tests.employment.helpers import (
    assert_problem,
    count,
    key_of,
    new_employer,
    outbox,
    outbox_types,
    reason,
    unemploy,
)
from tests.support import InProcessService, bearer, token

T = "hrss.employment.startup_loan."
APPLIED, APPROVED, REJECTED = T + "applied.v1", T + "approved.v1", T + "rejected.v1"
DISBURSED, REPAYMENT, REPAID, DEFAULTED = T + "disbursed.v1", T + "repayment_recorded.v1", T + "repaid.v1", \
    T + "defaulted.v1"


RULES = """eligible_groups = ["veteran", "hard_to_employ"]
registered_unemployed_eligible = true
max_loans_per_person = 3
small_business_sizes = ["micro", "small"]
hiring_window_months = 24
hiring_share = 0.15
hiring_share_large = 0.08
large_staff = 100
interest_subsidy = "测试贴息"
"""


def application(**over: Any) -> dict[str, Any]:
    return {"id_number": factories.id_number(), "applicant_kind": "individual", "county_code": "330822",
            "amount": "300000", "term_months": 36, "bank": "衢州农商银行", "purpose": "开办农家乐",
            "applied_date": "2022-04-01", **over}


async def eligible(svc: InProcessService, id_number: str, group: str = "veteran", start: str = "2015-01-01") -> None:
    """Make the borrower a key-group member (a row of its own, so the outbox holds only the loan's events)."""
    async with svc.runtime.maker() as session, session.begin():
        found = (await session.exec(select(KeyGroupMembership).where(
            KeyGroupMembership.id_number == id_number, KeyGroupMembership.group == group))).first()
        if found is None:
            session.add(KeyGroupMembership(id_number=id_number, group=group, source="退役军人事务局",
                                           start_date=date.fromisoformat(start), county_code="330802"))


async def apply(svc: InProcessService, **over: Any) -> dict[str, Any]:
    body = application(**over)
    if body["applicant_kind"] == "individual":
        await eligible(svc, body["id_number"])
    r = await svc.client.post("/v1/startup-loans", json=body)
    assert r.status_code == 201, r.text
    loan: dict[str, Any] = r.json()
    return loan


async def act(svc: InProcessService, loan_id: str, action: str, **body: Any) -> Any:
    return await svc.client.post(f"/v1/startup-loans/{loan_id}/{action}", json=body)


async def done(svc: InProcessService, loan_id: str, action: str, **body: Any) -> dict[str, Any]:
    r = await act(svc, loan_id, action, **body)
    assert r.status_code == 200, r.text
    loan: dict[str, Any] = r.json()
    return loan


async def disbursed(svc: InProcessService, amount: str = "300000", **over: Any) -> dict[str, Any]:
    loan = await apply(svc, amount=amount, **over)
    await done(svc, loan["id"], "approve", approved_amount=amount, approved_date="2022-04-15")
    return await done(svc, loan["id"], "disburse", disbursed_date="2022-04-20")


async def new_rows(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    return (await outbox(svc))[before:]


# ---- application ----------------------------------------------------------------------------


async def test_application_writes_one_applied_event(employment: InProcessService) -> None:
    body = application(amount="300000.5", credit_code=factories.credit_code("330822"))
    await eligible(employment, body["id_number"])
    r = await employment.client.post("/v1/startup-loans", json=body)
    assert r.status_code == 201, r.text
    loan = r.json()
    assert loan["status"] == "applied" and loan["amount"] == "300000.50"
    assert loan["allowed_actions"] == ["approve", "reject"]
    assert loan["repaid_amount"] == "0.00" and loan["outstanding_amount"] is None
    assert "浙江" in loan["policy_source"]
    [row] = await outbox(employment)
    assert row["event_type"] == APPLIED and row["key"] == key_of(employment, body["id_number"])
    assert row["event"]["data"] == {
        "id": loan["id"], "id_number": body["id_number"], "applicant_kind": "individual",
        "credit_code": body["credit_code"], "county_code": "330822", "amount": "300000.50", "term_months": 36,
        "bank": "衢州农商银行", "purpose": "开办农家乐", "applied_date": "2022-04-01"}
    got = await employment.client.get(f"/v1/startup-loans/{loan['id']}")
    assert got.status_code == 200 and got.json() == loan


async def test_amount_above_the_cap_is_422_naming_amount_and_the_cap(employment: InProcessService) -> None:
    r = await employment.client.post("/v1/startup-loans", json=application(amount="500000.01"))
    assert "500000.00" in reason(assert_problem(r, 422, "amount"), "amount")
    r = await employment.client.post("/v1/startup-loans", json=application(
        applicant_kind="small_business", credit_code=(await new_employer(employment, "330822"))["credit_code"],
        amount="3000000.01", term_months=24))
    assert "3000000.00" in reason(assert_problem(r, 422, "amount"), "amount")
    assert await count(employment, "startup_loans") == 0
    assert await outbox_types(employment) == ["hrss.employment.employer.registered.v1"]
    await apply(employment, amount="500000")


async def test_cap_follows_the_application_date_across_the_policy_change(employment: InProcessService) -> None:
    r = await employment.client.post("/v1/startup-loans", json=application(amount="300000", applied_date="2020-12-31"))
    body = assert_problem(r, 422, "amount")
    assert "200000.00" in reason(body, "amount") and "财金〔2020〕21号" in reason(body, "amount")
    await apply(employment, amount="300000", applied_date="2021-01-01")
    r = await employment.client.post("/v1/startup-loans", json=application(applied_date="2019-12-31"))
    assert_problem(r, 422, "applied_date")


@pytest.mark.parametrize(("over", "field"), [
    ({"term_months": 37}, "term_months"),
    ({"applicant_kind": "small_business"}, "credit_code"),  # no credit code
    ({"applicant_kind": "small_business", "credit_code": factories.credit_code(), "term_months": 12}, "credit_code"),
    ({"county_code": None}, "county_code"),
    ({"amount": "-1"}, "amount"),
    ({"amount": "1.001"}, "amount"),
    ({"id_number": "330802199001011234"}, "id_number"),
    ({"applicant_kind": "partnership"}, "applicant_kind"),
    ({"bank": ""}, "bank"),
])
async def test_bad_application_is_422_naming_the_field_and_writes_nothing(
    employment: InProcessService, over: dict[str, Any], field: str
) -> None:
    r = await employment.client.post("/v1/startup-loans", json=application(**over))
    assert_problem(r, 422, field)
    assert await count(employment, "startup_loans") == 0
    assert await outbox(employment) == []


async def staff(svc: InProcessService, credit_code: str, county: str, *, plain: int, eligible: list[str],
                started: str = "2020-01-01") -> None:
    """Employment registrations with the business: ``plain`` staff from ``started`` and key-group hires on the
    given dates (rows of their own: the outbox holds only the loans' events)."""
    people = [(factories.id_number(county), date.fromisoformat(started), False) for _ in range(plain)]
    people += [(factories.id_number(county), date.fromisoformat(day), True) for day in eligible]
    async with svc.runtime.maker() as session, session.begin():
        for id_number, start, key_group in people:
            session.add(EmploymentRegistration(id_number=id_number, name="王小明", credit_code=credit_code,
                                               employer_name="测试企业", county_code=county, start_date=start))
            if key_group:
                session.add(KeyGroupMembership(id_number=id_number, group="veteran", source="退役军人事务局",
                                               start_date=date(2015, 1, 1), county_code=county))


async def test_small_business_loan_takes_the_business_county_and_a_shorter_term(employment: InProcessService) -> None:
    business = await new_employer(employment, "330881")
    await staff(employment, business["credit_code"], "330881", plain=17, eligible=["2021-06-01"] * 3)
    base = {"applicant_kind": "small_business", "credit_code": business["credit_code"], "amount": "1000000"}
    r = await employment.client.post("/v1/startup-loans", json=application(**base, county_code=None, term_months=25))
    assert "24" in reason(assert_problem(r, 422, "term_months"), "term_months")
    r = await employment.client.post("/v1/startup-loans", json=application(**base, county_code="330802",
                                                                            term_months=24))
    assert_problem(r, 422, "county_code")
    loan = await apply(employment, **base, county_code=None, term_months=24)
    assert loan["county_code"] == "330881"
    # One active loan per business, whoever applies for it.
    r = await employment.client.post("/v1/startup-loans", json=application(**base, county_code=None, term_months=12))
    body = assert_problem(r, 409, "credit_code")
    assert body["existing_id"] == loan["id"]


async def test_one_active_loan_per_person_is_409_naming_the_existing_loan(employment: InProcessService) -> None:
    first = await apply(employment)
    person = first["id_number"]
    for _ in ("applied", "approved", "disbursed"):
        r = await employment.client.post("/v1/startup-loans", json=application(id_number=person))
        body = assert_problem(r, 409, "id_number")
        assert body["existing_id"] == first["id"] and first["id"] in body["detail"]
        if first["status"] == "applied":
            first = await done(employment, first["id"], "approve", approved_amount="300000",
                               approved_date="2022-04-15")
        elif first["status"] == "approved":
            first = await done(employment, first["id"], "disburse", disbursed_date="2022-04-20")
    assert await count(employment, "startup_loans") == 1
    assert await outbox_types(employment) == [APPLIED, APPROVED, DISBURSED]
    await done(employment, first["id"], "repay", amount="300000", repaid_date="2023-04-01")
    # Settled: the person may borrow again.
    await apply(employment, id_number=person, applied_date="2023-05-01")


async def test_rejected_loan_frees_the_person_and_needs_a_reason(employment: InProcessService) -> None:
    loan = await apply(employment)
    assert_problem(await act(employment, loan["id"], "reject", rejected_date="2022-04-10"), 422, "reason")
    assert_problem(await act(employment, loan["id"], "reject", rejected_date="2022-04-10", reason=""), 422, "reason")
    assert_problem(await act(employment, loan["id"], "reject", rejected_date="2022-03-31", reason="材料不全"),
                   422, "rejected_date")
    before = len(await outbox(employment))
    rejected = await done(employment, loan["id"], "reject", rejected_date="2022-04-10", reason="经营项目不符合条件")
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "经营项目不符合条件"
    assert rejected["allowed_actions"] == []
    [row] = await new_rows(employment, before)
    assert row["event_type"] == REJECTED and row["event"]["data"] == {
        "id": loan["id"], "id_number": loan["id_number"], "county_code": "330822", "rejected_date": "2022-04-10",
        "reason": "经营项目不符合条件"}
    await apply(employment, id_number=loan["id_number"], applied_date="2022-05-01")


# ---- approval, disbursement, repayment, default ---------------------------------------------


async def test_full_lifecycle_writes_one_event_per_transition(employment: InProcessService) -> None:
    loan = await apply(employment, amount="200000")
    person = loan["id_number"]
    approved = await done(employment, loan["id"], "approve", approved_amount="150000", approved_date="2022-04-15")
    assert approved["status"] == "approved" and approved["approved_amount"] == "150000.00"
    assert approved["allowed_actions"] == ["disburse"]
    paid_out = await done(employment, loan["id"], "disburse", disbursed_date="2022-04-20")
    assert paid_out["outstanding_amount"] == "150000.00" and paid_out["allowed_actions"] == ["repay", "default"]
    part = await done(employment, loan["id"], "repay", amount="50000.25", repaid_date="2023-04-20")
    assert part["status"] == "disbursed"
    assert part["repaid_amount"] == "50000.25" and part["outstanding_amount"] == "99999.75"
    settled = await done(employment, loan["id"], "repay", amount="99999.75", repaid_date="2024-04-20")
    assert settled["status"] == "repaid" and settled["outstanding_amount"] == "0.00"
    rows = await outbox(employment)
    assert [r["event_type"] for r in rows] == [APPLIED, APPROVED, DISBURSED, REPAYMENT, REPAID]
    assert {r["key"] for r in rows} == {key_of(employment, person)}
    assert rows[1]["event"]["data"] == {
        "id": loan["id"], "id_number": person, "credit_code": None, "county_code": "330822",
        "approved_amount": "150000.00", "approved_date": "2022-04-15", "cap": "500000.00",
        "policy_source": loan_service.POLICY.at(date(2022, 4, 15)).source}
    assert rows[2]["event"]["data"] == {
        "id": loan["id"], "id_number": person, "credit_code": None, "county_code": "330822", "amount": "150000.00",
        "disbursed_date": "2022-04-20", "bank": "衢州农商银行", "term_months": 36}
    assert rows[3]["event"]["data"] == {
        "id": loan["id"], "id_number": person, "county_code": "330822", "amount": "50000.25",
        "repaid_date": "2023-04-20", "repaid_amount": "50000.25", "outstanding_amount": "99999.75"}
    assert rows[4]["event"]["data"]["outstanding_amount"] == "0.00"


async def test_approval_is_bounded_by_the_amount_applied_for_and_the_date(employment: InProcessService) -> None:
    loan = await apply(employment, amount="200000")
    r = await act(employment, loan["id"], "approve", approved_amount="200000.01", approved_date="2022-04-15")
    assert "200000.00" in reason(assert_problem(r, 422, "approved_amount"), "approved_amount")
    r = await act(employment, loan["id"], "approve", approved_amount="100000", approved_date="2022-03-31")
    assert_problem(r, 422, "approved_date")
    assert await outbox_types(employment) == [APPLIED]


async def test_approval_cap_is_the_one_in_force_on_the_approval_date(
    employment: InProcessService, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    path = tmp_path / "loans.toml"
    path.write_text("".join(
        f'[[version]]\neffective_from = {day}\nsource = "测试 {day}"\nindividual_cap = {cap}\n'
        'small_business_cap = 3000000\nindividual_max_term_months = 36\nsmall_business_max_term_months = 24\n'
        + RULES + "\n" for day, cap in (("2021-01-01", 500000), ("2023-01-01", 300000))), encoding="utf-8")
    monkeypatch.setattr(loan_service, "POLICY", loan_service.PolicyTable.load(path, loan_service.LoanPolicy))
    early = await apply(employment, amount="400000", applied_date="2022-12-01")
    late = await apply(employment, amount="400000", applied_date="2022-12-01")
    await done(employment, early["id"], "approve", approved_amount="400000", approved_date="2022-12-31")
    r = await act(employment, late["id"], "approve", approved_amount="400000", approved_date="2023-01-01")
    assert "300000.00" in reason(assert_problem(r, 422, "approved_amount"), "approved_amount")
    await done(employment, late["id"], "approve", approved_amount="300000", approved_date="2023-01-01")


@pytest.mark.parametrize(("status_path", "action", "body"), [
    ([], "disburse", {"disbursed_date": "2022-05-01"}),
    ([], "repay", {"amount": "1", "repaid_date": "2022-05-01"}),
    ([], "default", {"defaulted_date": "2022-05-01", "reason": "x"}),
    (["approve"], "approve", {"approved_amount": "1", "approved_date": "2022-05-01"}),
    (["approve"], "reject", {"rejected_date": "2022-05-01", "reason": "x"}),
    (["approve"], "repay", {"amount": "1", "repaid_date": "2022-05-01"}),
    (["approve", "disburse"], "approve", {"approved_amount": "1", "approved_date": "2022-05-01"}),
    (["approve", "disburse"], "disburse", {"disbursed_date": "2022-05-01"}),
    (["reject"], "approve", {"approved_amount": "1", "approved_date": "2022-05-01"}),
    (["approve", "disburse", "default"], "repay", {"amount": "1", "repaid_date": "2022-05-01"}),
])
async def test_invalid_transition_is_409_naming_status_and_allowed_actions(
    employment: InProcessService, status_path: list[str], action: str, body: dict[str, Any]
) -> None:
    loan = await apply(employment)
    steps = {"approve": {"approved_amount": "300000", "approved_date": "2022-04-15"},
             "disburse": {"disbursed_date": "2022-04-20"}, "reject": {"rejected_date": "2022-04-15", "reason": "x"},
             "default": {"defaulted_date": "2022-04-25", "reason": "逾期"}}
    for step in status_path:
        loan = await done(employment, loan["id"], step, **steps[step])
    before = await outbox_types(employment)
    problem = assert_problem(await act(employment, loan["id"], action, **body), 409, "status")
    assert problem["current_status"] == loan["status"]
    assert problem["allowed_actions"] == loan["allowed_actions"]
    assert loan["status"] in problem["detail"]
    assert await outbox_types(employment) == before
    assert (await employment.client.get(f"/v1/startup-loans/{loan['id']}")).json() == loan


async def test_repayment_above_the_outstanding_principal_is_422(employment: InProcessService) -> None:
    loan = await disbursed(employment, amount="100000")
    r = await act(employment, loan["id"], "repay", amount="100000.01", repaid_date="2023-01-01")
    assert "100000.00" in reason(assert_problem(r, 422, "amount"), "amount")
    assert_problem(await act(employment, loan["id"], "repay", amount="1", repaid_date="2022-04-19"),
                   422, "repaid_date")
    assert (await outbox_types(employment))[-1] == DISBURSED


async def test_default_writes_one_defaulted_event_with_the_outstanding_principal(employment: InProcessService) -> None:
    loan = await disbursed(employment, amount="100000")
    await done(employment, loan["id"], "repay", amount="40000", repaid_date="2023-01-01")
    assert_problem(await act(employment, loan["id"], "default", defaulted_date="2024-01-01"), 422, "reason")
    before = len(await outbox(employment))
    defaulted = await done(employment, loan["id"], "default", defaulted_date="2024-01-01",
                           reason="逾期90天，担保基金代偿")
    assert defaulted["status"] == "defaulted" and defaulted["allowed_actions"] == []
    [row] = await new_rows(employment, before)
    assert row["event_type"] == DEFAULTED and row["event"]["data"] == {
        "id": loan["id"], "id_number": loan["id_number"], "county_code": "330822", "defaulted_date": "2024-01-01",
        "reason": "逾期90天，担保基金代偿", "outstanding_amount": "60000.00"}


async def test_unknown_loan_is_404(employment: InProcessService) -> None:
    assert_problem(await employment.client.get("/v1/startup-loans/nope"), 404)
    assert_problem(await act(employment, "nope", "disburse", disbursed_date="2022-01-01"), 404)


# ---- lists, counties, masking ---------------------------------------------------------------


async def test_list_filters_sorts_and_pages(employment: InProcessService) -> None:
    a = await apply(employment, amount="100000", applied_date="2021-03-01", county_code="330802")
    b = await apply(employment, amount="300000", applied_date="2022-03-01", county_code="330803")
    c = await apply(employment, amount="200000", applied_date="2023-03-01", county_code="330803")
    await done(employment, c["id"], "reject", rejected_date="2023-03-02", reason="x")
    ids = lambda r: [x["id"] for x in r.json()["data"]]  # noqa: E731
    url = "/v1/startup-loans"
    assert ids(await employment.client.get(url)) == [c["id"], b["id"], a["id"]]
    assert ids(await employment.client.get(url, params={"sort": "-amount"})) == [b["id"], c["id"], a["id"]]
    assert ids(await employment.client.get(url, params={"county_code": "330803"})) == [c["id"], b["id"]]
    assert ids(await employment.client.get(url, params={"status": "applied"})) == [b["id"], a["id"]]
    assert ids(await employment.client.get(url, params={"id_number": a["id_number"]})) == [a["id"]]
    assert ids(await employment.client.get(url, params={"from_date": "2022-01-01", "to_date": "2022-12-31"})) \
        == [b["id"]]
    assert ids(await employment.client.get(url, params={"applicant_kind": "small_business"})) == []
    r = await employment.client.get(url, params={"limit": 2, "offset": 2})
    assert ids(r) == [a["id"]] and r.json()["count"] == 3
    assert_problem(await employment.client.get(url, params={"sort": "bank"}), 422, "sort")
    assert_problem(await employment.client.get(url, params={"status": "lost"}), 422, "status")


async def test_county_client_sees_and_changes_only_its_county(employment: InProcessService) -> None:
    mine = await apply(employment, county_code="330824")
    theirs = await apply(employment, county_code="330825")
    client = bearer(token("employment:read", "employment:write", county="330824"))
    r = await employment.client.get("/v1/startup-loans", headers=client)
    assert [x["id"] for x in r.json()["data"]] == [mine["id"]]
    assert_problem(await employment.client.get(f"/v1/startup-loans/{theirs['id']}", headers=client), 403)
    r = await employment.client.post(f"/v1/startup-loans/{theirs['id']}/approve", headers=client,
                                     json={"approved_amount": "1", "approved_date": "2022-05-01"})
    assert_problem(r, 403)
    r = await employment.client.post("/v1/startup-loans", headers=client, json=application(county_code="330825"))
    assert_problem(r, 403)
    assert await count(employment, "startup_loans") == 2


async def test_id_number_is_masked_without_pii_read(employment: InProcessService) -> None:
    loan = await apply(employment)
    r = await employment.client.get(f"/v1/startup-loans/{loan['id']}", headers=bearer(token("employment:read")))
    assert r.status_code == 200 and "*" in r.json()["id_number"]


# ---- policy table ---------------------------------------------------------------------------


def test_the_shipped_caps_change_on_2021_01_01() -> None:
    before, after = loan_service.POLICY.at(date(2020, 12, 31)), loan_service.POLICY.at(date(2021, 1, 1))
    assert (before.individual_cap, after.individual_cap) == (Decimal(200000), Decimal(500000))
    assert before.small_business_cap == after.small_business_cap == Decimal(3000000)
    assert (after.individual_max_term_months, after.small_business_max_term_months) == (36, 24)
    assert before.source != after.source


@given(cents=st.integers(min_value=1, max_value=1_000_000_000), applied=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
       kind=st.sampled_from(list(ApplicantKind)))
def test_an_amount_is_refused_exactly_when_it_is_above_the_cap(cents: int, applied: date, kind: ApplicantKind) -> None:
    amount = Decimal(cents) / 100
    data = LoanApply(id_number=factories.id_number(), applicant_kind=kind, credit_code=factories.credit_code(),
                     county_code="330802", amount=amount, term_months=12, bank="b", purpose="p", applied_date=applied)
    rules = loan_service.POLICY.at(applied)
    try:
        loan_service._check_limits(data, rules)
        refused = False
    except InvalidField as exc:
        refused = True
        assert exc.errors[0].field == "amount"
    assert refused == (amount > rules.cap(kind))


# ---- issue 11: borrowers, 小微企业 hiring share, the number of loans, 贴息, working age -------------------------


async def test_a_borrower_outside_the_groups_and_not_registered_unemployed_is_422(
    employment: InProcessService,
) -> None:
    body = application(applied_date="2025-06-01")
    r = await employment.client.post("/v1/startup-loans", json=body)
    text = reason(assert_problem(r, 422, "id_number"), "id_number")
    assert "扶持对象" in text and "登记失业人员" in text and "退役军人" in text
    assert await count(employment, "startup_loans") == 0


async def test_a_registered_unemployed_borrower_is_eligible(employment: InProcessService) -> None:
    body = application(applied_date="2025-09-01")
    await unemploy(employment, body["id_number"], "2025-09-01")
    r = await employment.client.post("/v1/startup-loans", json=body)
    assert r.status_code == 201, r.text
    loan = r.json()
    assert (loan["groups"], loan["registered_unemployed"]) == ([], True)
    assert loan["illustrative"] is True and "LPR-150BP" in loan["interest_subsidy"]
    assert loan["interest_subsidy_share"] is None
    assert "衢州市创业担保贷款实施细则" in loan["policy_source"]


async def test_2020_loans_show_the_50_percent_interest_subsidy(employment: InProcessService) -> None:
    loan = await apply(employment, amount="100000", applied_date="2020-06-01")
    assert (loan["groups"], loan["registered_unemployed"]) == (["veteran"], False)
    assert Decimal(loan["interest_subsidy_share"]) == Decimal("0.5")
    assert loan["illustrative"] is False


async def test_working_age_on_the_application_date(employment: InProcessService) -> None:
    teen = make_id_number("330822", date(2009, 6, 2), 11)
    r = await employment.client.post("/v1/startup-loans", json=application(id_number=teen, applied_date="2025-06-01"))
    assert "未满法定劳动年龄 16 周岁" in reason(assert_problem(r, 422, "id_number"), "id_number")
    await apply(employment, id_number=teen, applied_date="2025-06-02", amount="100000")


async def test_at_most_3_loans_per_person(employment: InProcessService) -> None:
    person = factories.id_number()
    for year in (2021, 2022, 2023):
        loan = await apply(employment, id_number=person, amount="100000", applied_date=f"{year}-01-10")
        await done(employment, loan["id"], "approve", approved_amount="100000", approved_date=f"{year}-01-20")
        await done(employment, loan["id"], "disburse", disbursed_date=f"{year}-01-25")
        await done(employment, loan["id"], "repay", amount="100000", repaid_date=f"{year}-12-01")
    r = await employment.client.post("/v1/startup-loans", json=application(id_number=person,
                                                                            applied_date="2024-01-10"))
    text = reason(assert_problem(r, 422, "id_number"), "id_number")
    assert "已累计获得 3 笔" in text and "不得超过 3 次" in text


async def small_loan(svc: InProcessService, credit_code: str) -> Any:
    return await svc.client.post("/v1/startup-loans", json=application(
        applicant_kind="small_business", credit_code=credit_code, county_code=None, amount="1000000",
        term_months=24, applied_date="2025-09-01"))


@pytest.mark.parametrize(("plain", "hires", "ok"), [
    (18, 2, True),  # 2 of 20 = 10%: exactly the share (衢州 实施细则, from 2025-08-06)
    (19, 1, False),  # 1 of 20 = 5%
    (19, 2, False),  # 2 of 21 < 10%
])
async def test_small_business_hiring_share_at_its_edge(
    employment: InProcessService, plain: int, hires: int, ok: bool
) -> None:
    business = await new_employer(employment, "330802")
    await staff(employment, business["credit_code"], "330802", plain=plain, eligible=["2024-01-10"] * hires)
    r = await small_loan(employment, business["credit_code"])
    if ok:
        assert r.status_code == 201, r.text
        assert (r.json()["staff"], r.json()["key_group_hires"]) == (20, 2)
    else:
        text = reason(assert_problem(r, 422, "credit_code"), "credit_code")
        assert f"在职职工 {plain + hires} 人" in text and "10%" in text


async def test_before_the_2025_rules_the_share_was_15_percent_in_12_months(employment: InProcessService) -> None:
    business = await new_employer(employment, "330802")
    await staff(employment, business["credit_code"], "330802", plain=18, eligible=["2024-09-10"] * 2)
    r = await employment.client.post("/v1/startup-loans", json=application(
        applicant_kind="small_business", credit_code=business["credit_code"], county_code=None, amount="1000000",
        term_months=24, applied_date="2025-08-05"))
    text = reason(assert_problem(r, 422, "credit_code"), "credit_code")
    assert "2024-08-05 至 2025-08-04" in text and "15%" in text
    assert (await small_loan(employment, business["credit_code"])).status_code == 201  # 2025-09-01: 10 % suffices


@pytest.mark.parametrize(("day", "ok"), [("2023-08-31", False), ("2023-09-01", True), ("2025-08-31", True),
                                         ("2025-09-01", False)])
async def test_small_business_hires_count_in_the_24_months_before_the_application(
    employment: InProcessService, day: str, ok: bool
) -> None:
    business = await new_employer(employment, "330802")
    await staff(employment, business["credit_code"], "330802", plain=18, eligible=["2024-01-10", day])
    r = await small_loan(employment, business["credit_code"])
    assert r.status_code == (201 if ok else 422), r.text
    if not ok:
        assert "2023-09-01 至 2025-08-31" in reason(r.json(), "credit_code")


async def test_small_business_loan_needs_a_micro_or_small_business(employment: InProcessService) -> None:
    business = await new_employer(employment, "330802", size="medium")
    await staff(employment, business["credit_code"], "330802", plain=10, eligible=["2024-01-10"] * 10)
    text = reason(assert_problem(await small_loan(employment, business["credit_code"]), 422, "credit_code"),
                  "credit_code")
    assert "medium" in text and "小微企业" in text
