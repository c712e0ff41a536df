"""The employer view (GET /v1/employers/{credit_code}) and the bureau's lists of overdue wage-arrears cases and
arrears warnings, from events of every domain topic fed to the gateway's consumer in process: employees current
until the day their employment ends, contributions by month with arrears, cases and their deadlines (yesterday,
today, tomorrow), corrections moving a case, cancellations never listed, warnings by level and county, projects and
their online payroll, the dishonesty list, postings, bases and recognised talents — idempotent under redelivery."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.main import create_app
from gateway.readmodel import GROUP, HANDLERS, MODULES, TABLES
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lab
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared import clock
from hrss_shared.events import CloudEvent, Contract
from tests import factories
from tests.conftest import MoveToday
from tests.gateway.conftest import gateway_settings
from tests.gateway.events import apply, apply_batch, event
from tests.support import InProcessService, bearer, token

TODAY = date(2026, 6, 30)
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
READER = bearer(token("gateway:read"))
PII_READER = bearer(token("gateway:read", "pii:read"))
SOURCES = {"employment": "/hrss/employment", "training": "/hrss/training", "social-insurance": "/hrss/social-insurance",
           "labour-relations": "/hrss/labour-relations"}


@pytest.fixture
async def gw(tmp_path: Path, move_today: MoveToday) -> AsyncIterator[InProcessService]:
    move_today(TODAY)
    async with InProcessService(create_app, gateway_settings(tmp_path)) as svc:
        yield svc


def ev(contract: Contract[Any], **data: Any) -> CloudEvent:
    """An event of ``contract`` (its data checked against it), from the contract's service."""
    contract.parse(data)
    service = contract.type.split(".")[1]
    return event(contract.type, str(data[contract.subject]), data).model_copy(update={"source": SOURCES[service]})


def employer(credit_code: str, county: str = "330802", name: str = "衢州测试建工有限公司") -> CloudEvent:
    return ev(emp.EMPLOYER_REGISTERED, credit_code=credit_code, name=name, county_code=county, industry="建筑业",
              size="medium", is_construction=True)


def hired(credit_code: str, id_number: str, registration_id: str, start: str = "2026-01-05") -> CloudEvent:
    return ev(emp.EMPLOYMENT_REGISTERED, id=registration_id, id_number=id_number, name="王小明",
              credit_code=credit_code, employer_name="衢州测试建工有限公司", county_code="330802", start_date=start,
              occupation="砌筑工")


def left(credit_code: str, id_number: str, registration_id: str, end: date) -> CloudEvent:
    return ev(emp.EMPLOYMENT_TERMINATED, id=registration_id, id_number=id_number, credit_code=credit_code,
              end_date=end.isoformat(), reason="合同到期")


def case(contract: Contract[Any], case_id: str, credit_code: str, status: str, *, county: str = "330802",
         deadline: date | None = None, **extra: Any) -> CloudEvent:
    accepted = {"accepted_date": "2026-04-01", "deadline_date": deadline.isoformat()} if deadline else {}
    return ev(contract, id=case_id, credit_code=credit_code, employer_name="衢州测试建工有限公司", county_code=county,
              complainant_id_numbers=[factories.id_number()], workers_affected=3, amount_owed="30000.00",
              group_case=False, status=status, filed_date="2026-03-30", **{**accepted, **extra})


def warning_raised(warning_id: str, credit_code: str, score: float, county: str | None = "330802") -> CloudEvent:
    return ev(lab.WARNING_RAISED, id=warning_id, credit_code=credit_code, county_code=county, score=score,
              threshold=60.0, raised_date="2026-06-20", policy_source="平台自定（示例值）", illustrative=True,
              signals=[{"kind": "contribution_arrears", "reference": "arrears-1", "occurred_date": "2026-06-01",
                        "weight": 40.0, "points": 36.7},
                       {"kind": "complaint", "reference": "case-1", "occurred_date": "2026-06-10", "weight": 15.0,
                        "points": 14.3}])


def contribution(contract: Contract[Any], contribution_id: str, id_number: str, credit_code: str | None,
                 month: str = "2026-05", **extra: Any) -> CloudEvent:
    data: dict[str, Any] = {"id": contribution_id, "id_number": id_number, "county_code": "330802",
                            "insurance_type": "employee_pension", "credit_code": credit_code, "enrolment_id": "enr-1",
                            "month": month, **extra}
    if contract is not si.CONTRIBUTION_CANCELLED:
        data |= {"employer_amount": "960.00", "personal_amount": "480.00", "paid_date": "2026-06-15"}
    return ev(contract, **data)


async def view(svc: InProcessService, credit_code: str, headers: dict[str, str] = READER) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/employers/{credit_code}", headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def listing(svc: InProcessService, path: str, headers: dict[str, str] = READER,
                  **params: Any) -> dict[str, Any]:
    r = await svc.client.get(path, params=params, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_employer_tables_are_read_models_of_the_new_group() -> None:
    assert GROUP == "gateway-readmodel-v4"
    assert TABLES == ["person_sections", "person_views", "person_views_pending", "employer_sections", "person_cards",
                      "employer_directory", "employer_employees", "employer_contributions", "employer_cases",
                      "employer_warnings"]
    for topic, handlers in MODULES.items():  # every type of every topic still reaches its module
        assert set(handlers) <= set(HANDLERS), topic


async def test_employees_are_current_until_the_day_their_employment_ends(gw: InProcessService) -> None:
    x = factories.credit_code()
    stays, went_yesterday, goes_today, early = (factories.id_number() for _ in range(4))
    await apply(gw, employer(x),
                hired(x, stays, "reg-1"),
                hired(x, went_yesterday, "reg-2"), left(x, went_yesterday, "reg-2", YESTERDAY),
                hired(x, goes_today, "reg-3"), left(x, goes_today, "reg-3", TODAY),
                left(x, early, "reg-4", YESTERDAY), hired(x, early, "reg-4"))  # the termination arrived first
    body = await view(gw, x)
    employees = body["employees"]
    assert employees["count"] == 2
    assert [(e["registration_id"], e["end_date"]) for e in employees["employees"]] == [("reg-1", None),
                                                                                        ("reg-3", TODAY.isoformat())]
    assert employees["employees"][0]["id_number"] == stays[:4] + "*" * 10 + stays[-4:]  # masked without pii:read
    unmasked = await view(gw, x, PII_READER)
    assert {e["id_number"] for e in unmasked["employees"]["employees"]} == {stays, goes_today}
    assert body["profile"]["name"] == "衢州测试建工有限公司" and body["profile"]["county_name"] == "柯城区"
    assert body["employees"]["as_of"] is not None and body["profile"]["as_of"] is not None

    with clock.freeze(TOMORROW):
        assert (await view(gw, x))["employees"]["count"] == 1  # the one who left "today" is gone tomorrow


async def test_unknown_employer_is_404_bad_credit_code_422_and_county_clients_see_only_their_own(
    gw: InProcessService,
) -> None:
    x = factories.credit_code("330881")
    await apply(gw, employer(x, county="330881"))
    r = await gw.client.get(f"/v1/employers/{factories.credit_code()}", headers=READER)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    wrong_check = x[:-1] + ("0" if x[-1] != "0" else "1")
    r = await gw.client.get(f"/v1/employers/{wrong_check}", headers=READER)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_code", r.text
    r = await gw.client.get(f"/v1/employers/{x}", headers=bearer(token("gateway:read", county="330802")))
    assert r.status_code == 403
    r = await gw.client.get(f"/v1/employers/{x}", headers=bearer(token("gateway:read", county="330881")))
    assert r.status_code == 200
    assert (await gw.client.get(f"/v1/employers/{x}", headers=bearer(token("training:read")))).status_code == 403
    assert (await gw.client.get(f"/v1/employers/{x}", headers={"Authorization": ""})).status_code == 401


async def test_an_employer_known_only_from_a_registration_or_a_contribution_is_found(gw: InProcessService) -> None:
    x, y = factories.credit_code(), factories.credit_code()
    await apply(gw, hired(x, factories.id_number(), "reg-only"),
                contribution(si.CONTRIBUTION_POSTED, "c-only", factories.id_number(), y))
    body = await view(gw, x)
    assert body["employees"]["count"] == 1 and body["profile"]["name"] is None
    assert (await view(gw, y))["insurance"]["latest_month"] == "2026-05"


async def test_contributions_by_month_and_arrears(gw: InProcessService) -> None:
    x, y = factories.credit_code(), factories.credit_code()
    a, b = factories.id_number(), factories.id_number()
    await apply(gw, employer(x), employer(y),
                contribution(si.CONTRIBUTION_POSTED, "c1", a, x, "2026-04"),
                contribution(si.CONTRIBUTION_POSTED, "c2", a, x, "2026-05"),
                contribution(si.CONTRIBUTION_POSTED, "c3", b, x, "2026-05"),
                contribution(si.CONTRIBUTION_POSTED, "c4", b, x, "2026-05", insurance_type="unemployment"),
                contribution(si.CONTRIBUTION_CANCELLED, "c4", b, x, "2026-05", insurance_type="unemployment",
                             cancelled_date="2026-06-16", reason="重复记账"),
                contribution(si.CONTRIBUTION_POSTED, "c4", b, x, "2026-05", insurance_type="unemployment"),  # again
                contribution(si.CONTRIBUTION_POSTED, "c5", b, x, "2026-03"),
                contribution(si.CONTRIBUTION_CORRECTED, "c5", b, y, "2026-03", reason="缴费单位录入错误",
                             changed=["credit_code"], previous={"credit_code": x}),
                contribution(si.CONTRIBUTION_POSTED, "c6", b, None, "2026-05"))  # paid by the person
    insurance = (await view(gw, x))["insurance"]
    assert insurance["status"] == "paid_up" and insurance["latest_month"] == "2026-05"
    assert [(m["month"], m["persons"], m["employer_amount"], m["personal_amount"]) for m in insurance["months"]] == [
        ("2026-05", 2, "1920.00", "960.00"), ("2026-04", 1, "960.00", "480.00")]
    assert [m["month"] for m in (await view(gw, y))["insurance"]["months"]] == ["2026-03"]  # the correction moved it

    raised = ev(si.CONTRIBUTION_ARREARS_RAISED, id="arr-1", credit_code=x, county_code="330802", month="2026-06",
                consecutive_months=2, person_count=1,
                persons=[{"id_number": a, "insurance_type": "employee_pension", "months": ["2026-05", "2026-06"]}])
    await apply(gw, raised)
    insurance = (await view(gw, x))["insurance"]
    assert insurance["status"] == "in_arrears"
    [item] = insurance["arrears"]
    assert (item["status"], item["consecutive_months"], item["persons"][0]["months"]) == (
        "raised", 2, ["2026-05", "2026-06"])
    assert item["persons"][0]["id_number"] != a  # masked
    await apply(gw, ev(si.CONTRIBUTION_ARREARS_RESOLVED, id="arr-1", credit_code=x, county_code="330802",
                       month="2026-06", resolved_on="2026-06-25"), raised)  # the raise redelivered after
    insurance = (await view(gw, x))["insurance"]
    assert insurance["status"] == "paid_up"
    assert (insurance["arrears"][0]["status"], insurance["arrears"][0]["resolved_on"]) == ("resolved", "2026-06-25")


async def test_overdue_cases_counted_in_calendar_days_from_the_day_after_the_deadline(gw: InProcessService) -> None:
    x, y = factories.credit_code(), factories.credit_code("330881")
    await apply(gw, employer(x), employer(y, county="330881"),
                case(lab.ARREARS_CASE_ACCEPTED, "due-yesterday", x, "accepted", deadline=YESTERDAY),
                case(lab.ARREARS_CASE_ACCEPTED, "due-today", x, "accepted", deadline=TODAY),
                case(lab.ARREARS_CASE_ACCEPTED, "due-tomorrow", x, "accepted", deadline=TOMORROW),
                case(lab.ARREARS_CASE_ACCEPTED, "long-ago", y, "accepted", county="330881",
                     deadline=date(2026, 5, 31)),
                case(lab.ARREARS_CASE_RESOLVED, "resolved-late", x, "resolved", deadline=date(2026, 6, 1),
                     amount_recovered="30000.00"),
                case(lab.ARREARS_CASE_REGISTERED, "not-accepted", x, "registered"),
                case(lab.ARREARS_CASE_CLOSED, "closed", x, "closed", deadline=date(2026, 5, 1),
                     concluded_date="2026-05-20", on_time=False),
                case(lab.ARREARS_CASE_ACCEPTED, "cancelled", x, "accepted", deadline=date(2026, 5, 1)),
                case(lab.ARREARS_CASE_CANCELLED, "cancelled", x, "cancelled", deadline=date(2026, 5, 1),
                     reason="重复登记"),
                case(lab.ARREARS_CASE_ACCEPTED, "cancelled", x, "accepted", deadline=date(2026, 5, 1)))  # late
    page = await listing(gw, "/v1/arrears-cases/overdue")
    assert [(c["id"], c["days_overdue"]) for c in page["data"]] == [
        ("long-ago", 30), ("resolved-late", 29), ("due-yesterday", 1)]
    assert page["count"] == 3 and set(page["data"][0]) >= {
        "id", "credit_code", "employer_name", "county_code", "status", "accepted_date", "deadline_date",
        "days_overdue", "workers_affected", "amount_owed"}
    assert page["data"][2]["amount_owed"] == "30000.00"
    assert [c["id"] for c in (await listing(gw, "/v1/arrears-cases/overdue", county_code="330802"))["data"]] == [
        "resolved-late", "due-yesterday"]
    assert [c["id"] for c in (await listing(gw, "/v1/arrears-cases/overdue", limit=1, offset=1))["data"]] == [
        "resolved-late"]

    county_client = bearer(token("gateway:read", county="330881"))
    assert [c["id"] for c in (await listing(gw, "/v1/arrears-cases/overdue", county_client))["data"]] == ["long-ago"]
    r = await gw.client.get("/v1/arrears-cases/overdue", params={"county_code": "330802"}, headers=county_client)
    assert r.status_code == 403

    cases = (await view(gw, x))["arrears_cases"]
    assert {c["id"] for c in cases["cases"]} == {"due-yesterday", "due-today", "due-tomorrow", "resolved-late",
                                                 "not-accepted", "closed"}  # the cancelled one is not listed
    by_id = {c["id"]: c for c in cases["cases"]}
    assert (by_id["due-yesterday"]["overdue"], by_id["due-yesterday"]["days_overdue"]) == (True, 1)
    assert (by_id["due-today"]["overdue"], by_id["due-today"]["days_overdue"]) == (False, None)
    assert by_id["due-tomorrow"]["overdue"] is False and by_id["closed"]["overdue"] is False
    assert (cases["running"], cases["overdue"]) == (4, 2)


async def test_a_correction_that_names_another_employer_moves_the_case(gw: InProcessService) -> None:
    x, y = factories.credit_code(), factories.credit_code()
    accepted = case(lab.ARREARS_CASE_ACCEPTED, "moved", x, "accepted", deadline=YESTERDAY)
    corrected = case(lab.ARREARS_CASE_CORRECTED, "moved", y, "accepted", deadline=YESTERDAY,
                     changed=["credit_code"], reason="被投诉单位录入错误")
    await apply(gw, employer(x), employer(y), accepted, corrected, accepted)  # the older event redelivered last
    assert (await view(gw, x))["arrears_cases"]["cases"] == []
    assert [c["id"] for c in (await view(gw, y))["arrears_cases"]["cases"]] == ["moved"]
    [row] = (await listing(gw, "/v1/arrears-cases/overdue"))["data"]
    assert (row["id"], row["credit_code"]) == ("moved", y)


async def test_warnings_listed_by_level_and_county_while_open(gw: InProcessService) -> None:
    x, y, z, w = (factories.credit_code(c) for c in ("330802", "330881", "330802", "330802"))
    await apply(gw, employer(x, name="甲公司"), employer(y, county="330881", name="乙公司"), employer(z, name="丙公司"),
                warning_raised("w-x", x, 90.0),  # 1.5 × threshold: orange
                warning_raised("w-y", y, 61.0, county=None),  # no county in the warning: the employer's
                warning_raised("w-z", z, 130.0),  # 2 × threshold and more: red
                ev(lab.WARNING_CLEARED, id="w-w", credit_code=w, county_code="330802", score=20.0, threshold=60.0,
                   cleared_date="2026-06-25"),
                warning_raised("w-w", w, 70.0))  # the raise arrived after its clearing: stays cleared
    page = await listing(gw, "/v1/warnings")
    assert [(i["credit_code"], i["level"], i["employer_name"], i["county_code"]) for i in page["data"]] == [
        (z, "red", "丙公司", "330802"), (x, "orange", "甲公司", "330802"), (y, "yellow", "乙公司", "330881")]
    first = page["data"][0]
    assert set(first) >= {"credit_code", "employer_name", "county_code", "score", "level", "signals", "as_of"}
    assert first["signals"][0] == {**first["signals"][0], "code": "contribution_arrears", "name": "社保欠缴",
                                   "weight": 40.0}
    assert first["signals"][0]["detail"] and first["illustrative"] is True
    assert [i["credit_code"] for i in (await listing(gw, "/v1/warnings", level="orange"))["data"]] == [x]
    assert [i["credit_code"] for i in (await listing(gw, "/v1/warnings", county_code="330881"))["data"]] == [y]
    r = await gw.client.get("/v1/warnings", params={"level": "purple"}, headers=READER)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "level"

    await apply(gw, ev(lab.WARNING_CLEARED, id="w-x", credit_code=x, county_code="330802", score=50.0,
                       threshold=60.0, cleared_date="2026-06-28"))
    assert [i["credit_code"] for i in (await listing(gw, "/v1/warnings"))["data"]] == [z, y]
    warning = (await view(gw, x))["warning"]
    assert (warning["status"], warning["current"]) == ("cleared", None)
    assert [(h["id"], h["status"], h["level"], h["cleared_score"]) for h in warning["history"]] == [
        ("w-x", "cleared", "orange", 50.0)]
    current = (await view(gw, z))["warning"]
    assert (current["status"], current["current"]["score"], current["current"]["level_name"]) == (
        "open", 130.0, "红色预警")
    assert (await view(gw, w))["warning"]["status"] == "cleared"


async def test_projects_and_their_online_payroll(gw: InProcessService) -> None:
    x = factories.credit_code()
    common = {"credit_code": x, "county_code": "330802", "project_id": "p-1"}
    worker = [{"id_number": factories.id_number(), "amount": "3000.00"}]
    paid = {"worker_count": 1, "total_amount": "3000.00", "workers": worker, "below_minimum_count": 0,
            "minimum_wage": "2280.00", "minimum_wage_source": "浙江省最低工资标准", "illustrative": False}
    await apply(gw, employer(x),
                ev(lab.PROJECT_REGISTERED, id="p-1", name="衢州测试安置房工程", credit_code=x,
                   contractor_name="衢州测试建工有限公司", county_code="330802", start_date="2026-01-01",
                   has_wage_account=True, status="active"),
                ev(lab.PAYROLL_RECORDED, id="pay-4", month="2026-04", paid_date="2026-05-10", online=True, **common,
                   **paid),
                ev(lab.PAYROLL_RECORDED, id="pay-5", month="2026-05", paid_date="2026-06-10", online=False, **common,
                   **paid),
                ev(lab.PAYROLL_RECORDED, id="pay-x", month="2026-03", paid_date="2026-04-10", online=False, **common,
                   **paid),
                ev(lab.PAYROLL_CANCELLED, id="pay-x", month="2026-03", cancelled_date="2026-04-12",
                   reason="录入错误", **common),
                ev(lab.PAYROLL_MISSED, id="miss-3", month="2026-03", pay_by_date="2026-04-15", **common))
    projects = (await view(gw, x))["projects"]
    [project] = projects["projects"]
    assert (project["name"], project["status"], project["has_wage_account"]) == (
        "衢州测试安置房工程", "registered", True)
    assert (project["months_paid"], project["months_paid_online"], project["online_share"],
            project["months_missed"]) == (["2026-04", "2026-05"], ["2026-04"], "0.5000", ["2026-03"])
    assert (projects["payrolls"], projects["online_share"], projects["months_missed"]) == (2, "0.5000", 1)


async def test_dishonesty_postings_bases_and_recognised_talents(gw: InProcessService) -> None:
    x = factories.credit_code()
    talent, former = factories.id_number(), factories.id_number()
    listed = {"id": "d-1", "credit_code": x, "employer_name": "衢州测试建工有限公司", "county_code": "330802",
              "decision_reference": "衢人社失信〔2026〕1号", "decision_date": "2026-02-01"}
    approved = {"county_code": "330802", "tier": "D", "status": "approved", "name": "王小明", "credit_code": x,
                "recognition_number": "QZ2026D001", "valid_from": "2026-01-01", "valid_until": "2028-12-31"}
    await apply(gw, employer(x),
                ev(lab.DISHONEST_EMPLOYER_LISTED, **listed, status="listed"),
                ev(emp.JOB_POSTING_PUBLISHED, id="post-1", credit_code=x, employer_name="衢州测试建工有限公司",
                   occupation="砌筑工", title="砌筑工", count=5, min_monthly_wage="5000", max_monthly_wage="7000",
                   county_code="330802", closing_date="2026-07-31", published_date="2026-06-01"),
                ev(emp.JOB_POSTING_PUBLISHED, id="post-2", credit_code=x, employer_name="衢州测试建工有限公司",
                   occupation="钢筋工", title="钢筋工", count=2, min_monthly_wage="6000", max_monthly_wage="8000",
                   county_code="330802", closing_date="2026-06-30", published_date="2026-05-01"),
                ev(emp.JOB_POSTING_CLOSED, id="post-2", credit_code=x, county_code="330802", status="filled",
                   closed_date="2026-06-10"),
                ev(tr.TRAINING_BASE_RECOGNISED, id="base-1", credit_code=x, county_code="330802",
                   platform_type="training_base", base_kind="enterprise_high_skill_demo", level="city",
                   name="衢州测试建工高技能人才培训基地", employer_name="衢州测试建工有限公司",
                   occupation_codes=["6-29-01-01"], recognised_date="2026-03-01"),
                hired(x, talent, "reg-t"), hired(x, former, "reg-f"), left(x, former, "reg-f", YESTERDAY),
                ev(tr.TALENT_RECOGNITION_APPROVED, id="rec-1", id_number=talent, **approved),
                ev(tr.TALENT_RECOGNITION_APPROVED, id="rec-2", id_number=former, **approved))
    body = await view(gw, x)
    assert (body["dishonesty"]["listed"], body["dishonesty"]["entry"]["decision_reference"]) == (
        True, "衢人社失信〔2026〕1号")
    postings = body["job_postings"]
    assert [(p["id"], p["status"], p["min_monthly_wage"]) for p in postings["postings"]] == [
        ("post-1", "published", "5000.00"), ("post-2", "filled", "6000.00")]
    assert postings["open"] == 1
    [base] = body["training"]["training_bases"]
    assert (base["name"], base["status"], base["level"]) == ("衢州测试建工高技能人才培训基地", "recognised", "city")
    [person] = body["talents"]["talents"]
    assert (person["recognition_id"], person["tier"], person["id_number"][-4:]) == ("rec-1", "D", talent[-4:])
    assert person["id_number"] != talent

    await apply(gw, ev(lab.DISHONEST_EMPLOYER_REMOVED, **listed, status="removed", removed_date="2026-06-20",
                       removal_reason="信用修复"))
    assert (await view(gw, x))["dishonesty"]["listed"] is False


async def test_redelivered_batches_change_nothing(gw: InProcessService) -> None:
    x = factories.credit_code()
    person = factories.id_number()
    events = [employer(x), hired(x, person, "reg-1"),
              contribution(si.CONTRIBUTION_POSTED, "c1", person, x),
              case(lab.ARREARS_CASE_ACCEPTED, str(uuid.uuid4()), x, "accepted", deadline=YESTERDAY),
              warning_raised("w-1", x, 75.0)]
    await apply_batch(gw, *events)
    first = await view(gw, x)
    await apply_batch(gw, *events, *events)
    await apply(gw, *reversed(events))
    assert await view(gw, x) == first
    assert (await listing(gw, "/v1/arrears-cases/overdue"))["count"] == 1
    assert (await listing(gw, "/v1/warnings"))["count"] == 1
