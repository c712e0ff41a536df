"""The employer view across the real broker: an employer and its employee registered with the real employment
service, contributions posted with the real social-insurance service and a wage-arrears case filed and accepted with
the real labour-relations service all show in the gateway's ``GET /v1/employers/{credit_code}``, and the case, past
its deadline, in ``GET /v1/arrears-cases/overdue`` — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app as create_labour
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.support import InProcessService, KafkaNode, bearer, eventually, service_settings, token

READER = bearer(token("gateway:read"))
TODAY = date(2026, 11, 20)


@dataclass
class Stack:
    employment: InProcessService
    social: InProcessService
    labour: InProcessService
    gateway: InProcessService


@pytest.fixture
async def stack(make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path,
                move_today: MoveToday) -> AsyncIterator[Stack]:
    move_today(TODAY)

    async def settings(cls: Any, name: str) -> Any:
        return service_settings(cls, db_url=await make_db(name), bootstrap=kafka.bootstrap, prefix=prefix,
                                data_dir=tmp_path)
    emp = InProcessService(create_employment, await settings(EmploymentSettings, "employment"))
    si = InProcessService(create_social_insurance, await settings(SocialInsuranceSettings, "social_insurance"))
    lr = InProcessService(create_labour, await settings(LabourRelationsSettings, "labour"))
    gw = InProcessService(create_gateway, await settings(GatewaySettings, "gateway"))
    async with emp, si, lr, gw:
        yield Stack(employment=emp, social=si, labour=lr, gateway=gw)


async def test_the_employer_view_shows_what_the_services_recorded(stack: Stack) -> None:
    employer = factories.employer()
    credit_code = employer["credit_code"]
    assert (await stack.employment.client.post("/v1/employers", json=employer)).status_code == 201
    seeker = factories.job_seeker()
    person = seeker["id_number"]
    assert (await stack.employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await stack.employment.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": seeker["name"], "credit_code": credit_code, "start_date": "2026-10-15"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]

    async def enrolled() -> bool:
        r = await stack.social.client.get("/v1/enrolments", params={"id_number": person})
        return r.status_code == 200 and len(r.json()["data"]) == 3
    await eventually(enrolled, timeout=90, interval=0.5)
    r = await stack.social.client.post("/v1/contributions/bulk", json={
        "credit_code": credit_code, "month": "2026-10", "rows": [
            {"id_number": person, "insurance_type": kind, "declared_base": "6000.00"}
            for kind in ("employee_pension", "unemployment", "work_injury")]})
    assert r.status_code == 200 and r.json()["accepted"] == 3, r.text

    r = await stack.labour.client.post("/v1/arrears-cases", json={
        "credit_code": credit_code, "employer_name": employer["name"], "county_code": "330802",
        "complainants": [{"id_number": person, "name": seeker["name"]}], "workers_affected": 1,
        "amount_owed": "12000.00", "filed_date": "2026-08-03"})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    r = await stack.labour.client.post(f"/v1/arrears-cases/{case_id}/accept", json={"accepted_date": "2026-08-03"})
    assert r.status_code == 200, r.text
    deadline = date.fromisoformat(r.json()["deadline_date"])
    assert deadline < TODAY

    async def shown() -> dict[str, Any] | None:
        r = await stack.gateway.client.get(f"/v1/employers/{credit_code}", headers=READER)
        if r.status_code != 200:
            return None
        body: dict[str, Any] = r.json()
        ready = (body["profile"]["name"] and body["employees"]["count"] == 1 and body["insurance"]["months"]
                 and body["arrears_cases"]["cases"] and body["arrears_cases"]["cases"][0]["status"] == "accepted")
        return body if ready else None
    body = await eventually(shown, timeout=90, interval=0.5)
    assert (body["credit_code"], body["profile"]["name"], body["profile"]["county_code"]) == (
        credit_code, employer["name"], "330802")
    [employee] = body["employees"]["employees"]
    assert (employee["registration_id"], employee["start_date"]) == (registration_id, "2026-10-15")
    assert employee["id_number"] != person and employee["id_number"][-4:] == person[-4:]  # masked
    [month] = body["insurance"]["months"]
    assert (month["month"], month["persons"], body["insurance"]["status"]) == ("2026-10", 1, "paid_up")
    [case] = body["arrears_cases"]["cases"]
    days = (TODAY - deadline).days
    assert (case["id"], case["overdue"], case["days_overdue"], case["amount_owed"]) == (
        case_id, True, days, "12000.00")
    assert all(body[s]["as_of"] for s in ("profile", "employees", "insurance", "arrears_cases"))

    page = (await stack.gateway.client.get("/v1/arrears-cases/overdue", headers=READER)).json()
    assert [(c["id"], c["credit_code"], c["days_overdue"], c["employer_name"]) for c in page["data"]] == [
        (case_id, credit_code, days, employer["name"])]
