"""失业保险金 across the real broker: an unemployment registration POSTed to employment with its coded separation
reason is decided by social insurance; a later employment registration stops the benefit from its start date, and a
payment for a month after that is recorded and published flagged for supervision — each event once and valid."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from hrss_shared.events import CloudEvent
from social_insurance.common import month_at, month_index
from social_insurance.config import SocialInsuranceSettings
from social_insurance.contributions.models import Contribution
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_social_insurance_one_stop import Pair, social_events
from tests.support import InProcessService, KafkaNode, eventually, service_settings


@pytest.fixture
async def pair(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[Pair]:
    move_today(date(2026, 3, 10))
    emp = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await make_db("employment"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    si = InProcessService(create_social_insurance, service_settings(
        SocialInsuranceSettings, db_url=await make_db("social_insurance"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    async with emp, si:
        yield Pair(employment=emp, social=si)


async def benefits_of(svc: InProcessService, id_number: str) -> list[dict[str, Any]]:
    r = await svc.client.get("/v1/unemployment-benefits", params={"id_number": id_number})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def contribution_history(social: InProcessService, person: str) -> None:
    """24 months of unemployment contributions up to 2026-02, written straight into the service's history (enough
    for a 12-month benefit; no events)."""
    async with social.runtime.maker() as session, session.begin():
        for i in range(24):
            session.add(Contribution(
                id_number=person, county_code="330802", insurance_type="unemployment", credit_code=None,
                enrolment_id="history", month=month_at(month_index("2026-02") - i), base=Decimal("5000.00"),
                employer_amount=Decimal("25.00"), personal_amount=Decimal("25.00"), paid_date=date(2026, 1, 1)))


async def test_re_employment_stops_the_benefit_and_a_later_payment_is_flagged(
    pair: Pair, kafka: KafkaNode, prefix: str
) -> None:
    person = factories.id_number(birth=date(1990, 5, 17))
    await contribution_history(pair.social, person)
    seeker = factories.job_seeker(id_number=person)
    assert (await pair.employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    r = await pair.employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": seeker["name"], "county_code": "330802", "registered_date": "2026-03-02",
        "separation_reason": "contract_expired"})
    assert r.status_code == 201, r.text
    assert r.json()["separation_reason"] == "contract_expired"
    registration_id = r.json()["id"]

    async def decided() -> list[dict[str, Any]] | None:
        return await benefits_of(pair.social, person) or None
    [benefit] = await eventually(decided, timeout=90, interval=0.5)
    assert (benefit["status"], benefit["unemployment_registration_id"], benefit["months_entitled"],
            benefit["separation_reason"]) == ("active", registration_id, 12, "contract_expired")
    assert (await pair.social.client.post(f"/v1/unemployment-benefits/{benefit['id']}/payments",
                                          json={"month": "2026-03"})).status_code == 201

    employer = factories.employer()
    assert (await pair.employment.client.post("/v1/employers", json=employer)).status_code == 201
    r = await pair.employment.client.post("/v1/employment-registrations", json={
        "id_number": person, "name": seeker["name"], "credit_code": employer["credit_code"],
        "start_date": "2026-03-09"})
    assert r.status_code == 201, r.text

    async def stopped() -> dict[str, Any] | None:
        [found] = await benefits_of(pair.social, person)
        return found if found["status"] == "stopped" else None
    found = await eventually(stopped, timeout=90, interval=0.5)
    assert (found["stopped_date"], found["stop_reason"], found["months_paid"]) == ("2026-03-09", "reemployed", 1)
    r = await pair.social.client.post(f"/v1/unemployment-benefits/{benefit['id']}/payments", json={"month": "2026-04"})
    assert (r.status_code, r.json()["after_stop"]) == (201, True)

    async def published() -> list[CloudEvent] | None:
        events = [e for e in await social_events(kafka, prefix) if e.subject == person]
        return events if any(e.data.get("after_stop") for e in events) else None
    events = await eventually(published, timeout=60, interval=0.5)
    benefit_events = [(e.type.removeprefix("hrss.social-insurance.").removesuffix(".v1"), e.data.get("after_stop"))
                      for e in events if "benefit" in e.type]
    assert benefit_events == [("unemployment_benefit.decided", None), ("benefit_payment.posted", False),
                              ("unemployment_benefit.stopped", None), ("benefit_payment.posted", True)]
    [stop] = [e for e in events if e.type.endswith("unemployment_benefit.stopped.v1")]
    assert (stop.data["stopped_date"], stop.data["stop_reason"], stop.data["months_remaining"]) == (
        "2026-03-09", "reemployed", 11)
