"""规划指标 /v1/indicators: a small data set fed as events, every figure computed by hand below; the edges (12-31 vs
01-01, a cancellation removing a count, a redelivered event), the no-plan year, counties and the API's checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.indicators import TABLES
from gateway.indicators.measures import MEASURES
from gateway.indicators.models import IndicatorFact
from gateway.indicators.plans import PLANS, plan_for
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lr
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared.events import CloudEvent
from hrss_shared.validators import make_id_number
from tests.conftest import DbFactory
from tests.gateway import indicator_events as ev
from tests.support import InProcessService, bearer, offline, token

READER = bearer(token("gateway:read"))
KECHENG, QUJIANG = "330802", "330803"


@pytest.fixture
async def gateway(make_db: DbFactory, tmp_path: Path) -> AsyncIterator[InProcessService]:
    """The gateway with no broker, on SQLite and on PostgreSQL (the aggregates' date arithmetic differs)."""
    settings = offline(GatewaySettings, db_url=await make_db("gateway"), data_dir=tmp_path)
    async with InProcessService(ev.create_app, settings) as svc:
        yield svc


def employment_events() -> list[CloudEvent]:
    """城镇新增就业 and 登记失业, by hand:

    2022: C starts c1 (柯城) → gross 1.
    2023: A a1 03-01..06-30 and again a2 09-01 (a re-registration after a gap: 2 人次, 柯城); B b1 02-01 (衢江);
    C moves straight from c1 (ends 04-30) to c2 (05-01): not new; D d1 starts 12-31 (柯城, in 2023);
    E e1 starts 2024-01-01 (not in 2023). Gross 2023 = a1 + a2 + b1 + d1 = 4 (柯城 3, 衢江 1).
    F (man born 1963-06-15, retires 2023-06-15) ends f1 on 06-14 (衢江): the next day he is of retirement age
    → 自然减员 1; G (same birthday) ends g1 on 06-13: the next day he is not yet → no attrition.
    城镇新增就业 2023 = 4 − 1 = 3 (柯城 3, 衢江 0); 2021–2023 累计 = 0 + 1 + 3 = 4; 2024 adds e1 → 5.
    Employed at the end of 2023: A, B, C, D = 4 (柯城 A C D = 3, 衢江 B = 1).
    Unemployed at the end of 2023: U1 (柯城, open) and U4 (衢江, registered on 12-31) = 2; U2 closed on 12-31 and U3
    cancelled do not count. Rate = 2 ÷ (4 + 2) = 33.33 % (柯城 1 ÷ 4 = 25.00 %, 衢江 1 ÷ 2 = 50.00 %).
    """
    a, b, c, d, e = (ev.person(KECHENG) for _ in range(5))
    b = ev.person(QUJIANG)
    f = make_id_number(QUJIANG, date(1963, 6, 15), 11)
    g = make_id_number(QUJIANG, date(1963, 6, 15), 13)
    u1, u2, u3, u4 = ev.person(KECHENG), ev.person(KECHENG), ev.person(KECHENG), ev.person(QUJIANG)
    return [
        ev.employed(a, "2023-03-01", rid="a1"), ev.terminated(a, "a1", "2023-06-30"),
        ev.employed(a, "2023-09-01", rid="a2"),
        ev.employed(b, "2023-02-01", county=QUJIANG),
        ev.employed(c, "2022-05-01", rid="c1"), ev.terminated(c, "c1", "2023-04-30"), ev.employed(c, "2023-05-01"),
        ev.employed(d, "2023-12-31"),
        ev.employed(e, "2024-01-01"),
        ev.employed(f, "2020-01-01", county=QUJIANG, rid="f1"), ev.terminated(f, "f1", "2023-06-14"),
        ev.employed(g, "2020-01-01", county=QUJIANG, rid="g1"), ev.terminated(g, "g1", "2023-06-13"),
        ev.unemployed(u1, "2023-10-01"),
        ev.unemployed(u2, "2023-05-01", rid="u2"), ev.unemployment_closed(u2, "u2", "2023-12-31"),
        ev.unemployed(u3, "2023-08-01", rid="u3"), ev.unemployment_cancelled(u3, "u3", "2023-08-01"),
        ev.unemployed(u4, "2023-12-31", county=QUJIANG),
    ]


def training_events() -> list[CloudEvent]:
    """培训、认定、平台, by hand:

    Completions: T0 2021-03-01; T1 2023-12-31 合格 (柯城); T3 2023-05-01 不合格 (衢江, counted); T5 2023-07-01 (its
    event delivered twice: once); T2 2024-01-01 (not 2023). 培训人次 2023 = 3, 2021–2023 累计 = 4.
    Certificates: P1 level 3 on 2023-03-01 and level 2 on 2023-09-01; P2 level 4 on 2023-04-01 (衢江); P3 level 3 on
    2022-01-10 and level 2 on 2023-02-01. 技能等级认定 2023 = 4. 新增高技能人才 2023 = P1 = 1 (P3 was new in 2022);
    2021–2023 累计 = 2. At the end of 2023 技能人才 P1 P2 P3 = 3, 高技能 P1 P3 = 2: 高技能占技能 2 ÷ 3 = 66.67 %;
    技能人才占从业人员 3 ÷ 4 employed = 75.00 %.
    Platforms: studios 2022-05-01 and 2023-12-31 (revoked in 2024, still counted) → 2 by 2023; an enterprise
    high-skill base in 2023 → 1 (a public training base does not count).
    """
    t0, t1, t2, t3, t5 = (ev.person(KECHENG) for _ in range(5))
    p1, p2, p3 = ev.person(KECHENG), ev.person(QUJIANG), ev.person(KECHENG)
    t5_done = ev.completed(t5, "2023-07-01")
    return [
        ev.completed(t0, "2021-03-01"), ev.completed(t1, "2023-12-31"), ev.completed(t2, "2024-01-01"),
        ev.completed(t3, "2023-05-01", passed=False, county=QUJIANG), t5_done, t5_done,
        ev.certificate(p1, 3, "2023-03-01"), ev.certificate(p1, 2, "2023-09-01"),
        ev.certificate(p2, 4, "2023-04-01", county=QUJIANG),
        ev.certificate(p3, 3, "2022-01-10"), ev.certificate(p3, 2, "2023-02-01"),
        ev.platform(tr.MASTER_STUDIO_RECOGNISED, "2022-05-01"),
        ev.platform(tr.MASTER_STUDIO_RECOGNISED, "2023-12-31", rid="s2"), ev.studio_revoked("s2", "2024-03-01"),
        ev.platform(tr.TRAINING_BASE_RECOGNISED, "2023-06-01", base_kind="enterprise_high_skill_demo"),
        ev.platform(tr.TRAINING_BASE_RECOGNISED, "2023-06-01", base_kind="public_training"),
    ]


def insurance_events() -> list[CloudEvent]:
    """Insured and cards at the end of 2023, by hand:

    Pension: I1 employee (active since 2020); I2 resident from 12-31 (counts); I3 employee ended on 12-31 (counts);
    I4 pending (no contribution: not counted); I8 employee ended 03-31 then resident from 04-01 (one person) → 4.
    Unemployment: I6 active (衢江) = 1; I5 cancelled. Work injury: I7 suspended (counts) = 1.
    Cards: K1 (2022); K2 issued 2023-05-01, replaced on 12-31 by a new card issued 12-31 (one person); K3 issued
    2024-01-01 (not yet); K4 reported lost (still valid) → 3.
    """
    i1, i2, i3, i4, i5, i6, i7, i8 = (ev.person(KECHENG) for _ in range(8))
    k1, k2, k3, k4 = (ev.person(KECHENG) for _ in range(4))
    reg = si.ENROLMENT_REGISTERED
    one_stop = {"origin": "manual"}
    k2_card, k2_number = ev.card(k2, "2023-05-01", rid="k2")
    k4_card, k4_number = ev.card(k4, "2023-02-01", rid="k4")
    return [
        ev.enrolment(reg, i1, "employee_pension", "active", "2020-01-01", **one_stop),
        ev.enrolment(reg, i2, "resident_pension", "active", "2023-12-31", **one_stop),
        ev.enrolment(reg, i3, "employee_pension", "active", "2021-01-01", rid="i3", **one_stop),
        ev.enrolment(si.ENROLMENT_ENDED, i3, "employee_pension", "ended", "2021-01-01", end="2023-12-31", rid="i3",
                     reason="离职"),
        ev.enrolment(reg, i4, "employee_pension", "pending", "2023-06-01", **one_stop),
        ev.enrolment(reg, i8, "employee_pension", "ended", "2019-01-01", end="2023-03-31", **one_stop),
        ev.enrolment(reg, i8, "resident_pension", "active", "2023-04-01", **one_stop),
        ev.enrolment(reg, i5, "unemployment", "active", "2023-01-01", rid="i5", **one_stop),
        ev.enrolment(si.ENROLMENT_CANCELLED, i5, "unemployment", "cancelled", "2023-01-01", rid="i5",
                     cancelled_date="2023-03-01", reason="登记错误"),
        ev.enrolment(reg, i6, "unemployment", "active", "2022-01-01", county=QUJIANG, **one_stop),
        ev.enrolment(reg, i7, "work_injury", "active", "2021-01-01", rid="i7", **one_stop),
        ev.enrolment(si.ENROLMENT_SUSPENDED, i7, "work_injury", "suspended", "2021-01-01", rid="i7",
                     suspended_date="2023-05-01", reason="停保"),
        ev.card(k1, "2022-01-01")[0],
        k2_card, ev.card_replaced(k2, "k2", k2_number, "2023-12-31"), ev.card(k2, "2023-12-31")[0],
        ev.card(k3, "2024-01-01")[0],
        k4_card, ev.event(si.CARD_REPORTED_LOST, {
            "id": "k4", "card_number": k4_number, "id_number": k4, "county_code": KECHENG, "status": "lost",
            "services": [], "lost_date": "2023-08-01"}),
    ]


def labour_events() -> list[CloudEvent]:
    """Labour relations in 2023, by hand:

    Cases: C1 closed 2023-03-01 on time; C2 transferred 2023-06-01 late; C3 running, deadline 2023-11-30 passed;
    C4 running, deadline 2024-01-10 (not 2023). 按期结案率 = 1 ÷ 3 = 33.3 %. Group cases: C5 (12 workers, filed
    2023-02-01) = 1; C6 (15 workers) cancelled.
    Payrolls: online 01-15, offline 02-15, online 03-15 cancelled → 在线发薪率 1 ÷ 2 = 50.0 %.
    Disputes: grassroots 01-10, arbitration 05-01, grassroots 12-31, grassroots cancelled → 2 ÷ 3 = 66.7 %.
    """
    return [
        ev.case(lr.ARREARS_CASE_CLOSED, "closed", "2023-01-05", deadline="2023-04-10", concluded="2023-03-01",
                on_time=True),
        ev.case(lr.ARREARS_CASE_TRANSFERRED, "transferred", "2023-01-05", deadline="2023-04-10",
                concluded="2023-06-01", on_time=False),
        ev.case(lr.ARREARS_CASE_ACCEPTED, "accepted", "2023-08-20", deadline="2023-11-30"),
        ev.case(lr.ARREARS_CASE_ACCEPTED, "investigating", "2023-10-20", deadline="2024-01-10"),
        ev.case(lr.ARREARS_CASE_REGISTERED, "registered", "2023-02-01", workers=12),
        ev.case(lr.ARREARS_CASE_REGISTERED, "registered", "2023-03-01", workers=15, rid="c6"),
        ev.case(lr.ARREARS_CASE_CANCELLED, "cancelled", "2023-03-01", workers=15, rid="c6"),
        ev.payroll("2023-01-15", True), ev.payroll("2023-02-15", False),
        ev.payroll("2023-03-15", True, rid="pc"), ev.payroll_cancelled("pc", "2023-03-20"),
        ev.dispute(lr.DISPUTE_FILED, "grassroots_mediation", "2023-01-10"),
        ev.dispute(lr.DISPUTE_FILED, "arbitration", "2023-05-01"),
        ev.dispute(lr.DISPUTE_FILED, "grassroots_mediation", "2023-12-31"),
        ev.dispute(lr.DISPUTE_FILED, "grassroots_mediation", "2023-06-01", rid="dc"),
        ev.dispute(lr.DISPUTE_CANCELLED, "grassroots_mediation", "2023-06-01", status="cancelled", rid="dc"),
    ]


@pytest.fixture
async def loaded(gateway: InProcessService) -> InProcessService:
    await ev.apply(gateway, *employment_events(), *training_events(), *insurance_events(), *labour_events())
    return gateway


async def answer(svc: InProcessService, **params: Any) -> dict[str, Any]:
    r = await svc.client.get("/v1/indicators", params=params, headers=READER)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in body["indicators"]}


EXPECTED_2023 = {  # code: (actual, share), all by hand (see the event builders' docstrings)
    "new_urban_employment": ("4", "0.0000"),  # 4 / 200000 = 0.00002
    "surveyed_unemployment_rate": (None, None),
    "registered_unemployment_rate": ("33.33", None),
    "hr_service_agencies": (None, None),
    "hr_service_revenue": (None, None),
    "training_person_times": ("3", "0.0001"),  # 3 / 50000 = 0.00006
    "training_person_times_total": ("4", "0.0000"),
    "skill_certifications": ("4", "0.0002"),
    "new_high_skill_talent": ("1", "0.0002"),  # 1 / 6000 = 0.000167
    "new_high_skill_talent_total": ("2", "0.0001"),  # 2 / 30000 = 0.0000667
    "skilled_share_of_employed": ("75.00", "2.1429"),  # 75 / 35
    "high_skilled_share_of_skilled": ("66.67", "1.9049"),  # 66.67 / 35
    "new_master_studios": ("2", "0.0400"),
    "new_enterprise_high_skill_bases": ("1", "0.0400"),
    "pension_insured": ("4", "0.0000"),
    "unemployment_insured": ("1", "0.0000"),
    "work_injury_insured": ("1", "0.0000"),
    "social_security_cards": ("3", "0.0000"),
    "resident_pension_level": (None, None),
    "minimum_wage": (None, None),
    "on_time_closure_rate": ("33.3", None),
    "online_payroll_rate": ("50.0", None),
    "grassroots_mediation_rate": ("66.7", "0.8338"),  # 66.7 / 80 = 0.83375, half up
    "group_wage_arrears_incidents": ("1", None),
}


async def test_2023_shows_every_target_of_the_plan_beside_the_hand_computed_actual(loaded: InProcessService) -> None:
    body = await answer(loaded, year=2023)
    assert body["year"] == 2023 and body["county_code"] is None
    assert body["plan"]["id"] == "quzhou-2021-2025"
    assert (body["plan"]["period_start"], body["plan"]["period_end"]) == (2021, 2025)
    assert "衢市人社发〔2021〕89号" in body["plan"]["source"]
    assert body["as_of"] is not None
    found = by_code(body)
    assert {code: (i["actual"], i["share"]) for code, i in found.items()} == EXPECTED_2023
    for code, i in found.items():
        assert i["illustrative"] is False and "衢市人社发〔2021〕89号" in i["source"], code
        if i["status"] == "not_measured":
            assert i["actual"] is None and i["reason"], code
        else:
            assert i["status"] == "measured", code


async def test_each_target_carries_its_figure_comparison_scope_and_the_plan_section(loaded: InProcessService) -> None:
    found = by_code(await answer(loaded, year=2023))
    assert {c: (i["target"], i["comparison"], i["period"], i["unit"]) for c, i in found.items() if c in {
        "new_urban_employment", "registered_unemployment_rate", "surveyed_unemployment_rate", "training_person_times",
        "training_person_times_total", "skill_certifications", "new_high_skill_talent",
        "new_high_skill_talent_total", "skilled_share_of_employed", "high_skilled_share_of_skilled",
        "new_master_studios", "new_enterprise_high_skill_bases", "pension_insured", "unemployment_insured",
        "work_injury_insured", "social_security_cards", "minimum_wage", "on_time_closure_rate",
        "online_payroll_rate", "grassroots_mediation_rate", "group_wage_arrears_incidents"}} == {
        "new_urban_employment": ("200000", ">=", "plan_to_date", "人次"),
        "surveyed_unemployment_rate": ("5.5", "<=", "rate", "%"),
        "registered_unemployment_rate": ("3.5", "<=", "rate", "%"),
        "training_person_times": ("50000", ">=", "year", "人次"),
        "training_person_times_total": ("250000", ">=", "plan_to_date", "人次"),
        "skill_certifications": ("20000", ">=", "year", "人次"),
        "new_high_skill_talent": ("6000", ">=", "year", "人"),
        "new_high_skill_talent_total": ("30000", ">=", "plan_to_date", "人"),
        "skilled_share_of_employed": ("35", "about", "rate", "%"),
        "high_skilled_share_of_skilled": ("35", "about", "rate", "%"),
        "new_master_studios": ("50", ">=", "plan_to_date", "家"),
        "new_enterprise_high_skill_bases": ("25", ">=", "plan_to_date", "家"),
        "pension_insured": ("2040000", ">=", "year_end", "人"),
        "unemployment_insured": ("390000", ">=", "year_end", "人"),
        "work_injury_insured": ("620000", ">=", "year_end", "人"),
        "social_security_cards": ("2680000", ">=", "year_end", "张"),
        "minimum_wage": ("2300", "about", "year", "元"),
        "on_time_closure_rate": ("100", "=", "rate", "%"),
        "online_payroll_rate": ("100", "=", "rate", "%"),
        "grassroots_mediation_rate": ("80", ">=", "rate", "%"),
        "group_wage_arrears_incidents": ("0", "=", "year", "起"),
    }
    assert "一、(二)" in found["new_urban_employment"]["source"]
    assert "二、(三)" in found["training_person_times"]["source"]
    assert "二、(四)" in found["pension_insured"]["source"]
    assert "二、(七)" in found["online_payroll_rate"]["source"]
    assert found["new_urban_employment"]["target_scope"] == "2021–2025 累计"
    assert found["pension_insured"]["target_scope"] == "2025年末"
    assert "survey" in found["surveyed_unemployment_rate"]["reason"]


async def test_a_year_end_day_counts_in_its_year_and_new_years_day_in_the_next(loaded: InProcessService) -> None:
    found = by_code(await answer(loaded, year=2024))
    # e1 starting 2024-01-01 adds to the cumulative 4 of 2021–2023; T2 completed 2024-01-01 is 2024's only one
    assert found["new_urban_employment"]["actual"] == "5"
    assert found["training_person_times"]["actual"] == "1"
    assert found["training_person_times_total"]["actual"] == "5"
    # K3's card issued 2024-01-01 is held at the end of 2024; I3's pension ended 2023-12-31 is not
    assert found["social_security_cards"]["actual"] == "4"
    assert found["pension_insured"]["actual"] == "3"
    earlier = by_code(await answer(loaded, year=2022))
    assert earlier["new_urban_employment"]["actual"] == "1"  # c1
    assert earlier["new_high_skill_talent"]["actual"] == "1"  # P3


async def test_a_cancellation_removes_its_count_and_a_redelivery_adds_none(gateway: InProcessService) -> None:
    trainee, holder = ev.person(), ev.person()
    done = ev.completed(trainee, "2023-06-01", rid="t4")
    issued = ev.certificate(holder, 3, "2023-05-01", rid="p4")
    await ev.apply(gateway, done, issued)
    await ev.apply(gateway, done, issued)  # the same events again
    found = by_code(await answer(gateway, year=2023))
    assert [found[c]["actual"] for c in ("training_person_times", "skill_certifications",
                                         "new_high_skill_talent")] == ["1", "1", "1"]
    await ev.apply(gateway, ev.enrolment_cancelled(trainee, "t4"), ev.certificate_cancelled(holder, "p4", 3))
    found = by_code(await answer(gateway, year=2023))
    assert [found[c]["actual"] for c in ("training_person_times", "skill_certifications",
                                         "new_high_skill_talent")] == ["0", "0", "0"]
    # a cancellation is final: the completion delivered again after it stays out
    await ev.apply(gateway, done)
    assert by_code(await answer(gateway, year=2023))["training_person_times"]["actual"] == "0"


async def test_a_year_no_plan_covers_shows_actuals_with_no_target_in_force(loaded: InProcessService) -> None:
    for year in (2020, 2026):
        body = await answer(loaded, year=year)
        assert body["plan"] is None
        found = by_code(body)
        assert set(found) == set(MEASURES)
        for i in found.values():
            assert (i["status"], i["target"], i["share"], i["comparison"]) == ("no_target", None, None, None)
            assert "no target in force" in i["reason"]
    found = by_code(await answer(loaded, year=2020))
    assert found["new_urban_employment"]["actual"] == "2"  # f1 and g1 started 2020-01-01
    assert found["new_urban_employment"]["period"] == "year"
    assert by_code(await answer(loaded, year=2026))["valid_cards"]["actual"] == "4"


async def test_a_county_shows_its_own_actuals_and_no_target(loaded: InProcessService) -> None:
    kecheng = by_code(await answer(loaded, year=2023, county_code=KECHENG))
    quijang = by_code(await answer(loaded, year=2023, county_code=QUJIANG))
    assert kecheng["new_urban_employment"]["actual"] == "4"  # c1 (2022) + a1 + a2 + d1
    assert quijang["new_urban_employment"]["actual"] == "0"  # b1 − f1's natural attrition
    assert kecheng["registered_unemployment_rate"]["actual"] == "25.00"
    assert quijang["registered_unemployment_rate"]["actual"] == "50.00"
    assert (kecheng["training_person_times"]["actual"], quijang["training_person_times"]["actual"]) == ("2", "1")
    assert quijang["unemployment_insured"]["actual"] == "1" and kecheng["unemployment_insured"]["actual"] == "0"
    assert quijang["on_time_closure_rate"]["actual"] is None  # nothing to count there
    for i in kecheng.values():
        assert (i["target"], i["share"], i["comparison"]) == (None, None, None)
        if i["status"] == "measured":
            assert "city-wide" in i["reason"]
    assert kecheng["minimum_wage"]["status"] == "not_measured"


async def test_by_county_lists_every_county_with_no_target(loaded: InProcessService) -> None:
    r = await loaded.client.get("/v1/indicators/by-county", params={"year": 2023, "code": "new_urban_employment"},
                                headers=READER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["code"], body["name"], body["unit"], body["year"]) == ("new_urban_employment", "城镇新增就业", "人次",
                                                                         2023)
    counties = {c["county_code"]: (c["actual"], c["target"]) for c in body["counties"]}
    assert len(counties) == 6
    assert counties[KECHENG] == ("4", None) and counties[QUJIANG] == ("0", None)
    assert counties["330881"] == ("0", None)
    r = await loaded.client.get("/v1/indicators/by-county", params={"year": 2023, "code": "minimum_wage"},
                                headers=READER)
    assert {c["actual"] for c in r.json()["counties"]} == {None}


async def test_series_across_the_plans_years(loaded: InProcessService) -> None:
    r = await loaded.client.get("/v1/indicators/series", params={"code": "training_person_times"}, headers=READER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["unit"]) == ("职业培训（当年）", "人次")
    assert [(p["year"], p["actual"], p["target"]) for p in body["points"]] == [
        (2021, "1", "50000"), (2022, "0", "50000"), (2023, "3", "50000"), (2024, "1", "50000"), (2025, "0", "50000")]
    r = await loaded.client.get("/v1/indicators/series", params={"code": "new_urban_employment",
                                                                 "county_code": KECHENG}, headers=READER)
    assert [(p["year"], p["actual"], p["target"]) for p in r.json()["points"]] == [
        (2021, "0", None), (2022, "1", None), (2023, "4", None), (2024, "5", None), (2025, "5", None)]


async def test_a_county_client_is_held_to_its_county(loaded: InProcessService) -> None:
    county_reader = bearer(token("gateway:read", county=QUJIANG))
    r = await loaded.client.get("/v1/indicators", params={"year": 2023}, headers=county_reader)
    assert r.status_code == 200 and r.json()["county_code"] == QUJIANG
    assert by_code(r.json())["new_urban_employment"]["actual"] == "0"
    r = await loaded.client.get("/v1/indicators", params={"year": 2023, "county_code": KECHENG},
                                headers=county_reader)
    assert r.status_code == 403
    r = await loaded.client.get("/v1/indicators/by-county", params={"year": 2023, "code": "pension_insured"},
                                headers=county_reader)
    assert [c["county_code"] for c in r.json()["counties"]] == [QUJIANG]
    r = await loaded.client.get("/v1/indicators/series", params={"code": "pension_insured"}, headers=county_reader)
    assert all(p["target"] is None for p in r.json()["points"])


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/indicators", {"year": 1999}, "year"),
    ("/v1/indicators", {"year": 2101}, "year"),
    ("/v1/indicators", {}, "year"),
    ("/v1/indicators", {"year": 2023, "county_code": "330899"}, "county_code"),
    ("/v1/indicators/by-county", {"year": 2023, "code": "no_such"}, "code"),
    ("/v1/indicators/by-county", {"year": 1999, "code": "pension_insured"}, "year"),
    ("/v1/indicators/series", {"code": "no_such"}, "code"),
])
async def test_bad_parameters_are_422_naming_the_field(gateway: InProcessService, path: str,
                                                       params: dict[str, Any], field: str) -> None:
    r = await gateway.client.get(path, params=params, headers=READER)
    assert r.status_code == 422, r.text
    assert field in [e["field"].split(".")[-1] for e in r.json()["errors"]]


async def test_the_edges_of_the_year_range_are_accepted(gateway: InProcessService) -> None:
    for year in (2000, 2100):
        assert (await gateway.client.get("/v1/indicators", params={"year": year}, headers=READER)).status_code == 200


async def test_reads_need_the_gateway_read_scope(gateway: InProcessService) -> None:
    r = await gateway.client.get("/v1/indicators", params={"year": 2023}, headers=bearer(token("training:read")))
    assert r.status_code == 403
    r = await gateway.client.get("/v1/indicators", params={"year": 2023}, headers={"Authorization": ""})
    assert r.status_code == 401


def test_the_plan_data_is_consistent() -> None:
    plan = plan_for(PLANS, 2023)
    assert plan is not None and plan_for(PLANS, 2026) is None and plan_for(PLANS, 2020) is None
    for t in plan.target:
        assert t.measure == "none" or t.measure in MEASURES, t.code
        if t.period == "plan_to_date":
            assert MEASURES[t.measure].additive, t.code  # only flows add up over the plan's years
        assert "“" in t.source, t.code  # quotes the plan's words
    assert TABLES == [IndicatorFact.__tablename__]
    target = plan.find("new_urban_employment")
    assert target is not None and target.target == Decimal("200000")


async def test_a_correction_wins_over_an_older_event_delivered_after_it(gateway: InProcessService) -> None:
    filed = ev.dispute(lr.DISPUTE_FILED, "grassroots_mediation", "2023-04-01", rid="d1")
    corrected = ev.dispute(lr.DISPUTE_CORRECTED, "arbitration", "2023-04-01", rid="d1")
    other = ev.dispute(lr.DISPUTE_FILED, "grassroots_mediation", "2023-04-02")
    await ev.apply(gateway, corrected, filed, other)  # the older filing arrives last
    found = by_code(await answer(gateway, year=2023))
    assert found["grassroots_mediation_rate"]["actual"] == "50.0"  # 1 grassroots of 2
    # a completion corrected back to 在训 (enrolled) leaves the count; the unemployment registration moved to another
    # county by a correction counts there
    trainee, jobless = ev.person(), ev.person()
    await ev.apply(gateway, ev.completed(trainee, "2023-06-01", rid="t9"), ev.event(tr.ENROLMENT_CORRECTED, {
        "id": "t9", "course_id": "c1", "id_number": trainee, "name": "王小明", "county_code": KECHENG,
        "status": "enrolled", "attended_hours": 10, "result": None, "changed": ["status"], "reason": "误结业"}))
    await ev.apply(gateway, ev.unemployed(jobless, "2023-03-01", rid="u9"), ev.event(
        emp.UNEMPLOYMENT_CORRECTED, {
            "id": "u9", "id_number": jobless, "changed": ["county_code"], "name": "李四", "county_code": QUJIANG,
            "registered_date": "2023-03-01", "correction_reason": "县区录入错误"}))
    assert by_code(await answer(gateway, year=2023))["training_person_times"]["actual"] == "0"
    quijang = by_code(await answer(gateway, year=2023, county_code=QUJIANG))
    assert quijang["registered_unemployment_rate"]["actual"] == "100.00"  # 1 unemployed, no one employed
