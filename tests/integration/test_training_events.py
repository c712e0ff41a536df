"""The training service's events cross the real broker: each type it publishes reaches ``hrss.training`` once per
change, valid against its contract, keyed by the hash of its subject — on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from hrss_contracts import contract_for, contracts_of
from hrss_contracts.employment import EMPLOYMENT_REGISTERED
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import message_key
from hrss_shared.registry import EMPLOYMENT, SOCIAL_INSURANCE, TRAINING
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_event_keys import raw_records
from tests.integration.test_resilience import read_topic
from tests.integration.test_talent_benefit_flow import contribution, produce
from tests.support import InProcessService, KafkaNode, eventually, service_settings
from training.config import TrainingSettings
from training.main import create_app

# Voucher expiry is published by the daily job (tests/training/test_vouchers.py), not by a request.
NOT_YET_PUBLISHED = {"hrss.training.voucher.expired.v1"}


@pytest.fixture
async def training(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[InProcessService]:
    """The training service with its relay, on the real Kafka and the chosen database."""
    move_today(date(2026, 3, 10))
    settings = service_settings(TrainingSettings, db_url=await make_db("training"), bootstrap=kafka.bootstrap,
                                prefix=prefix, data_dir=tmp_path)
    async with InProcessService(create_app, settings) as svc:
        yield svc


class Script:
    """Calls the training API and counts the events each successful change must publish."""

    def __init__(self, svc: InProcessService) -> None:
        self.client = svc.client
        self.expected: Counter[str] = Counter()

    async def call(self, path: str, body: dict[str, Any], *events: str, method: str = "POST") -> dict[str, Any]:
        r = await self.client.request(method, path, json=body)
        assert r.status_code in (200, 201), f"{method} {path}: {r.status_code} {r.text}"
        self.expected.update(f"hrss.training.{e}.v1" for e in events)
        result: dict[str, Any] = r.json()
        return result

    async def subsidies(self, id_number: str) -> int:
        return int((await self.client.get("/v1/subsidies", params={"id_number": id_number})).json()["count"])

    async def refusals(self, id_number: str) -> int:
        r = await self.client.get("/v1/subsidies/refusals", params={"id_number": id_number})
        return int(r.json()["count"])

    async def settled(self, count: Callable[[], Awaitable[int]], want: int) -> None:
        """Wait for the consumer's decision (subsidies follow the service's own events) before the next step."""
        async def reached() -> bool:
            return await count() >= want
        await eventually(reached, timeout=90, interval=0.3)


async def test_each_training_event_type_reaches_the_topic_once_per_change_with_its_contract(
    training: InProcessService, kafka: KafkaNode, prefix: str, move_today: MoveToday,
) -> None:
    s = Script(training)
    credit_code = factories.credit_code("330881")
    inst = await s.call("/v1/institutions", {"credit_code": credit_code, "name": "江山市技工学校",
                                             "county_code": "330881", "kind": "technical_school"},
                        "institution.registered")
    await s.call(f"/v1/institutions/{inst['id']}", {"name": "江山市高级技工学校"}, "institution.updated",
                 method="PATCH")
    await s.call(f"/v1/institutions/{inst['id']}/accreditations", {
        "occupation_code": "6-31-01-03", "occupation_name": "电工", "valid_from": "2025-01-01",
        "valid_until": "2027-12-31"}, "institution.accredited")
    course = await s.call("/v1/courses", {
        "institution_id": inst["id"], "occupation_code": "6-31-01-03", "occupation_name": "电工",
        "kind": "employment_skills", "target_level": 4, "hours": 100, "fee_per_trainee": "1280.00", "capacity": 2,
        "start_date": "2026-03-01", "end_date": "2026-04-30", "county_code": "330881"}, "course.published")
    trainee, leaver = factories.id_number("330881"), factories.id_number("330881")
    enrolment = await s.call("/v1/enrolments", {"course_id": course["id"], "id_number": trainee, "name": "王小明"},
                             "enrolment.enrolled")
    left = await s.call("/v1/enrolments", {"course_id": course["id"], "id_number": leaver, "name": "李四"},
                        "enrolment.enrolled")
    await s.call(f"/v1/enrolments/{left['id']}/withdraw", {"reason": "本人申请退出"}, "enrolment.withdrawn")
    await s.call(f"/v1/enrolments/{enrolment['id']}/attendance", {"hours": 50}, "enrolment.attendance_recorded")
    await s.call(f"/v1/enrolments/{enrolment['id']}/attendance", {"hours": 30}, "enrolment.attendance_recorded")
    vouchers = [await s.call("/v1/vouchers", {
        "id_number": trainee, "name": "王小明", "county_code": "330881", "kind": "skill_upgrade",
        "face_value": "1000.00", "eligible_course_kinds": ["employment_skills"], "issue_date": "2026-01-01",
        "expiry_date": "2026-12-31"}, "voucher.issued") for _ in range(2)]
    redeemed = await s.call(f"/v1/vouchers/{vouchers[0]['id']}/redeem", {"enrolment_id": enrolment["id"]},
                            "voucher.redeemed")
    assert (redeemed["status"], redeemed["amount_applied"]) == ("redeemed", "1000.00"), redeemed
    await s.call(f"/v1/vouchers/{vouchers[1]['id']}/cancel", {"reason": "重复发放"}, "voucher.cancelled")
    # Corrected and cancelled: a second enrolment recorded in error, and an unused voucher's face value.
    wrong = await s.call("/v1/enrolments", {"course_id": course["id"], "id_number": leaver, "name": "李四"},
                         "enrolment.enrolled")
    await s.call(f"/v1/enrolments/{wrong['id']}/correct", {"name": "李斯", "reason": "姓名录入错误"},
                 "enrolment.corrected")
    await s.call(f"/v1/enrolments/{wrong['id']}/cancel", {"reason": "重复录入"}, "enrolment.cancelled")
    spare = await s.call("/v1/vouchers", {
        "id_number": leaver, "name": "李四", "county_code": "330881", "kind": "skill_upgrade",
        "face_value": "1000.00", "eligible_course_kinds": ["employment_skills"], "issue_date": "2026-01-01",
        "expiry_date": "2026-12-31"}, "voucher.issued")
    released = await s.call("/v1/enrolments", {"course_id": course["id"], "id_number": leaver, "name": "李四"},
                            "enrolment.enrolled")
    await s.call(f"/v1/vouchers/{spare['id']}/redeem", {"enrolment_id": released["id"]}, "voucher.redeemed")
    await s.call(f"/v1/enrolments/{released['id']}/cancel", {"reason": "录入错误"}, "voucher.released",
                 "enrolment.cancelled")
    await s.call(f"/v1/vouchers/{spare['id']}/correct", {"face_value": "1200.00", "reason": "面额录入错误"},
                 "voucher.corrected")
    move_today(date(2026, 4, 30))
    # Completed as passed: the consumer refuses the training subsidy, the enrolment being paid by a voucher.
    await s.call(f"/v1/enrolments/{enrolment['id']}/complete", {"result": "passed"}, "enrolment.completed",
                 "subsidy.refused")
    await s.settled(lambda: s.refusals(trainee), 1)

    # A certificate: 免申即享 pays; a claim for it again is refused and published; a correction of its level
    # revokes and re-decides; a cancellation revokes.
    cert = await s.call("/v1/certificates", {
        "certificate_number": f"Q{uuid.uuid4().hex[:12]}", "id_number": trainee, "name": "王小明",
        "county_code": "330881", "occupation_code": "6-31-01-03", "occupation_name": "电工", "level": 4,
        "evaluation_org": "江山市职业技能鉴定所", "issued_date": "2026-04-30"}, "certificate.issued", "subsidy.granted")
    await s.settled(lambda: s.subsidies(trainee), 1)
    claim = await training.client.post("/v1/subsidies", json={"id_number": trainee, "kind": "skill_upgrade",
                                                              "certificate_id": cert["id"]})
    assert claim.status_code == 409 and claim.json()["reason"] == "duplicate", claim.text
    s.expected.update(["hrss.training.subsidy.refused.v1"])
    await s.call(f"/v1/certificates/{cert['id']}/correct", {"level": 3, "reason": "等级录入错误"},
                 "certificate.corrected", "subsidy.revoked", "subsidy.granted")
    await s.settled(lambda: s.subsidies(trainee), 2)
    await s.call(f"/v1/certificates/{cert['id']}/cancel", {"reason": "证书信息虚假"}, "certificate.cancelled",
                 "subsidy.revoked")
    special = await s.call("/v1/special-certificates", {
        "certificate_number": f"ZX{uuid.uuid4().hex[:10]}", "id_number": trainee, "name": "王小明",
        "county_code": "330881", "ability_name": "江山白鹅养殖", "evaluation_org": "江山市职业技能鉴定所",
        "issued_date": "2026-04-30"}, "special_certificate.issued")
    await s.call(f"/v1/special-certificates/{special['id']}/cancel", {"reason": "录入错误"},
                 "special_certificate.cancelled")
    studio_code, base_code = factories.credit_code("330881"), factories.credit_code("330803")
    studio = await s.call("/v1/master-studios", {
        "name": "江山电工技能大师工作室", "level": "city", "credit_code": studio_code, "employer_name": "江山电力公司",
        "occupation_codes": ["6-31-01-03"], "county_code": "330881", "recognised_date": "2026-04-01",
        "lead_id_number": factories.id_number("330881"), "lead_name": "毛大师"}, "master_studio.recognised")
    await s.call(f"/v1/master-studios/{studio['id']}/revoke", {"reason": "考核不合格", "revoked_date": "2026-04-30"},
                 "master_studio.revoked")
    base = await s.call("/v1/training-bases", {
        "name": "衢州公共实训基地", "level": "city", "credit_code": base_code, "employer_name": "衢州市公共实训中心",
        "occupation_codes": ["6-31-01-03"], "county_code": "330803", "recognised_date": "2026-04-01",
        "kind": "public_training"}, "training_base.recognised")
    await s.call(f"/v1/training-bases/{base['id']}/revoke", {"reason": "撤并", "revoked_date": "2026-04-30"},
                 "training_base.revoked")

    # Talent services: titles, recognitions (superseded by a higher tier), and a graduate allowance whose facts
    # (employment, paid months) arrive as other services' events on the broker.
    talent, other = factories.id_number(birth=date(1990, 5, 1)), factories.id_number(birth=date(1991, 5, 1))
    def title(level: str) -> dict[str, Any]:
        return {"id_number": talent, "name": "陈工", "county_code": "330881", "series": "engineering",
                "specialty": "电气工程", "level": level, "certificate_number": f"ZC{uuid.uuid4().hex[:10]}",
                "issuing_body": "浙江省工程技术人员职称评审委员会", "issued_date": "2024-12-01"}
    junior = await s.call("/v1/professional-titles", title("junior"), "professional_title.granted")
    await s.call(f"/v1/professional-titles/{junior['id']}/cancel", {"reason": "重复录入"},
                 "professional_title.cancelled")
    doctor = {"id_number": talent, "name": "陈工", "county_code": "330881", "highest_degree": "doctorate",
              "degree_institution": "浙江大学"}
    first = await s.call("/v1/talent-recognitions", doctor, "talent_recognition.applied")
    await s.call(f"/v1/talent-recognitions/{first['id']}/approve", {}, "talent_recognition.approved")
    senior = await s.call("/v1/professional-titles", title("associate_senior"), "professional_title.granted")
    await s.call(f"/v1/professional-titles/{senior['id']}/correct", {"specialty": "电力系统", "reason": "专业录入错误"},
                 "professional_title.corrected")
    higher = await s.call("/v1/talent-recognitions", doctor, "talent_recognition.applied")
    assert higher["tier"] == "D"
    await s.call(f"/v1/talent-recognitions/{higher['id']}/approve", {}, "talent_recognition.superseded",
                 "talent_recognition.approved")
    await s.call(f"/v1/talent-recognitions/{higher['id']}/correct", {"name": "陈工程", "reason": "姓名录入错误"},
                 "talent_recognition.corrected")
    await s.call(f"/v1/talent-recognitions/{higher['id']}/revoke", {"reason": "材料不实"}, "talent_recognition.revoked")
    refused = await s.call("/v1/talent-recognitions", {**doctor, "id_number": other}, "talent_recognition.applied")
    await s.call(f"/v1/talent-recognitions/{refused['id']}/refuse", {"reason": "学历证明不符"},
                 "talent_recognition.refused")
    await s.call(f"/v1/talent-recognitions/{refused['id']}/cancel", {"reason": "重复申请"},
                 "talent_recognition.cancelled")
    employer = factories.credit_code("330881")
    await produce(kafka.bootstrap, prefix + str(EMPLOYMENT.topic), talent, CloudEvent(
        id=str(uuid.uuid4()), source="/hrss/employment", type=EMPLOYMENT_REGISTERED.type, time=datetime.now(UTC),
        subject=talent, data=EMPLOYMENT_REGISTERED.model(
            id=str(uuid.uuid4()), id_number=talent, name="陈工", credit_code=employer, employer_name="江山电力公司",
            county_code="330881", start_date=date(2025, 9, 1)).model_dump(mode="json")))
    await produce(kafka.bootstrap, prefix + str(SOCIAL_INSURANCE.topic), talent,
                  *(contribution(talent, employer, m) for m in ("2026-01", "2026-02", "2026-03")))

    async def eligible() -> dict[str, Any] | None:
        r = await training.client.post("/v1/talent-benefits", json={
            "id_number": talent, "name": "陈工", "kind": "graduate_living_allowance", "degree": "doctorate",
            "graduation_date": "2025-06-30"})
        return r.json() if r.status_code == 201 else None
    benefit = await eventually(eligible, timeout=90, interval=0.5)
    s.expected.update(["hrss.training.talent_benefit.granted.v1"])
    await s.call(f"/v1/talent-benefits/{benefit['id']}/payments", {"period": "2026-04", "paid_date": "2026-04-30"},
                 "talent_benefit.paid")
    await s.call(f"/v1/talent-benefits/{benefit['id']}/cancel", {"reason": "录入错误"}, "talent_benefit.stopped")

    # Every type the service publishes was exercised, and the topic holds exactly one event per change.
    assert set(s.expected) == {c.type for c in contracts_of(str(TRAINING.topic))} - NOT_YET_PUBLISHED
    total = sum(s.expected.values())
    topic = prefix + str(TRAINING.topic)

    async def all_on_topic() -> list[Any] | None:
        events = await read_topic(kafka.bootstrap, topic, settle=1.0)
        return events if len(events) >= total else None
    events = await eventually(all_on_topic, timeout=90, interval=0.5)
    assert Counter(e.type for e in events) == s.expected
    assert len({e.id for e in events}) == total
    for e in events:  # every event on the broker validates against its contract (ContractViolation otherwise)
        contract = contract_for(e.type)
        contract.parse(e.data)
        assert e.subject == str(e.data[contract.subject]) and e.source == "/hrss/training"
    completed = next(e for e in events if e.type == "hrss.training.enrolment.completed.v1")
    assert (completed.subject, completed.data["result"], completed.data["attended_hours"]) == (trainee, "passed", 80)
    reasons = sorted(e.data["reason"] for e in events if e.type == "hrss.training.subsidy.refused.v1")
    assert reasons == ["duplicate", "voucher_paid"]

    # Keys are the keyed hash of the subject: one key per institution, one per trainee, no ID number in a key.
    records = await raw_records(kafka.bootstrap, topic, want=total)
    keys = Counter(key for key, _, _ in records)
    assert keys == {
        message_key(credit_code, DEV_EVENT_KEY_SECRET).encode(): 4,
        message_key(trainee, DEV_EVENT_KEY_SECRET).encode(): 19,
        message_key(studio_code, DEV_EVENT_KEY_SECRET).encode(): 2,
        message_key(base_code, DEV_EVENT_KEY_SECRET).encode(): 2,
        message_key(leaver, DEV_EVENT_KEY_SECRET).encode(): 11,
        message_key(talent, DEV_EVENT_KEY_SECRET).encode(): 14,
        message_key(other, DEV_EVENT_KEY_SECRET).encode(): 3,
    }
    assert len({partition for key, _, partition in records
                if key == message_key(trainee, DEV_EVENT_KEY_SECRET).encode()}) == 1
