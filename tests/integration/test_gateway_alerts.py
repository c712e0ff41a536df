"""政策监管 alerts end to end: the real employment and social-insurance services, through their APIs, publish on the
real broker what the gateway's alerts consumer turns into alerts — (1) a benefit paid for the month of re-employment
(the month before stays quiet) and (2) an employer's contribution for a month the person was registered unemployed
for (the month of registration stays quiet) — each alert naming the events that prove it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.alerts.rules import alert_id
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from social_insurance.common import month_at, month_index
from social_insurance.config import SocialInsuranceSettings
from social_insurance.contributions.models import Contribution
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.support import InProcessService, KafkaNode, bearer, eventually, service_settings, token

READER = bearer(token("gateway:read", "pii:read"))


@dataclass
class Stack:
    employment: InProcessService
    social: InProcessService
    gateway: InProcessService


@pytest.fixture
async def stack(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[Stack]:
    move_today(date(2026, 5, 10))

    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    emp = InProcessService(create_employment, settings(EmploymentSettings, await make_db("employment")))
    si = InProcessService(create_social_insurance, settings(SocialInsuranceSettings, await make_db("social_insurance")))
    gw = InProcessService(create_gateway, settings(GatewaySettings, await make_db("gateway")))
    async with emp, si, gw:
        yield Stack(employment=emp, social=si, gateway=gw)


async def register_unemployed(stack: Stack, person: str, registered: str) -> dict[str, Any]:
    seeker = factories.job_seeker(id_number=person)
    assert (await stack.employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await stack.employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": seeker["name"], "county_code": "330802", "registered_date": registered,
        "separation_reason": "contract_expired"})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def alerts_of(stack: Stack, rule: str, person: str) -> list[dict[str, Any]]:
    r = await stack.gateway.client.get("/v1/alerts", params={"rule": rule, "limit": 500}, headers=READER)
    assert r.status_code == 200, r.text
    return [a for a in r.json()["data"] if a["id_number"] == person]


async def test_benefit_after_reemployment_and_contributions_while_unemployed(stack: Stack) -> None:
    # (1) a benefit paid for the month of re-employment
    person = factories.id_number(birth=date(1990, 5, 17))
    async with stack.social.runtime.maker() as session, session.begin():  # 24 months of contributions before
        for i in range(24):
            session.add(Contribution(
                id_number=person, county_code="330802", insurance_type="unemployment", credit_code=None,
                enrolment_id="history", month=month_at(month_index("2026-02") - i), base=Decimal("5000.00"),
                employer_amount=Decimal("25.00"), personal_amount=Decimal("25.00"), paid_date=date(2026, 1, 1)))
    await register_unemployed(stack, person, "2026-03-02")

    async def decided() -> dict[str, Any] | None:
        r = await stack.social.client.get("/v1/unemployment-benefits", params={"id_number": person})
        data: list[dict[str, Any]] = r.json()["data"]
        return data[0] if data else None
    benefit = await eventually(decided, timeout=90, interval=0.5)
    march = await stack.social.client.post(f"/v1/unemployment-benefits/{benefit['id']}/payments",
                                           json={"month": "2026-03"})
    assert march.status_code == 201, march.text
    employer = factories.employer()
    assert (await stack.employment.client.post("/v1/employers", json=employer)).status_code == 201
    job = await stack.employment.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": "王小明", "credit_code": employer["credit_code"], "start_date": "2026-04-01"})
    assert job.status_code == 201, job.text

    async def stopped() -> bool | None:
        r = await stack.social.client.get("/v1/unemployment-benefits", params={"id_number": person})
        return True if r.json()["data"][0]["status"] == "stopped" else None
    await eventually(stopped, timeout=90, interval=0.5)
    april = await stack.social.client.post(f"/v1/unemployment-benefits/{benefit['id']}/payments",
                                           json={"month": "2026-04"})
    assert april.status_code == 201, april.text

    async def raised() -> list[dict[str, Any]] | None:
        return await alerts_of(stack, "benefit_after_reemployment", person) or None
    [alert] = await eventually(raised, timeout=90, interval=0.5)
    assert alert["status"] == "open" and alert["county_code"] == "330802"
    assert alert["detail"]["month"] == "2026-04" and alert["detail"]["reemployed_date"] == "2026-04-01"
    kinds = {(e["topic"], e["type"]) for e in alert["evidence"]}
    assert ("hrss.social-insurance", "hrss.social-insurance.benefit_payment.posted.v1") in kinds
    assert ("hrss.employment", "hrss.employment.employment.registered.v1") in kinds
    assert alert["id"] == alert_id("benefit_after_reemployment", person, april.json()["id"])
    # The person view carries the alerts about the person (also a coverage gap: the new job from 2026-04-01 has no
    # insurance enrolment 39 days later).
    view = (await stack.gateway.client.get(f"/v1/persons/{person}", headers=READER)).json()
    assert alert["id"] in [a["id"] for a in view["alerts"]]
    assert {a["rule"] for a in view["alerts"]} == {"benefit_after_reemployment", "coverage_gap"}

    # (2) an employer's contribution for a month the person was registered unemployed for, the whole of it
    other = factories.id_number(birth=date(1988, 3, 1))
    await register_unemployed(stack, other, "2026-03-02")
    employer2 = factories.employer()
    r = await stack.social.client.post("/v1/enrolments", json={
        "id_number": other, "name": "李四", "county_code": "330802", "insurance_type": "employee_pension",
        "credit_code": employer2["credit_code"], "start_date": "2026-03-01"})
    assert r.status_code == 201, r.text
    for month in ("2026-03", "2026-04"):
        r = await stack.social.client.post("/v1/contributions", json={
            "id_number": other, "insurance_type": "employee_pension", "month": month,
            "credit_code": employer2["credit_code"], "declared_base": "5000.00"})
        assert r.status_code == 201, r.text

    async def contributing() -> list[dict[str, Any]] | None:
        return await alerts_of(stack, "unemployed_while_contributing", other) or None
    [alert] = await eventually(contributing, timeout=90, interval=0.5)
    assert alert["detail"]["month"] == "2026-04"  # March, the month of registration, stays quiet
    assert alert["credit_code"] == employer2["credit_code"]
    assert {e["type"] for e in alert["evidence"]} >= {"hrss.social-insurance.contribution.posted.v1",
                                                      "hrss.employment.unemployment.registered.v1"}
    assert [a["detail"]["month"] for a in await alerts_of(stack, "benefit_after_reemployment", person)] == ["2026-04"]
