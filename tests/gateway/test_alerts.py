"""政策监管 alerts: each rule fires on its case and stays quiet on its near miss (at the exact date edges), whichever
order the facts arrive in; redelivery changes nothing; corrections and cancellations retract; a rule switched off
raises nothing new; acknowledge and resolve are audited staff actions; county-limited clients see their county."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from gateway.alerts import CONSUMER, JOBS, TABLES, alerts_for_person
from gateway.alerts import service as alert_service
from gateway.alerts.models import Alert, AlertFact
from gateway.alerts.policy import POLICY, POLICY_FILE
from gateway.alerts.rules import FINDERS, NEEDS, RULE_KINDS, alert_id
from gateway.main import create_app
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lr
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared import clock
from hrss_shared.events import CloudEvent, Contract
from tests import factories
from tests.gateway.conftest import gateway_settings
from tests.gateway.events import apply_batch
from tests.support import InProcessService, bearer, token

SOURCES = {"hrss.employment": "/hrss/employment", "hrss.training": "/hrss/training",
           "hrss.social-insurance": "/hrss/social-insurance", "hrss.labour-relations": "/hrss/labour-relations"}
READER = bearer(token("gateway:read"))
PII_READER = bearer(token("gateway:read", "pii:read"))
SUPERVISOR = bearer(token("gateway:read", "gateway:supervise", client_id="staff-1"))
_clock = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, gateway_settings(tmp_path)) as svc:
        yield svc


@pytest.fixture(autouse=True)
def default_policy() -> Any:
    yield
    POLICY.use(POLICY_FILE)


def ev(contract: Contract[Any], data: dict[str, Any], *, time: datetime | None = None) -> CloudEvent:
    """An event as its producer publishes it, validated against its contract."""
    global _clock
    _clock += timedelta(seconds=1)
    parsed = contract.parse(data)
    subject = str(getattr(parsed, contract.subject))
    return CloudEvent(id=str(uuid.uuid4()), source=SOURCES[contract.topic], type=contract.type, time=time or _clock,
                      subject=subject, data=data)


async def apply(svc: InProcessService, *events: CloudEvent) -> None:
    """Each event in its own transaction, through the alerts consumer's handlers."""
    for e in events:
        async with svc.runtime.maker() as session, session.begin():
            await CONSUMER.handlers[e.type](session, e)


async def alerts(svc: InProcessService, rule: str | None = None, *, include_retracted: bool = False) -> list[Alert]:
    async with svc.runtime.reader() as session:
        rows = (await session.execute(select(Alert).order_by(Alert.id))).scalars().all()
    return [a for a in rows if (rule is None or a.rule == rule) and (include_retracted or not a.retracted)]


def evidence_ids(alert: Alert) -> set[str]:
    return {e[1] for e in json.loads(alert.evidence)}


# ---- event builders ----------------------------------------------------------------------------------------------


def employment(id_number: str, start: str, *, reg: str | None = None, credit: str | None = None,
               county: str = "330802") -> CloudEvent:
    return ev(emp.EMPLOYMENT_REGISTERED, {
        "id": reg or str(uuid.uuid4()), "id_number": id_number, "name": "王小明",
        "credit_code": credit or factories.credit_code(county), "employer_name": "衢州测试企业有限公司",
        "county_code": county, "start_date": start})


def terminated(id_number: str, reg: str, credit: str, end: str) -> CloudEvent:
    return ev(emp.EMPLOYMENT_TERMINATED, {"id": reg, "id_number": id_number, "credit_code": credit,
                                          "end_date": end, "reason": "合同到期"})


def unemployment(id_number: str, registered: str, reg: str, county: str = "330802") -> CloudEvent:
    return ev(emp.UNEMPLOYMENT_REGISTERED, {"id": reg, "id_number": id_number, "name": "王小明",
                                            "county_code": county, "registered_date": registered})


def decided(id_number: str, benefit: str, start: str) -> CloudEvent:
    return ev(si.UNEMPLOYMENT_BENEFIT_DECIDED, {
        "id": benefit, "id_number": id_number, "county_code": "330802", "unemployment_registration_id": "u1",
        "eligible": True, "status": "active", "contribution_months": 36, "carried_over_months": 0,
        "months_entitled": 12, "monthly_amount": "1800.00", "start_date": start, "end_date": "2027-03-09",
        "policy_source": "失业保险条例 第十七条"})


def benefit_paid(id_number: str, benefit: str, month: str, payment: str | None = None) -> CloudEvent:
    return ev(si.BENEFIT_PAYMENT_POSTED, {
        "id": payment or str(uuid.uuid4()), "benefit_id": benefit, "id_number": id_number, "county_code": "330802",
        "month": month, "amount": "1800.00", "paid_date": f"{month}-20", "after_stop": False})


def contribution(id_number: str, month: str, *, credit: str | None, cid: str | None = None,
                 insurance_type: str = "employee_pension") -> CloudEvent:
    return ev(si.CONTRIBUTION_POSTED, {
        "id": cid or str(uuid.uuid4()), "id_number": id_number, "county_code": "330802",
        "insurance_type": insurance_type, "credit_code": credit, "enrolment_id": "e1", "month": month,
        "employer_amount": "400.00", "personal_amount": "200.00", "paid_date": f"{month}-15"})


def enrolment_activated(id_number: str, credit: str, insurance_type: str, activated: str) -> CloudEvent:
    return ev(si.ENROLMENT_ACTIVATED, {
        "id": f"en-{insurance_type}-{uuid.uuid4().hex[:6]}", "id_number": id_number, "county_code": "330802",
        "insurance_type": insurance_type, "credit_code": credit, "status": "active", "start_date": "2026-03-01",
        "activated_date": activated, "contribution_id": "c-first"})


def subsidy_granted(id_number: str, sid: str, occupation: str, level: int, enrolment: str) -> CloudEvent:
    return ev(tr.SUBSIDY_GRANTED, {
        "id": sid, "id_number": id_number, "county_code": "330802", "kind": "training",
        "occupation_code": occupation, "level": level, "name": "王小明", "amount": "1500.00",
        "channel": "application", "enrolment_id": enrolment, "granted_date": "2026-05-01",
        "policy_source": "示例", "illustrative": True})


def training_enrolled(id_number: str, enrolment: str, institution_credit: str) -> CloudEvent:
    return ev(tr.ENROLMENT_ENROLLED, {
        "id": enrolment, "course_id": "c1", "institution_id": f"i-{institution_credit[-4:]}",
        "credit_code": institution_credit, "id_number": id_number, "name": "王小明", "county_code": "330802",
        "occupation_code": "6-29-03-01", "occupation_name": "电工", "course_kind": "employment_skills",
        "start_date": "2026-03-01", "end_date": "2026-04-01", "enrolled_date": "2026-02-20"})


def subsidy_refused(id_number: str, reason: str) -> CloudEvent:
    return ev(tr.SUBSIDY_REFUSED, {
        "id": str(uuid.uuid4()), "id_number": id_number, "county_code": "330802", "kind": "training",
        "occupation_code": "6-29-03-01", "level": 4, "reason": reason, "detail": "同一职业同一等级已享受补贴",
        "earlier_subsidy_id": "s-earlier", "channel": "application", "refused_date": "2026-05-02"})


def listed(credit: str, decision: str, *, entry: str = "d1", removed: str | None = None) -> CloudEvent:
    contract = lr.DISHONEST_EMPLOYER_REMOVED if removed else lr.DISHONEST_EMPLOYER_LISTED
    return ev(contract, {
        "id": entry, "credit_code": credit, "employer_name": "衢州失信建设有限公司", "county_code": "330802",
        "decision_reference": "衢人社失信〔2026〕1号", "decision_date": decision,
        "status": "removed" if removed else "listed", "removed_date": removed,
        "removal_reason": "信用修复" if removed else None})


def loan_approved(credit: str, approved: str) -> CloudEvent:
    return ev(emp.STARTUP_LOAN_APPROVED, {
        "id": str(uuid.uuid4()), "id_number": factories.id_number(), "credit_code": credit, "county_code": "330802",
        "approved_amount": "300000.00", "approved_date": approved, "cap": "500000.00", "policy_source": "示例"})


def base_recognised(credit: str, recognised: str) -> CloudEvent:
    return ev(tr.TRAINING_BASE_RECOGNISED, {
        "id": str(uuid.uuid4()), "credit_code": credit, "county_code": "330802", "platform_type": "training_base",
        "base_kind": "public_training", "level": "city", "name": "实训基地", "employer_name": "衢州失信建设有限公司",
        "occupation_codes": ["6-29-03-01"], "recognised_date": recognised})


def below_minimum(credit: str, payroll: str) -> CloudEvent:
    return ev(lr.PAYROLL_BELOW_MINIMUM_WAGE, {
        "id": payroll, "project_id": "p1", "credit_code": credit, "county_code": "330803", "month": "2026-04",
        "minimum_wage": "2070.00", "workers": [{"id_number": factories.id_number(), "amount": "1800.00"}],
        "minimum_wage_source": "浙江省最低工资标准（示例）", "illustrative": True})


def talent_paid(id_number: str, period: str, *, after_stop: bool = False) -> CloudEvent:
    return ev(tr.TALENT_BENEFIT_PAID, {
        "id": "tb1", "id_number": id_number, "county_code": "330802", "kind": "rental_subsidy",
        "payment_id": str(uuid.uuid4()), "period": period, "amount": "1000.00", "paid_date": f"{period}-10",
        "after_stop": after_stop, "stop_period": "2026-08" if after_stop else None})


# ---- (1) benefit after re-employment -----------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "month", "fires"), [
    ("2026-06-01", "2026-05", False),  # the month before re-employment
    ("2026-06-01", "2026-06", True),  # the month of re-employment, from its first day
    ("2026-06-30", "2026-06", True),  # … to its last day
    ("2026-07-01", "2026-06", False),
    ("2026-06-01", "2026-08", True),  # a month after
])
async def test_benefit_after_reemployment_edges(gateway: InProcessService, start: str, month: str,
                                                fires: bool) -> None:
    person = factories.id_number()
    payment = str(uuid.uuid4())
    await apply(gateway, decided(person, "b1", "2026-03-10"), employment(person, start),
                benefit_paid(person, "b1", month, payment))
    found = await alerts(gateway, "benefit_after_reemployment")
    assert [a.evidence_key for a in found] == ([payment] if fires else [])


async def test_benefit_rule_fires_whichever_fact_arrives_first_with_the_same_id(gateway: InProcessService) -> None:
    first, second = factories.id_number(), factories.id_number()
    for person, order in ((first, "benefit first"), (second, "job first")):
        events = [decided(person, f"b-{person}", "2026-03-10"),
                  benefit_paid(person, f"b-{person}", "2026-06", f"p-{person}"),
                  employment(person, "2026-06-15", reg=f"r-{person}")]
        await apply(gateway, *(events if order == "benefit first" else events[::-1]))
    found = await alerts(gateway, "benefit_after_reemployment")
    assert {a.id for a in found} == {alert_id("benefit_after_reemployment", p, f"p-{p}") for p in (first, second)}
    for alert in found:
        assert len(json.loads(alert.evidence)) == 3  # the payment, the employment, the benefit decision


async def test_a_job_that_began_before_the_benefit_is_no_reemployment(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, employment(person, "2025-01-01", reg="old", credit=credit),
                terminated(person, "old", credit, "2026-03-05"), decided(person, "b1", "2026-03-10"),
                benefit_paid(person, "b1", "2026-03"))
    assert await alerts(gateway, "benefit_after_reemployment") == []


async def test_redelivery_changes_nothing(gateway: InProcessService) -> None:
    person = factories.id_number()
    events = [decided(person, "b1", "2026-03-10"), employment(person, "2026-06-01"),
              benefit_paid(person, "b1", "2026-06")]
    await apply(gateway, *events)
    before = [(a.id, a.evidence, a.summary, a.detected_at) for a in await alerts(gateway)]
    await apply(gateway, *events, *events)
    assert [(a.id, a.evidence, a.summary, a.detected_at) for a in await alerts(gateway)] == before


# ---- (2) registered unemployed while an employer contributes -----------------------------------------------------


@pytest.mark.parametrize(("registered", "month", "fires"), [
    ("2026-03-01", "2026-03", True),  # registered on the month's first day: the whole month
    ("2026-03-02", "2026-03", False),  # registered during the month
    ("2026-03-02", "2026-04", True),
    ("2026-03-02", "2026-02", False),
])
async def test_unemployed_while_contributing_edges(gateway: InProcessService, registered: str, month: str,
                                                   fires: bool) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, unemployment(person, registered, "u1"), contribution(person, month, credit=credit))
    found = await alerts(gateway, "unemployed_while_contributing")
    assert [a.evidence_key for a in found] == ([f"{credit}:{month}"] if fires else [])
    if fires:
        assert found[0].credit_code == credit and found[0].id_number == person


@pytest.mark.parametrize(("closed", "fires"), [("2026-05-31", True), ("2026-05-30", False)])
async def test_closing_the_registration_before_the_month_ends_is_quiet(gateway: InProcessService, closed: str,
                                                                       fires: bool) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, contribution(person, "2026-05", credit=credit), unemployment(person, "2026-03-01", "u1"),
                ev(emp.UNEMPLOYMENT_CLOSED, {"id": "u1", "id_number": person, "end_date": closed, "reason": "就业",
                                             "reason_code": "reemployed"}))
    assert len(await alerts(gateway, "unemployed_while_contributing")) == (1 if fires else 0)


@pytest.mark.parametrize("registration_first", [True, False])
async def test_a_year_of_contributions_and_the_registration_in_one_batch(gateway: InProcessService,
                                                                        registration_first: bool) -> None:
    """The rule reads a person's contributions only once the person has an unemployment fact: a registration
    arriving after the year's contributions in the same batch still finds every month it covers."""
    person, credit = factories.id_number(), factories.credit_code()
    year = [contribution(person, f"2026-{m:02d}", credit=credit) for m in range(1, 13)]
    registration = unemployment(person, "2026-09-01", "u1")
    events = [registration, *year] if registration_first else [*year, registration]
    await apply_batch(gateway, *events, consumer=CONSUMER)
    found = await alerts(gateway, "unemployed_while_contributing")
    assert sorted(a.evidence_key for a in found) == [f"{credit}:2026-{m:02d}" for m in (9, 10, 11, 12)]


def test_each_rule_needs_only_kinds_it_reads() -> None:
    assert NEEDS.keys() == RULE_KINDS.keys() == FINDERS.keys()
    for rule, kinds in NEEDS.items():
        assert kinds and kinds <= RULE_KINDS[rule], rule


async def test_personal_contributions_are_quiet(gateway: InProcessService) -> None:
    person = factories.id_number()
    await apply(gateway, unemployment(person, "2026-03-01", "u1"), contribution(person, "2026-04", credit=None))
    assert await alerts(gateway, "unemployed_while_contributing") == []


async def test_one_alert_per_employer_and_month_and_cancellations_retract(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, unemployment(person, "2026-03-01", "u1"),
                contribution(person, "2026-04", credit=credit, cid="c1"),
                contribution(person, "2026-04", credit=credit, cid="c2", insurance_type="unemployment"))
    [alert] = await alerts(gateway, "unemployed_while_contributing")
    assert json.loads(alert.detail)["insurance_types"] == ["employee_pension", "unemployment"]
    cancel = {"id_number": person, "county_code": "330802", "credit_code": credit, "enrolment_id": "e1",
              "month": "2026-04", "cancelled_date": "2026-05-01", "reason": "重复记账"}
    await apply(gateway, ev(si.CONTRIBUTION_CANCELLED, {**cancel, "id": "c1", "insurance_type": "employee_pension"}))
    assert len(await alerts(gateway, "unemployed_while_contributing")) == 1  # c2 still proves it
    await apply(gateway, ev(si.CONTRIBUTION_CANCELLED, {**cancel, "id": "c2", "insurance_type": "unemployment"}))
    assert await alerts(gateway, "unemployed_while_contributing") == []
    [retracted] = await alerts(gateway, "unemployed_while_contributing", include_retracted=True)
    assert retracted.id == alert.id and retracted.retracted


async def test_cancelling_the_unemployment_registration_retracts(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, unemployment(person, "2026-03-01", "u1"), contribution(person, "2026-04", credit=credit))
    assert len(await alerts(gateway, "unemployed_while_contributing")) == 1
    await apply(gateway, ev(emp.UNEMPLOYMENT_CANCELLED, {"id": "u1", "id_number": person,
                                                         "registered_date": "2026-03-01", "reason": "登记有误"}))
    assert await alerts(gateway, "unemployed_while_contributing") == []


async def test_a_correction_of_the_registration_date_is_followed(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, unemployment(person, "2026-04-01", "u1"), contribution(person, "2026-04", credit=credit))
    assert len(await alerts(gateway, "unemployed_while_contributing")) == 1
    await apply(gateway, ev(emp.UNEMPLOYMENT_CORRECTED, {
        "id": "u1", "id_number": person, "changed": ["registered_date"], "name": "王小明", "county_code": "330802",
        "registered_date": "2026-04-02", "correction_reason": "日期录入错误"}))
    assert await alerts(gateway, "unemployed_while_contributing") == []


# ---- (3) duplicate training subsidies ----------------------------------------------------------------------------


@pytest.mark.parametrize(("reason", "fires"), [("duplicate", True), ("voucher_paid", False)])
async def test_refused_duplicate_subsidy_claim(gateway: InProcessService, reason: str, fires: bool) -> None:
    person = factories.id_number()
    refusal = subsidy_refused(person, reason)
    await apply(gateway, refusal)
    found = await alerts(gateway, "duplicate_subsidy_claim")
    assert [evidence_ids(a) for a in found] == ([{refusal.id}] if fires else [])


@pytest.mark.parametrize(("second_level", "fires"), [(4, True), (3, False)])
async def test_subsidies_for_the_same_occupation_and_level_through_two_institutions(
    gateway: InProcessService, second_level: int, fires: bool,
) -> None:
    person = factories.id_number()
    a, b = factories.credit_code(), factories.credit_code()
    await apply(gateway, subsidy_granted(person, "s1", "6-29-03-01", 4, "en1"),
                subsidy_granted(person, "s2", "6-29-03-01", second_level, "en2"),
                training_enrolled(person, "en1", a), training_enrolled(person, "en2", b))
    found = await alerts(gateway, "subsidy_paid_twice")
    assert [x.evidence_key for x in found] == (["s1+s2"] if fires else [])
    if fires:
        assert a in found[0].summary and b in found[0].summary
        await apply(gateway, ev(tr.SUBSIDY_REVOKED, {
            "id": "s2", "id_number": person, "county_code": "330802", "kind": "training",
            "occupation_code": "6-29-03-01", "level": 4, "amount": "1500.00", "revoked_date": "2026-06-01",
            "reason": "报名撤销"}))
        assert await alerts(gateway, "subsidy_paid_twice") == []


# ---- (4) coverage gap (daily job) --------------------------------------------------------------------------------


async def run_coverage(svc: InProcessService, today: str) -> int:
    with clock.freeze(date.fromisoformat(today)):
        async with svc.runtime.maker() as session, session.begin():
            return await alert_service.check_coverage(session, None, clock.today())


@pytest.mark.parametrize(("today", "fires"), [("2026-03-31", False), ("2026-04-01", True)])
async def test_coverage_gap_after_the_grace_days(gateway: InProcessService, today: str, fires: bool) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    with clock.freeze(date(2026, 3, 2)):
        await apply(gateway, employment(person, "2026-03-01", reg="r1", credit=credit))
    assert await alerts(gateway, "coverage_gap") == []
    await run_coverage(gateway, today)
    found = await alerts(gateway, "coverage_gap")
    assert [a.evidence_key for a in found] == (["r1"] if fires else [])
    if fires:
        detail = json.loads(found[0].detail)
        assert detail["due_date"] == "2026-03-31" and detail["grace_days"] == 30
        assert found[0].detected_date == date(2026, 4, 1)


@pytest.mark.parametrize(("activated", "fires"), [("2026-03-31", False), ("2026-04-01", True)])
async def test_enrolments_within_the_grace_days_cover_the_registration(
    gateway: InProcessService, activated: str, fires: bool,
) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    with clock.freeze(date(2026, 4, 2)):
        await apply(gateway, employment(person, "2026-03-01", reg="r1", credit=credit),
                    *(enrolment_activated(person, credit, t, activated)
                      for t in ("employee_pension", "unemployment", "work_injury")))
    assert len(await alerts(gateway, "coverage_gap")) == (1 if fires else 0)


async def test_a_job_ended_within_the_grace_days_needs_no_enrolment(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    with clock.freeze(date(2026, 3, 2)):
        await apply(gateway, employment(person, "2026-03-01", reg="r1", credit=credit),
                    terminated(person, "r1", credit, "2026-03-31"))
    await run_coverage(gateway, "2026-05-01")
    assert await alerts(gateway, "coverage_gap") == []


async def test_the_coverage_job_is_a_daily_job_and_checks_each_registration_once(gateway: InProcessService) -> None:
    assert [j.name for j in JOBS] == [alert_service.COVERAGE_JOB]
    person = factories.id_number()
    with clock.freeze(date(2026, 3, 2)):
        await apply(gateway, employment(person, "2026-03-01"))
    assert await run_coverage(gateway, "2026-04-01") == 1
    assert await run_coverage(gateway, "2026-04-02") == 0
    assert len(await alerts(gateway, "coverage_gap")) == 1


# ---- (5) public-welfare post after eligibility ended ---------------------------------------------------------------


def placement(id_number: str, start: str, end: str, pid: str = "pl1") -> CloudEvent:
    return ev(emp.PUBLIC_WELFARE_PLACEMENT_STARTED, {
        "id": pid, "post_id": "post1", "id_number": id_number, "name": "王小明",
        "credit_code": factories.credit_code(), "county_code": "330802", "groups": ["hard_to_employ"],
        "start_date": start, "end_date": end, "monthly_subsidy": "1500.00", "policy_source": "财社〔2017〕164号"})


def placement_ended(id_number: str, ended: str, pid: str = "pl1") -> CloudEvent:
    return ev(emp.PUBLIC_WELFARE_PLACEMENT_ENDED, {
        "id": pid, "post_id": "post1", "id_number": id_number, "credit_code": factories.credit_code(),
        "county_code": "330802", "ended_date": ended, "reason": "退岗"})


def certified(id_number: str, start: str, kid: str = "k1") -> CloudEvent:
    return ev(emp.KEY_GROUP_ADDED, {"id": kid, "id_number": id_number, "group": "hard_to_employ",
                                    "source": "就业困难人员认定", "start_date": start, "county_code": "330802"})


def certification_ended(id_number: str, end: str, kid: str = "k1") -> CloudEvent:
    return ev(emp.KEY_GROUP_ENDED, {"id": kid, "id_number": id_number, "group": "hard_to_employ", "end_date": end})


@pytest.mark.parametrize(("exit_date", "fires"), [("2026-07-30", False), ("2026-07-31", True)])
async def test_still_on_a_welfare_post_after_the_certification_ended(
    gateway: InProcessService, exit_date: str, fires: bool,
) -> None:
    person = factories.id_number()
    await apply(gateway, certified(person, "2026-01-01"), placement(person, "2026-02-01", "2027-01-31"),
                certification_ended(person, "2026-06-30"))
    [alert] = await alerts(gateway, "welfare_post_after_eligibility")  # agreed to stay until 2027
    await apply(gateway, placement_ended(person, exit_date))  # left within 30 days of the end, or one day later
    assert [a.id for a in await alerts(gateway, "welfare_post_after_eligibility")] == ([alert.id] if fires else [])


async def test_a_certification_ended_by_the_registration_the_placement_closed_is_no_end_of_eligibility(
    gateway: InProcessService,
) -> None:
    person = factories.id_number()
    await apply(gateway, certification_ended(person, "2026-02-01"), placement(person, "2026-02-01", "2027-01-31"),
                unemployment(person, "2026-01-01", "u1"), certified(person, "2026-01-01"),
                ev(emp.UNEMPLOYMENT_CLOSED, {"id": "u1", "id_number": person, "end_date": "2026-02-01",
                                             "reason": "公益性岗位安置", "reason_code": "reemployed"}))
    assert await alerts(gateway, "welfare_post_after_eligibility") == []
    await apply(gateway, certification_ended(person, "2026-03-01", kid="k2"), certified(person, "2026-01-05", "k2"))
    assert len(await alerts(gateway, "welfare_post_after_eligibility")) == 0  # k1's end still holds as a closure


# ---- (6) dishonest employers receiving support -------------------------------------------------------------------


async def test_dishonest_employer_receiving_a_loan_or_a_training_base(gateway: InProcessService) -> None:
    credit = factories.credit_code()
    before, on_day = loan_approved(credit, "2026-05-09"), loan_approved(credit, "2026-05-10")
    last_day, removed_day = base_recognised(credit, "2026-05-31"), base_recognised(credit, "2026-06-01")
    await apply(gateway, before, on_day, last_day, removed_day, listed(credit, "2026-05-10"))
    found = await alerts(gateway, "dishonest_employer_benefit")
    assert len(found) == 3  # the loan before the listing is quiet
    await apply(gateway, listed(credit, "2026-05-10", removed="2026-06-01"))
    found = await alerts(gateway, "dishonest_employer_benefit")
    assert len(found) == 2  # the removal ends the listing the day before: the base of that day is quiet
    proven = {e for a in found for e in evidence_ids(a)}
    assert on_day.id in proven and last_day.id in proven
    assert before.id not in proven and removed_day.id not in proven
    assert all(a.credit_code == credit and a.id_number is None for a in found)


# ---- (7) payroll below the minimum wage --------------------------------------------------------------------------


async def test_below_minimum_wage_carries_the_wage_and_its_source_and_a_cancellation_retracts(
    gateway: InProcessService,
) -> None:
    credit = factories.credit_code("330803")
    await apply(gateway, below_minimum(credit, "pay1"))
    [alert] = await alerts(gateway, "below_minimum_wage")
    detail = json.loads(alert.detail)
    assert (detail["minimum_wage"], detail["illustrative"], detail["minimum_wage_source"]) == (
        "2070.00", True, "浙江省最低工资标准（示例）")
    assert alert.county_code == "330803" and "示例值" in alert.summary
    await apply(gateway, ev(lr.PAYROLL_CANCELLED, {
        "id": "pay1", "project_id": "p1", "credit_code": credit, "county_code": "330803", "month": "2026-04",
        "cancelled_date": "2026-05-01", "reason": "重复录入"}))
    assert await alerts(gateway, "below_minimum_wage") == []


async def test_a_cancelled_payroll_arriving_first_raises_nothing(gateway: InProcessService) -> None:
    credit = factories.credit_code("330803")
    await apply(gateway, ev(lr.PAYROLL_CANCELLED, {
        "id": "pay1", "project_id": "p1", "credit_code": credit, "county_code": "330803", "month": "2026-04",
        "cancelled_date": "2026-05-01", "reason": "重复录入"}), below_minimum(credit, "pay1"))
    assert await alerts(gateway, "below_minimum_wage", include_retracted=True) == []


# ---- (8) talent benefit after the Quzhou employment ended --------------------------------------------------------


@pytest.mark.parametrize(("period", "fires"), [("2026-06", False), ("2026-07", True)])
async def test_talent_benefit_after_employment_ended(gateway: InProcessService, period: str, fires: bool) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, talent_paid(person, period), employment(person, "2025-01-01", reg="r1", credit=credit),
                terminated(person, "r1", credit, "2026-06-15"))
    assert len(await alerts(gateway, "talent_benefit_after_employment")) == (1 if fires else 0)


async def test_talent_benefit_while_employed_elsewhere_in_quzhou_is_quiet(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, employment(person, "2025-01-01", reg="r1", credit=credit),
                terminated(person, "r1", credit, "2026-06-15"), employment(person, "2026-07-20"),
                talent_paid(person, "2026-07"))
    assert await alerts(gateway, "talent_benefit_after_employment") == []
    await apply(gateway, talent_paid(person, "2026-09", after_stop=True))  # the training service says it stopped
    assert len(await alerts(gateway, "talent_benefit_after_employment")) == 1


# ---- policy: rules are data --------------------------------------------------------------------------------------


async def test_a_rule_switched_off_raises_nothing_new(gateway: InProcessService, tmp_path: Path) -> None:
    off = tmp_path / "policy.toml"
    text = POLICY_FILE.read_text(encoding="utf-8")
    off.write_text(text.replace('name = "再就业后仍领取失业保险金"\nenabled = true',
                                'name = "再就业后仍领取失业保险金"\nenabled = false'), encoding="utf-8")
    POLICY.use(off)
    person = factories.id_number()
    await apply(gateway, decided(person, "b1", "2026-03-10"), employment(person, "2026-06-01"),
                benefit_paid(person, "b1", "2026-06"))
    assert await alerts(gateway, "benefit_after_reemployment") == []
    answer = (await gateway.client.get("/v1/alerts/rules", headers=READER)).json()
    assert next(r for r in answer if r["rule"] == "benefit_after_reemployment")["enabled"] is False
    POLICY.use(POLICY_FILE)
    await apply(gateway, benefit_paid(person, "b1", "2026-07"))
    assert len(await alerts(gateway, "benefit_after_reemployment")) == 2  # on again: both months


async def test_rules_endpoint_lists_every_rule_with_its_sources(gateway: InProcessService) -> None:
    response = await gateway.client.get("/v1/alerts/rules", headers=READER)
    assert response.status_code == 200
    rules = {r["rule"]: r for r in response.json()}
    assert len(rules) == 9 and all(r["source"] and r["rule_name"] for r in rules.values())
    assert rules["coverage_gap"]["thresholds"]["grace_days"]["value"] == 30
    assert "第五十八条" in rules["coverage_gap"]["thresholds"]["grace_days"]["source"]
    assert rules["talent_benefit_after_employment"]["illustrative"] is True


# ---- API: list, filters, county limit, acknowledge and resolve with audit ----------------------------------------


async def two_alerts(svc: InProcessService) -> tuple[str, str]:
    """An alert in 柯城区 (330802) about a person and one in 衢江区 (330803) about an employer."""
    person = factories.id_number()
    await apply(svc, decided(person, "b1", "2026-03-10"), employment(person, "2026-06-01"),
                benefit_paid(person, "b1", "2026-06"), below_minimum(factories.credit_code("330803"), "pay1"))
    [a] = await alerts(svc, "benefit_after_reemployment")
    [b] = await alerts(svc, "below_minimum_wage")
    return a.id, b.id


async def audit_rows(svc: InProcessService) -> list[dict[str, Any]]:
    t = svc.runtime.infra.audit_log
    async with svc.runtime.reader() as session:
        return [dict(r._mapping) for r in (await session.execute(select(t).order_by(t.c.id))).all()]


async def test_list_filters_and_masking(gateway: InProcessService) -> None:
    person_alert, employer_alert = await two_alerts(gateway)
    page = (await gateway.client.get("/v1/alerts", params={"rule": "benefit_after_reemployment"},
                                     headers=READER)).json()
    assert page["count"] == 1
    [item] = page["data"]
    assert item["id"] == person_alert and item["rule_name"] == "再就业后仍领取失业保险金"
    assert "*" in item["id_number"] and item["status"] == "open" and item["county_code"] == "330802"
    assert {e["topic"] for e in item["evidence"]} == {"hrss.social-insurance", "hrss.employment"}
    unmasked = (await gateway.client.get(f"/v1/alerts/{person_alert}", headers=PII_READER)).json()
    assert "*" not in unmasked["id_number"]
    by_county = (await gateway.client.get("/v1/alerts", params={"county_code": "330803"}, headers=READER)).json()
    assert [a["id"] for a in by_county["data"]] == [employer_alert]
    today = clock.today().isoformat()
    dated = await gateway.client.get("/v1/alerts", params={"from_date": today, "to_date": today}, headers=READER)
    assert dated.json()["count"] == 0  # detected on the events' day (2026), not today
    detected = (await gateway.client.get(f"/v1/alerts/{person_alert}", headers=READER)).json()["detected_at"][:10]
    ranged = await gateway.client.get("/v1/alerts", params={"from_date": detected, "to_date": detected,
                                                            "rule": "benefit_after_reemployment"}, headers=READER)
    assert ranged.json()["count"] == 1


async def test_county_client_sees_its_county_only(gateway: InProcessService) -> None:
    person_alert, employer_alert = await two_alerts(gateway)
    county = bearer(token("gateway:read", "gateway:supervise", county="330803"))
    page = (await gateway.client.get("/v1/alerts", headers=county)).json()
    assert [a["id"] for a in page["data"]] == [employer_alert]
    assert (await gateway.client.get(f"/v1/alerts/{person_alert}", headers=county)).status_code == 403
    assert (await gateway.client.get("/v1/alerts", params={"county_code": "330802"}, headers=county)).status_code \
        == 403
    refused = await gateway.client.post(f"/v1/alerts/{person_alert}/acknowledge", json={"note": "看"}, headers=county)
    assert refused.status_code == 403


async def test_acknowledge_and_resolve_are_audited_and_answer_the_new_status(gateway: InProcessService) -> None:
    alert, _ = await two_alerts(gateway)
    assert (await gateway.client.post(f"/v1/alerts/{alert}/acknowledge", json={"note": "核查中"},
                                      headers=READER)).status_code == 403
    ack = await gateway.client.post(f"/v1/alerts/{alert}/acknowledge", json={"note": "核查中"}, headers=SUPERVISOR)
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = await gateway.client.post(f"/v1/alerts/{alert}/acknowledge", json={"note": "再次"}, headers=SUPERVISOR)
    assert again.status_code == 409 and "acknowledged" in again.json()["detail"]
    assert (await gateway.client.post(f"/v1/alerts/{alert}/resolve", json={}, headers=SUPERVISOR)).status_code == 422
    done = await gateway.client.post(f"/v1/alerts/{alert}/resolve", json={"note": "已追回多发的失业保险金"},
                                     headers=SUPERVISOR)
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert [(n["action"], n["note"], n["by"]) for n in done.json()["notes"]] == [
        ("acknowledge", "核查中", "staff-1"), ("resolve", "已追回多发的失业保险金", "staff-1")]
    twice = await gateway.client.post(f"/v1/alerts/{alert}/resolve", json={"note": "x"}, headers=SUPERVISOR)
    assert twice.status_code == 409 and "resolved" in twice.json()["detail"]
    rows = [r for r in await audit_rows(gateway) if r["action"].startswith("alert.")]
    assert [(r["client_id"], r["action"].split(" ")[0]) for r in rows] == [
        ("staff-1", "alert.acknowledge"), ("staff-1", "alert.resolve")]
    assert alert in rows[1]["action"] and "resolved" in rows[1]["action"]
    listed_open = (await gateway.client.get("/v1/alerts", params={"status": "open"}, headers=READER)).json()
    assert alert not in [a["id"] for a in listed_open["data"]]
    resolved = (await gateway.client.get("/v1/alerts", params={"status": "resolved"}, headers=READER)).json()
    assert [a["id"] for a in resolved["data"]] == [alert]
    assert (await gateway.client.post("/v1/alerts/nope/resolve", json={"note": "x"},
                                      headers=SUPERVISOR)).status_code == 404


async def test_a_retracted_alert_is_not_open_and_takes_no_action(gateway: InProcessService) -> None:
    credit = factories.credit_code("330803")
    await apply(gateway, below_minimum(credit, "pay1"), ev(lr.PAYROLL_CANCELLED, {
        "id": "pay1", "project_id": "p1", "credit_code": credit, "county_code": "330803", "month": "2026-04",
        "cancelled_date": "2026-05-01", "reason": "重复录入"}))
    [alert] = await alerts(gateway, "below_minimum_wage", include_retracted=True)
    assert (await gateway.client.get("/v1/alerts", params={"status": "open"}, headers=READER)).json()["count"] == 0
    answer = (await gateway.client.get(f"/v1/alerts/{alert.id}", headers=READER)).json()
    assert answer["status"] == "retracted"
    refused = await gateway.client.post(f"/v1/alerts/{alert.id}/acknowledge", json={"note": "x"}, headers=SUPERVISOR)
    assert refused.status_code == 409 and "retracted" in refused.json()["detail"]


async def test_a_rebuild_recreates_the_same_ids_and_keeps_the_staff_actions(gateway: InProcessService) -> None:
    person = factories.id_number()
    events = [decided(person, "b1", "2026-03-10"), employment(person, "2026-06-01"),
              benefit_paid(person, "b1", "2026-06"), below_minimum(factories.credit_code("330803"), "pay1")]
    await apply(gateway, *events)
    before = sorted((a.id, a.evidence, a.summary) for a in await alerts(gateway))
    first = before[0][0]
    await gateway.client.post(f"/v1/alerts/{first}/resolve", json={"note": "已处理"}, headers=SUPERVISOR)
    async with gateway.runtime.maker() as session, session.begin():
        for model in (Alert, AlertFact):
            assert model.__tablename__ in TABLES
            await session.execute(delete(model))
    await apply(gateway, *events)
    assert sorted((a.id, a.evidence, a.summary) for a in await alerts(gateway)) == before
    assert (await gateway.client.get(f"/v1/alerts/{first}", headers=READER)).json()["status"] == "resolved"


async def test_alerts_for_person_from_a_session_and_from_the_key_lookups(gateway: InProcessService) -> None:
    person = factories.id_number()
    await apply(gateway, decided(person, "b1", "2026-03-10"), employment(person, "2026-06-01"),
                benefit_paid(person, "b1", "2026-06"))
    await gateway.client.post(f"/v1/alerts/{(await alerts(gateway, 'benefit_after_reemployment'))[0].id}/acknowledge",
                              json={"note": "核查"}, headers=SUPERVISOR)
    async with gateway.runtime.reader() as session:
        from_session = await alerts_for_person(session, person)
    from_lookups = await alerts_for_person(gateway.runtime.lookups, person)
    assert [a.model_dump() for a in from_session] == [a.model_dump() for a in from_lookups]
    assert {a.rule for a in from_session} >= {"benefit_after_reemployment"}
    assert next(a for a in from_session if a.rule == "benefit_after_reemployment").status == "acknowledged"
    assert await alerts_for_person(gateway.runtime.lookups, factories.id_number()) == []
