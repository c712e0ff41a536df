"""规划指标 across the real broker and PostgreSQL: the real employment and training services record a small 2025, the
gateway's indicator consumer (group gateway-indicators-v1) folds their events, and /v1/indicators shows the actuals
computed by hand below."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from tests import factories
from tests.conftest import MoveToday
from tests.gateway import indicator_events
from tests.support import InProcessService, KafkaNode, PostgresNode, bearer, eventually, service_settings, token
from training.config import TrainingSettings
from training.main import create_app as create_training

READER = bearer(token("gateway:read"))
KECHENG, JIANGSHAN = "330802", "330881"


@dataclass
class Trio:
    employment: InProcessService
    training: InProcessService
    gateway: InProcessService


@pytest.fixture
async def trio(postgres: PostgresNode, kafka: KafkaNode, prefix: str, tmp_path: Path,
               move_today: MoveToday) -> AsyncIterator[Trio]:
    move_today(date(2025, 3, 10))
    suffix = uuid.uuid4().hex[:8]

    async def settings(cls: Any, name: str) -> Any:
        db = await postgres.create_database(f"{name}_{suffix}")
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    emp = InProcessService(create_employment, await settings(EmploymentSettings, "employment"))
    trn = InProcessService(create_training, await settings(TrainingSettings, "training"))
    gw = InProcessService(indicator_events.create_app, await settings(GatewaySettings, "gateway"))
    async with emp, trn, gw:
        yield Trio(employment=emp, training=trn, gateway=gw)


async def post(svc: InProcessService, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await svc.client.post(path, json=body)
    assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
    result: dict[str, Any] = r.json()
    return result


async def record_employment(svc: InProcessService) -> None:
    """A works in 柯城 from 01-06, leaves on 02-28 and is registered again from 03-03 (2 人次); B works in 江山 from
    02-01 (1 人次); C registers as unemployed in 柯城 on 02-10. 城镇新增就业 2021–2025 = 3 (柯城 2, 江山 1); at the
    end of 2025 A and B are employed and C unemployed: 城镇登记失业率 = 1 ÷ (2 + 1) = 33.33 %."""
    kecheng, jiangshan = factories.employer(KECHENG), factories.employer(JIANGSHAN)
    for employer in (kecheng, jiangshan):
        await post(svc, "/v1/employers", employer)
    a, b, c = factories.job_seeker(KECHENG), factories.job_seeker(JIANGSHAN), factories.job_seeker(KECHENG)
    first = await post(svc, "/v1/employment-registrations", {
        "id_number": a["id_number"], "name": a["name"], "credit_code": kecheng["credit_code"],
        "start_date": "2025-01-06"})
    await post(svc, f"/v1/employment-registrations/{first['id']}/terminate",
               {"end_date": "2025-02-28", "reason": "合同到期"})
    await post(svc, "/v1/employment-registrations", {
        "id_number": a["id_number"], "name": a["name"], "credit_code": kecheng["credit_code"],
        "start_date": "2025-03-03"})
    await post(svc, "/v1/employment-registrations", {
        "id_number": b["id_number"], "name": b["name"], "credit_code": jiangshan["credit_code"],
        "start_date": "2025-02-01"})
    await post(svc, "/v1/unemployment-registrations", {
        "id_number": c["id_number"], "name": c["name"], "county_code": KECHENG, "registered_date": "2025-02-10"})


async def record_training(svc: InProcessService, move_today: MoveToday) -> None:
    """Two trainees finish a 江山 course on 03-31, one 合格 and one 不合格: 培训人次 2 (both count); the one who passed
    gets a level-3 certificate on 03-31: 技能等级认定 1, 新增高技能人才 1 (高技能占技能 100 %)."""
    inst = await post(svc, "/v1/institutions", {
        "credit_code": factories.credit_code(JIANGSHAN), "name": "江山市技工学校", "county_code": JIANGSHAN,
        "kind": "technical_school"})
    await post(svc, f"/v1/institutions/{inst['id']}/accreditations", {
        "occupation_code": "6-31-01-03", "occupation_name": "电工", "valid_from": "2025-01-01",
        "valid_until": "2027-12-31"})
    course = await post(svc, "/v1/courses", {
        "institution_id": inst["id"], "occupation_code": "6-31-01-03", "occupation_name": "电工",
        "kind": "employment_skills", "target_level": 3, "hours": 100, "fee_per_trainee": "1280.00", "capacity": 5,
        "start_date": "2025-03-01", "end_date": "2025-03-31", "county_code": JIANGSHAN})
    passed, failed = factories.id_number(JIANGSHAN), factories.id_number(JIANGSHAN)
    enrolments = [await post(svc, "/v1/enrolments", {"course_id": course["id"], "id_number": p, "name": "王小明"})
                  for p in (passed, failed)]
    for e in enrolments:
        await post(svc, f"/v1/enrolments/{e['id']}/attendance", {"hours": 100})
    move_today(date(2025, 3, 31))
    await post(svc, f"/v1/enrolments/{enrolments[0]['id']}/complete", {"result": "passed"})
    await post(svc, f"/v1/enrolments/{enrolments[1]['id']}/complete", {"result": "failed"})
    await post(svc, "/v1/certificates", {
        "certificate_number": f"Q{uuid.uuid4().hex[:12]}", "id_number": passed, "name": "王小明",
        "county_code": JIANGSHAN, "occupation_code": "6-31-01-03", "occupation_name": "电工", "level": 3,
        "evaluation_org": "江山市职业技能鉴定所", "issued_date": "2025-03-31"})


EXPECTED = {
    "new_urban_employment": "3", "registered_unemployment_rate": "33.33", "training_person_times": "2",
    "training_person_times_total": "2", "skill_certifications": "1", "new_high_skill_talent": "1",
    "new_high_skill_talent_total": "1", "high_skilled_share_of_skilled": "100.00",
    "skilled_share_of_employed": "50.00",  # 1 skilled person ÷ 2 employed
}


async def test_indicators_show_the_hand_computed_actuals_of_events_from_the_real_services(
    trio: Trio, move_today: MoveToday
) -> None:
    await record_employment(trio.employment)
    await record_training(trio.training, move_today)

    async def arrived() -> dict[str, dict[str, Any]] | None:
        r = await trio.gateway.client.get("/v1/indicators", params={"year": 2025}, headers=READER)
        assert r.status_code == 200, r.text
        found = {i["code"]: i for i in r.json()["indicators"]}
        actual = {code: found[code]["actual"] for code in EXPECTED}
        return found if actual == EXPECTED else None
    found = await eventually(arrived, timeout=120, interval=0.5)
    assert found["new_urban_employment"]["target"] == "200000"
    assert found["new_urban_employment"]["share"] == "0.0000"  # 3 / 200000
    assert found["surveyed_unemployment_rate"]["status"] == "not_measured"

    r = await trio.gateway.client.get("/v1/indicators/by-county",
                                      params={"year": 2025, "code": "new_urban_employment"}, headers=READER)
    counties = {c["county_code"]: c["actual"] for c in r.json()["counties"]}
    assert (counties[KECHENG], counties[JIANGSHAN], counties["330803"]) == ("2", "1", "0")
    r = await trio.gateway.client.get("/v1/indicators", params={"year": 2025, "county_code": JIANGSHAN},
                                      headers=READER)
    jiangshan = {i["code"]: i for i in r.json()["indicators"]}
    assert jiangshan["training_person_times"]["actual"] == "2" and jiangshan["training_person_times"]["target"] is None
    assert jiangshan["registered_unemployment_rate"]["actual"] == "0.00"  # B employed, no one unemployed
