"""A scripted life across every service on real Kafka and PostgreSQL, read back from the gateway's 一卡通 view:
job seeker → employed → insured (参保) → unemployed with 失业保险金 and a 再就业培训券 → 技能等级证书 → re-employed,
the benefit stopped — each step in the section of the domain that owns it, the view agreeing with the services."""

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
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app as create_labour
from social_insurance.common import month_at, month_index
from social_insurance.config import SocialInsuranceSettings
from social_insurance.contributions.models import Contribution
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.support import InProcessService, KafkaNode, bearer, eventually, service_settings, token
from tests.training.helpers import certificate_body
from training.config import TrainingSettings
from training.main import create_app as create_training

READER = bearer(token("gateway:read", "pii:read"))


@dataclass
class City:
    employment: InProcessService
    training: InProcessService
    social: InProcessService
    labour: InProcessService
    gateway: InProcessService


@pytest.fixture
async def city(make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path,
               move_today: MoveToday) -> AsyncIterator[City]:
    move_today(date(2026, 4, 10))

    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    services = City(
        employment=InProcessService(create_employment, settings(EmploymentSettings, await make_db("employment"))),
        training=InProcessService(create_training, settings(TrainingSettings, await make_db("training"))),
        social=InProcessService(create_social_insurance,
                                settings(SocialInsuranceSettings, await make_db("social_insurance"))),
        labour=InProcessService(create_labour, settings(LabourRelationsSettings, await make_db("labour_relations"))),
        gateway=InProcessService(create_gateway, settings(GatewaySettings, await make_db("gateway"))),
    )
    async with services.employment, services.training, services.social, services.labour, services.gateway:
        yield services


async def view_when(city: City, person: str, ready: Any) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        r = await city.gateway.client.get(f"/v1/persons/{person}", headers=READER)
        if r.status_code != 200:
            return None
        body: dict[str, Any] = r.json()
        return body if ready(body) else None
    found: dict[str, Any] = await eventually(check, timeout=120, interval=0.5)
    return found


async def post(svc: InProcessService, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    r = await svc.client.post(path, json=body)
    assert r.status_code == status, r.text
    answer: dict[str, Any] = r.json()
    return answer


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)
async def test_a_life_across_every_service_shows_up_in_the_person_view(city: City) -> None:
    person = factories.id_number(birth=date(1990, 5, 17))
    seeker = factories.job_seeker(id_number=person)
    first, second = factories.employer(), factories.employer("330881")
    for employer in (first, second):
        await post(city.employment, "/v1/employers", employer)
    await post(city.employment, "/v1/job-seekers", seeker)

    # Employed, insured (失业保险 with two years of contributions behind it), then the contract ends.
    job = await post(city.employment, "/v1/employment-registrations", {
        "id_number": person, "name": seeker["name"], "credit_code": first["credit_code"], "start_date": "2024-03-01",
        "occupation": "电工"})
    insured = await post(city.social, "/v1/enrolments", {
        "id_number": person, "name": seeker["name"], "county_code": "330802", "insurance_type": "unemployment",
        "credit_code": first["credit_code"], "start_date": "2024-03-01"})
    # Two years of contributions: the last two months posted through the API (their events reach the view), the
    # 22 before them written straight into the service's history.
    for month in ("2026-01", "2026-02"):
        await post(city.social, "/v1/contributions", {
            "id_number": person, "insurance_type": "unemployment", "month": month,
            "credit_code": first["credit_code"], "declared_base": "5000.00", "paid_date": "2026-03-01"})
    async with city.social.runtime.maker() as session, session.begin():
        for i in range(2, 24):
            session.add(Contribution(
                id_number=person, county_code="330802", insurance_type="unemployment",
                credit_code=first["credit_code"], enrolment_id=insured["id"],
                month=month_at(month_index("2026-02") - i),
                base=Decimal("5000.00"), employer_amount=Decimal("25.00"), personal_amount=Decimal("25.00"),
                paid_date=date(2026, 3, 1)))
    await post(city.employment, f"/v1/employment-registrations/{job['id']}/terminate",
               {"end_date": "2026-02-28", "reason": "合同到期"}, status=200)

    # Unemployed: social insurance decides the benefit, training issues the re-employment voucher.
    unemployment = await post(city.employment, "/v1/unemployment-registrations", {
        "id_number": person, "name": seeker["name"], "county_code": "330802", "registered_date": "2026-03-02",
        "separation_reason": "contract_expired"})
    view = await view_when(city, person, lambda v: v["insurance"]["benefits"] and v["training"]["vouchers"])
    [benefit] = view["insurance"]["benefits"]
    assert (benefit["status"], benefit["unemployment_registration_id"]) == ("active", unemployment["id"])
    [voucher] = view["training"]["vouchers"]
    assert (voucher["kind"], voucher["status"]) == ("reemployment", "issued")
    assert view["employment"]["status"] == "registered_unemployed"
    await post(city.social, f"/v1/unemployment-benefits/{benefit['id']}/payments", {"month": "2026-03"})

    # A skill certificate at level 3 (高技能人才).
    certificate = await post(city.training, "/v1/certificates", certificate_body(person, level=3, name=seeker["name"],
                                                                                 issued_date="2026-03-20"))
    # Re-employed: the unemployment registration closes and the benefit stops from the start date.
    again = await post(city.employment, "/v1/employment-registrations", {
        "id_number": person, "name": seeker["name"], "credit_code": second["credit_code"], "start_date": "2026-04-01"})

    view = await view_when(city, person, lambda v: v["employment"]["status"] == "employed"
                           and v["insurance"]["benefits"] and v["insurance"]["benefits"][0]["status"] == "stopped"
                           and v["training"]["certificates"])
    employment = view["employment"]
    assert [(e["id"], e["status"]) for e in employment["employments"]] == [(again["id"], "active"),
                                                                          (job["id"], "terminated")]
    [closed] = employment["unemployment_registrations"]
    assert (closed["id"], closed["status"], closed["end_date"]) == (unemployment["id"], "closed", "2026-04-01")
    [benefit] = view["insurance"]["benefits"]
    assert (benefit["stopped_date"], benefit["stop_reason"], benefit["paid_months"]) == (
        "2026-04-01", "reemployed", ["2026-03"])
    # Ours, and those the 参保一件事 opened for the new job.
    assert insured["id"] in [e["id"] for e in view["insurance"]["enrolments"]]
    assert view["insurance"]["contribution_months"]["unemployment"] == ["2026-01", "2026-02"]
    training = view["training"]
    assert [c["certificate_number"] for c in training["certificates"]] == [certificate["certificate_number"]]
    assert training["high_skill"] is True
    assert view["identity"]["name"] == seeker["name"]
    for section in ("employment", "training", "insurance"):
        assert view[section]["as_of"] is not None
    assert view["labour"]["arrears_cases"] == [] and view["labour"]["as_of"] is None  # nothing in that domain

    # The view agrees with the services that own the data.
    owned = (await city.social.client.get(f"/v1/persons/{person}/insurance")).json()
    assert sorted((e["id"], e["status"]) for e in owned["enrolments"]) == sorted(
        (e["id"], e["status"]) for e in view["insurance"]["enrolments"])
    vouchers = (await city.training.client.get("/v1/vouchers", params={"id_number": person})).json()["data"]
    assert [(v["id"], v["status"]) for v in vouchers] == [(v["id"], v["status"]) for v in training["vouchers"]]
