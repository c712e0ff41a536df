"""就业统计: exact figures from known registrations, key-group memberships and placements."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from employment.key_groups.models import KeyGroupMembership
from employment.public_welfare.models import PublicWelfarePlacement, PublicWelfarePost
from employment.registrations.models import EmploymentRegistration, UnemploymentRegistration
from employment.startup.loans.models import StartupLoan
from employment.startup.subsidies.models import StartupSubsidy
from employment.statistics import service as stats_service
from hrss_shared.validators import make_id_number
from tests import factories
from tests.employment.helpers import assert_problem
from tests.support import InProcessService, bearer, token

KECHENG, JIANGSHAN = "330802", "330881"


async def insert(svc: InProcessService, *rows: Any) -> None:
    """Write rows straight into the tables (statistics only read them; the rules are tested elsewhere)."""
    async with svc.runtime.maker() as session:
        session.add_all(rows)
        await session.commit()


def job(person: str, county: str, start: str, end: str | None = None, id: str | None = None) -> EmploymentRegistration:
    extra = {"id": id} if id else {}
    return EmploymentRegistration(
        id_number=person, name="王小明", credit_code=factories.credit_code(county), employer_name="衢州某公司",
        county_code=county, start_date=date.fromisoformat(start), end_date=date.fromisoformat(end) if end else None,
        status="terminated" if end else "active", **extra,
    )


def unemployed(person: str, county: str, registered: str, end: str | None = None) -> UnemploymentRegistration:
    return UnemploymentRegistration(
        id_number=person, name="王小明", county_code=county, registered_date=date.fromisoformat(registered),
        end_date=date.fromisoformat(end) if end else None, status="closed" if end else "open",
    )


def member(person: str, group: str, county: str, start: str, end: str | None = None) -> KeyGroupMembership:
    return KeyGroupMembership(
        id_number=person, group=group, source="测试", county_code=county, start_date=date.fromisoformat(start),
        end_date=date.fromisoformat(end) if end else None,
    )


async def seed(svc: InProcessService) -> None:
    p = {name: factories.id_number() for name in "ABCDEFGHI"}
    k = {name: factories.id_number() for name in ("K1", "K2", "K3", "K4", "K5")}
    u = {name: factories.id_number() for name in ("U1", "U2", "U3", "U4", "U5", "U6")}
    post = PublicWelfarePost(
        credit_code=factories.credit_code(), employer_name="柯城区某街道", title="社区协管", county_code=KECHENG,
        monthly_subsidy=Decimal("2280.00"), positions=10, start_date=date(2024, 1, 1), end_date=date(2027, 12, 31),
    )
    await insert(svc, post)
    await insert(
        svc,
        # 城镇新增就业 2025
        job(p["A"], KECHENG, "2025-03-01"),                                  # new, 柯城
        job(p["B"], KECHENG, "2024-01-01", "2025-02-28"),
        job(p["B"], KECHENG, "2025-03-01"),                                  # held a job on the eve: not new
        job(p["C"], KECHENG, "2024-01-01", "2025-02-27"),
        job(p["C"], JIANGSHAN, "2025-03-01"),                                # a day's gap: new, 江山
        job(p["D"], KECHENG, "2025-01-10", "2025-04-30"),                    # new, 柯城 (first of the year)
        job(p["D"], JIANGSHAN, "2025-08-01"),                                # again new: a second 人次, 江山
        job(p["E"], KECHENG, "2024-06-01"),                                  # started the year before
        job(p["F"], KECHENG, "2026-01-01"),                                  # starts the year after
        job(p["G"], KECHENG, "2023-01-01"),
        job(p["G"], JIANGSHAN, "2025-05-01"),                                # a second job while employed
        job(p["H"], JIANGSHAN, "2025-06-01", id="00000000-0000-0000-0000-000000000001"),  # same day, two
        job(p["H"], KECHENG, "2025-06-01", id="00000000-0000-0000-0000-000000000002"),    # jobs: once, 江山
        job(p["I"], KECHENG, "2023-01-01", "2024-12-31"),
        job(p["I"], KECHENG, "2025-01-01"),                                  # straight on: not new
        # 登记失业 2025
        unemployed(u["U1"], KECHENG, "2025-03-01"),                          # open at year end, new
        unemployed(u["U2"], KECHENG, "2024-05-01", "2025-06-30"),            # closed in the year
        unemployed(u["U3"], KECHENG, "2024-05-01", "2026-01-15"),            # closed after year end: open
        unemployed(u["U4"], JIANGSHAN, "2025-02-01", "2025-12-31"),          # new; closed on the last day
        unemployed(u["U5"], JIANGSHAN, "2026-01-02"),
        unemployed(u["U6"], JIANGSHAN, "2024-11-01"),                        # open at year end
        # 重点群体就业 2025
        member(k["K1"], "graduate", KECHENG, "2025-07-01"),
        job(k["K1"], KECHENG, "2024-01-01"),                                 # employed while a member
        member(k["K2"], "graduate", KECHENG, "2024-07-01", "2025-06-30"),
        job(k["K2"], KECHENG, "2026-02-01"),                                 # employed only after
        member(k["K3"], "veteran", JIANGSHAN, "2020-01-01"),
        job(k["K3"], JIANGSHAN, "2018-01-01", "2024-12-31"),                 # job ended before the year
        member(k["K4"], "veteran", JIANGSHAN, "2020-01-01"),
        job(k["K4"], JIANGSHAN, "2019-01-01", "2025-01-01"),                 # worked on 1 January
        member(k["K5"], "disabled", KECHENG, "2026-01-01"),                  # member only from next year
        # 公益性岗位安置
        placement(post, factories.id_number(), KECHENG, "2025-03-01"),
        placement(post, factories.id_number(), KECHENG, "2024-12-31"),
        placement(post, factories.id_number(), JIANGSHAN, "2025-12-31"),
        # 创业担保贷款: counted in the year of disbursement, whatever happened next
        loan(KECHENG, "200000.00", "2025-03-10", "disbursed"),
        loan(KECHENG, "150000.50", "2025-11-30", "repaid"),
        loan(JIANGSHAN, "300000.00", "2025-07-01", "defaulted"),
        loan(JIANGSHAN, "100000.00", "2024-12-31", "disbursed"),            # disbursed the year before
        loan(JIANGSHAN, "100000.00", None, "approved"),                      # approved, not disbursed
        # 创业补贴: granted on application
        subsidy(KECHENG, "5000.00", "2025-02-01"),
        subsidy(KECHENG, "5000.00", "2025-12-31"),
        subsidy(JIANGSHAN, "10000.00", "2026-01-01"),
    )


def loan(county: str, approved: str, disbursed: str | None, status: str) -> StartupLoan:
    return StartupLoan(
        id_number=factories.id_number(), applicant_kind="individual", county_code=county, amount=Decimal(approved),
        term_months=36, bank="衢州某银行", purpose="开店", applied_date=date(2024, 10, 1), status=status,
        approved_amount=Decimal(approved), approved_date=date(2024, 11, 1),
        disbursed_date=date.fromisoformat(disbursed) if disbursed else None, policy_source="测试",
    )


def subsidy(county: str, amount: str, applied: str) -> StartupSubsidy:
    return StartupSubsidy(
        id_number=factories.id_number(), name="王小明", credit_code=factories.credit_code(county),
        business_name="某家庭农场", county_code=county, business_start_date=date(2024, 6, 1),
        applied_date=date.fromisoformat(applied), groups=["low_income_rural"], amount=Decimal(amount),
        status="granted", policy_source="测试",
    )


def placement(post: PublicWelfarePost, person: str, county: str, start: str) -> PublicWelfarePlacement:
    begin = date.fromisoformat(start)
    return PublicWelfarePlacement(
        post_id=post.id, id_number=person, name="王小明", credit_code=post.credit_code, county_code=county,
        groups=["hard_to_employ"], start_date=begin, end_date=begin + timedelta(days=365),
    )


def groups(area: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {g["group"]: (g["members"], g["employed"]) for g in area["key_groups"] if g["members"]}


def by_county(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["county_code"]: c for c in body["counties"]}


async def test_every_county_and_the_city_total(employment: InProcessService) -> None:
    await seed(employment)
    r = await employment.client.get("/v1/statistics", params={"year": 2025})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2025
    counties = by_county(body)
    assert list(counties) == ["330802", "330803", "330822", "330824", "330825", "330881"]
    kc, js, city = counties[KECHENG], counties[JIANGSHAN], body["city"]
    assert (kc["county_name"], js["county_name"], city["county_name"]) == ("柯城区", "江山市", "衢州市")
    assert city["county_code"] == "330800"
    # Person-times: A, D (柯城); C, D again, H (江山); no one reached retirement age.
    assert (kc["new_urban_employment"], js["new_urban_employment"], city["new_urban_employment"]) == (2, 3, 5)
    assert city["new_urban_employment_gross"] == 5 and city["natural_attrition"] == 0
    # Employed at year end: 柯城 A B E G H I K1, 江山 C D G H; the city counts G and H once.
    assert kc["unemployment"] == {"registered_unemployed": 2, "new_registrations": 1, "employed": 7,
                                  "registered_unemployment_rate": "22.22"}
    assert js["unemployment"] == {"registered_unemployed": 1, "new_registrations": 1, "employed": 4,
                                  "registered_unemployment_rate": "20.00"}
    assert city["unemployment"] == {"registered_unemployed": 3, "new_registrations": 2, "employed": 9,
                                    "registered_unemployment_rate": "25.00"}
    assert groups(kc) == {"graduate": (2, 1)}
    assert groups(js) == {"veteran": (2, 1)}
    assert groups(city) == {"graduate": (2, 1), "veteran": (2, 1)}
    assert [g["group"] for g in city["key_groups"]] == [
        "graduate", "migrant_worker", "veteran", "disabled", "hard_to_employ", "low_income_rural"]
    assert city["key_groups"][0]["group_name"] == "高校毕业生"
    assert (kc["public_welfare_placements"], js["public_welfare_placements"], city["public_welfare_placements"]) == (
        1, 1, 2)
    assert (kc["startup_loans"], js["startup_loans"], city["startup_loans"]) == (
        {"count": 2, "amount": "350000.50"}, {"count": 1, "amount": "300000.00"}, {"count": 3, "amount": "650000.50"})
    assert (kc["startup_subsidies"], js["startup_subsidies"], city["startup_subsidies"]) == (
        {"count": 2, "amount": "10000.00"}, {"count": 0, "amount": "0.00"}, {"count": 2, "amount": "10000.00"})
    quiet = counties["330824"]
    assert (quiet["new_urban_employment"], quiet["public_welfare_placements"], groups(quiet)) == (0, 0, {})
    assert quiet["unemployment"] == {"registered_unemployed": 0, "new_registrations": 0, "employed": 0,
                                     "registered_unemployment_rate": None}


async def test_other_years_count_other_things(employment: InProcessService) -> None:
    await seed(employment)
    city = (await employment.client.get("/v1/statistics", params={"year": 2026})).json()["city"]
    # 2026: F starts; K2 starts after membership; U5 registers; U1, U5, U6 open at the end; K5 a member
    assert city["new_urban_employment"] == 2
    assert (city["unemployment"]["registered_unemployed"], city["unemployment"]["new_registrations"]) == (3, 1)
    assert groups(city) == {"graduate": (1, 1), "veteran": (2, 0), "disabled": (1, 0)}
    assert city["public_welfare_placements"] == 0
    assert city["startup_loans"] == {"count": 0, "amount": "0.00"}
    assert city["startup_subsidies"] == {"count": 1, "amount": "10000.00"}


async def test_one_county(employment: InProcessService) -> None:
    await seed(employment)
    body = (await employment.client.get("/v1/statistics", params={"year": 2025, "county_code": JIANGSHAN})).json()
    assert body["city"] is None
    [js] = body["counties"]
    assert (js["county_code"], js["new_urban_employment"], js["public_welfare_placements"]) == (JIANGSHAN, 3, 1)
    assert (js["startup_loans"]["count"], js["startup_subsidies"]["count"]) == (1, 0)


async def test_a_county_client_sees_its_county_only(employment: InProcessService) -> None:
    await seed(employment)
    county = bearer(token("employment:read", county=JIANGSHAN))
    body = (await employment.client.get("/v1/statistics", params={"year": 2025}, headers=county)).json()
    assert ([c["county_code"] for c in body["counties"]], body["city"]) == ([JIANGSHAN], None)
    r = await employment.client.get("/v1/statistics", params={"year": 2025, "county_code": KECHENG}, headers=county)
    assert_problem(r, 403)


async def test_statistics_need_the_read_scope_and_a_valid_query(employment: InProcessService) -> None:
    r = await employment.client.get("/v1/statistics", params={"year": 2025},
                                    headers=bearer(token("employment:write")))
    assert "employment:read" in assert_problem(r, 403)["detail"]
    assert_problem(await employment.client.get("/v1/statistics"), 422, "year")
    assert_problem(await employment.client.get("/v1/statistics", params={"year": 1800}), 422, "year")
    assert_problem(await employment.client.get("/v1/statistics", params={"year": 2025, "county_code": "330800"}),
                   422, "county_code")


async def test_an_empty_database_gives_zeros_everywhere(employment: InProcessService) -> None:
    body = (await employment.client.get("/v1/statistics", params={"year": 2025})).json()
    for area in [*body["counties"], body["city"]]:
        assert area["new_urban_employment"] == area["public_welfare_placements"] == 0
        assert area["unemployment"] == {"registered_unemployed": 0, "new_registrations": 0, "employed": 0,
                                        "registered_unemployment_rate": None}
        assert area["reemployed_unemployed"] == area["hard_to_employ_employed"] == area["natural_attrition"] == 0
        assert area["startup_loans"] == area["startup_subsidies"] == {"count": 0, "amount": "0.00"}
        assert groups(area) == {}


# ---- 城镇新增就业 against a reference implementation ------------------------------------------------

YEAR = 2025
# Days around the edges the definition turns on (year ends, consecutive days), so ties and eves are common.
DAYS = [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 6, 1), date(2025, 6, 2),
        date(2025, 6, 3), date(2025, 12, 31), date(2026, 1, 1)]
REGISTRATION = st.tuples(st.integers(0, 1), st.sampled_from([KECHENG, JIANGSHAN]), st.sampled_from(DAYS),
                         st.none() | st.sampled_from(DAYS))


def reference(rows: list[tuple[str, str, str, date, date | None]]) -> dict[str, int]:
    """Person-times by county, straight from the definition, for (id, person, county, start, end) rows."""
    first: dict[tuple[str, date], tuple[str, str]] = {}
    for rid, person, county, start, _ in rows:
        if start.year != YEAR:
            continue
        eve = start - timedelta(days=1)
        held = any(o_person == person and o_id != rid and o_start < start and (o_end is None or o_end >= eve)
                   for o_id, o_person, _, o_start, o_end in rows)
        if not held and ((person, start) not in first or rid < first[person, start][0]):
            first[person, start] = (rid, county)
    counts: dict[str, int] = {}
    for _, county in first.values():
        counts[county] = counts.get(county, 0) + 1
    return counts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(REGISTRATION, max_size=8))
@example([(0, KECHENG, DAYS[0], DAYS[1]), (0, JIANGSHAN, DAYS[2], None)])  # ended on the eve: not new
@example([(0, KECHENG, DAYS[0], DAYS[0]), (0, JIANGSHAN, DAYS[2], None)])  # a day's gap: new, in 江山
@example([(1, JIANGSHAN, DAYS[3], None), (1, KECHENG, DAYS[3], None)])  # two jobs on one day: once
async def test_new_urban_employment_matches_its_definition(
    employment: InProcessService, registrations: list[tuple[int, str, date, date | None]],
) -> None:
    people = [f"33080219800101{n:03d}X" for n in range(3)]  # only read back by statistics, never validated
    rows = [
        (f"{i:08d}-0000-0000-0000-000000000000", people[p], county, start, max(start, end) if end else None)
        for i, (p, county, start, end) in enumerate(registrations)
    ]
    async with employment.runtime.maker() as session:
        await session.execute(delete(EmploymentRegistration))
        await session.commit()
    await insert(employment, *(
        EmploymentRegistration(id=rid, id_number=person, name="王", credit_code=rid[:18], employer_name="x",
                               county_code=county, start_date=start, end_date=end,
                               status="terminated" if end else "active")
        for rid, person, county, start, end in rows
    ))
    body = (await employment.client.get("/v1/statistics", params={"year": YEAR})).json()
    expected = reference(rows)
    assert {c["county_code"]: c["new_urban_employment"] for c in body["counties"] if c["new_urban_employment"]} == (
        expected)
    assert body["city"]["new_urban_employment"] == sum(expected.values())


# ---- issue 11: the definitions checked against a small hand-computed data set ---------------------------------


async def test_issue_11_definitions_on_a_hand_computed_data_set(employment: InProcessService) -> None:
    r = {name: factories.id_number() for name in ("R1", "R2", "R3", "R4", "U")}
    # Three men born 1965-05-20: statutory retirement age 60 years 2 months, reached on 2025-07-20.
    m, w2, w3 = (make_id_number(KECHENG, date(1965, 5, 20), seq) for seq in (701, 703, 705))
    r3_basis = unemployed(r["R3"], KECHENG, "2025-06-01", "2025-09-01")
    r4_basis = unemployed(r["R4"], JIANGSHAN, "2025-01-01", "2025-03-31")
    await insert(employment, r3_basis, r4_basis)
    r3_cert, r4_cert = (member(r["R3"], "hard_to_employ", KECHENG, "2025-06-01"),
                        member(r["R4"], "hard_to_employ", JIANGSHAN, "2025-01-01"))
    r3_cert.unemployment_registration_id, r4_cert.unemployment_registration_id = r3_basis.id, r4_basis.id
    await insert(
        employment, r3_cert, r4_cert,
        unemployed(r["R1"], KECHENG, "2025-01-05", "2025-04-01"),
        job(r["R1"], JIANGSHAN, "2025-04-01"),             # re-employed from an open registration (柯城): both
        unemployed(r["R2"], JIANGSHAN, "2024-10-01", "2025-02-10"),
        job(r["R2"], KECHENG, "2025-02-11"),               # registration closed the day before: new, not 再就业
        job(r["R3"], KECHENG, "2025-09-01"),               # 再就业 and 就业困难人员就业, 柯城
        job(r["R4"], JIANGSHAN, "2025-05-01"),             # certification ended with its registration on 03-31
        unemployed(r["U"], JIANGSHAN, "2025-11-01"),       # open at year end, 江山
        job(m, KECHENG, "2010-01-01", "2025-07-19"),       # ended the day before retirement age: 自然减员, 柯城
        job(w2, JIANGSHAN, "2010-01-01", "2025-07-18"),    # ended two days before it: not natural attrition
        job(w3, KECHENG, "2010-01-01", "2025-07-19"),      # retirement age, but still employed the day after
        job(w3, KECHENG, "2025-07-01"),                    # started while employed: not new
    )
    body = (await employment.client.get("/v1/statistics", params={"year": 2025})).json()
    kc, js, city = by_county(body)[KECHENG], by_county(body)[JIANGSHAN], body["city"]

    def figures(area: dict[str, Any]) -> tuple[int, ...]:
        return (area["new_urban_employment_gross"], area["natural_attrition"], area["new_urban_employment"],
                area["reemployed_unemployed"], area["hard_to_employ_employed"])
    # gross: R2, R3 (柯城), R1, R4 (江山); attrition: M (柯城); 再就业: R1, R3 (柯城, where registered); 困难: R3.
    assert figures(kc) == (2, 1, 1, 2, 1)
    assert figures(js) == (2, 0, 2, 0, 0)
    assert figures(city) == (4, 1, 3, 2, 1)
    # Employed at year end: 柯城 R2, R3, W3 (second job); 江山 R1, R4. Registered unemployed: U (江山).
    assert (kc["unemployment"]["employed"], kc["unemployment"]["registered_unemployed"]) == (3, 0)
    assert kc["unemployment"]["registered_unemployment_rate"] == "0.00"
    assert js["unemployment"]["registered_unemployment_rate"] == "33.33"  # 1 / (2 + 1)
    assert city["unemployment"]["registered_unemployment_rate"] == "16.67"  # 1 / (5 + 1)


def test_the_rate_rounds_half_up_and_is_null_without_anyone() -> None:
    assert stats_service.unemployment_rate(0, 0) is None
    assert stats_service.unemployment_rate(1, 7) == Decimal("12.50")
    assert stats_service.unemployment_rate(35, 965) == Decimal("3.50")  # the plan's ceiling, exactly
    assert stats_service.unemployment_rate(1, 2) == Decimal("33.33")


async def test_the_openapi_description_states_each_definition(employment: InProcessService) -> None:
    spec = (await employment.client.get("/openapi.json")).json()
    doc = spec["paths"]["/v1/statistics"]["get"]["description"]
    for term in ("城镇新增就业", "人次", "自然减员", "城镇登记失业率", "失业人员再就业", "就业困难人员就业"):
        assert term in doc
