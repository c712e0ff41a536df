"""The person view's training details from hrss.training: enrolments with their result, vouchers with their face
value, subsidies granted/refused/revoked — newest event wins, cancellations and revocations final, redelivery a
no-op, the section's as_of the newest event applied."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hrss_contracts import training as c
from hrss_shared.events import CloudEvent, Contract
from tests import factories
from tests.gateway.events import apply, event
from tests.support import InProcessService, bearer, token

INSTITUTION = factories.credit_code("330802")
READER = bearer(token("gateway:read"))


def tr(contract: Contract[Any], id_number: str, data: dict[str, Any], *, time: datetime | None = None) -> CloudEvent:
    """A training event, validated against its contract before the gateway sees it."""
    payload = {"id_number": id_number, "county_code": "330802", **data}
    contract.parse(payload)
    return event(contract.type, id_number, payload, time=time).model_copy(update={"source": "/hrss/training"})


async def training(svc: InProcessService, id_number: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/persons/{id_number}", headers=READER)
    assert r.status_code == 200, r.text
    section: dict[str, Any] = r.json()["training"]
    return section


COURSE = {"course_id": "k1", "occupation_code": "6-31-01-03", "occupation_name": "电工", "course_kind": "skill_upgrade"}


def enrolled(person: str, *, time: datetime | None = None) -> CloudEvent:
    return tr(c.ENROLMENT_ENROLLED, person, {
        "id": "n1", **COURSE, "institution_id": "i1", "credit_code": INSTITUTION, "name": "王小明",
        "start_date": "2026-03-01", "end_date": "2026-04-30", "enrolled_date": "2026-02-20"}, time=time)


def completed(person: str, result: str = "passed") -> CloudEvent:
    return tr(c.ENROLMENT_COMPLETED, person, {
        "id": "n1", **COURSE, "institution_id": "i1", "name": "王小明", "target_level": 4, "result": result,
        "attended_hours": 80, "course_hours": 90, "completed_date": "2026-04-30", "policy_source": "出勤不少于80%"})


async def test_an_enrolment_shows_its_result_and_a_late_enrolment_event_does_not_reopen_it(
    gateway: InProcessService,
) -> None:
    person = factories.id_number()
    first = enrolled(person, time=datetime(2026, 1, 1, tzinfo=UTC))
    attendance = tr(c.ENROLMENT_ATTENDANCE_RECORDED, person, {
        "id": "n1", "course_id": "k1", "hours": 8, "attended_hours": 40, "course_hours": 90,
        "recorded_date": "2026-03-20"})
    done = completed(person)
    await apply(gateway, attendance, done, first, attendance)  # the enrolment (older) arrives last
    section = await training(gateway, person)
    [item] = section["enrolments"]
    assert (item["status"], item["result"], item["attended_hours"], item["occupation_name"]) == (
        "completed", "passed", 80, "电工")
    assert (item["enrolled_date"], item["course_hours"]) == ("2026-02-20", 90)
    assert datetime.fromisoformat(section["as_of"]) == done.time

    corrected = tr(c.ENROLMENT_CORRECTED, person, {
        "id": "n1", "course_id": "k1", "name": "王小明", "status": "completed", "attended_hours": 60,
        "result": "failed", "changed": ["attended_hours", "result"], "reason": "考勤录入错误"})
    await apply(gateway, corrected, done)  # the completion redelivered after its correction
    [item] = (await training(gateway, person))["enrolments"]
    assert (item["result"], item["attended_hours"]) == ("failed", 60)


async def test_a_cancelled_enrolment_stays_cancelled(gateway: InProcessService) -> None:
    person = factories.id_number()
    cancel = tr(c.ENROLMENT_CANCELLED, person, {
        "id": "n1", "course_id": "k1", "previous_status": "enrolled", "cancelled_date": "2026-03-05",
        "reason": "误报名"}, time=datetime(2026, 1, 1, tzinfo=UTC))
    await apply(gateway, enrolled(person), cancel, completed(person))
    [item] = (await training(gateway, person))["enrolments"]
    assert (item["status"], item["cancelled_date"], item["course_kind"]) == ("cancelled", "2026-03-05",
                                                                             "skill_upgrade")


def voucher(contract: Contract[Any], person: str, face_value: str = "1000.00", **extra: Any) -> CloudEvent:
    return tr(contract, person, {"id": "v1", "kind": "skill_upgrade", "face_value": face_value, **extra})


def issued_voucher(person: str) -> CloudEvent:
    return voucher(c.VOUCHER_ISSUED, person, name="王小明", eligible_course_kinds=["skill_upgrade"],
                   issue_date="2026-03-01", expiry_date="2026-12-31")


async def test_a_voucher_follows_correction_redemption_and_release(gateway: InProcessService) -> None:
    person = factories.id_number()
    issued = issued_voucher(person)
    corrected = voucher(c.VOUCHER_CORRECTED, person, "1500.00", issue_date="2026-03-01", expiry_date="2027-02-28",
                        changed=["face_value", "expiry_date"], reason="面额录入错误")
    redeemed = voucher(c.VOUCHER_REDEEMED, person, "1500.00", enrolment_id="n1", course_id="k1",
                       institution_id="i1", course_fee="1200.00", amount_applied="1200.00", trainee_pays="0.00",
                       redeemed_date="2026-03-10")
    await apply(gateway, issued, corrected, redeemed, issued)
    [item] = (await training(gateway, person))["vouchers"]
    assert (item["status"], item["face_value"], item["expiry_date"], item["enrolment_id"]) == (
        "redeemed", "1500.00", "2027-02-28", "n1")

    released = voucher(c.VOUCHER_RELEASED, person, "1500.00", enrolment_id="n1", status="issued",
                       released_date="2026-03-20")
    await apply(gateway, released, redeemed)  # the redemption redelivered after the release changes nothing
    [item] = (await training(gateway, person))["vouchers"]
    assert (item["status"], item["enrolment_id"]) == ("issued", None)


async def test_a_cancelled_voucher_stays_cancelled(gateway: InProcessService) -> None:
    person = factories.id_number()
    cancel = voucher(c.VOUCHER_CANCELLED, person, cancelled_date="2026-03-02", reason="重复发放")
    await apply(gateway, issued_voucher(person), cancel, issued_voucher(person))
    [item] = (await training(gateway, person))["vouchers"]
    assert (item["status"], item["face_value"], item["cancelled_date"]) == ("cancelled", "1000.00", "2026-03-02")


def subsidy(contract: Contract[Any], person: str, subsidy_id: str, **extra: Any) -> CloudEvent:
    return tr(contract, person, {"id": subsidy_id, "kind": "skill_upgrade", "occupation_code": "6-31-01-03",
                                 "level": 3, **extra})


async def test_subsidies_granted_refused_and_revoked(gateway: InProcessService) -> None:
    person = factories.id_number()
    granted = subsidy(c.SUBSIDY_GRANTED, person, "s1", name="王小明", amount="2000.00", channel="automatic",
                      granted_date="2026-03-10", policy_source="浙人社发")
    refused = subsidy(c.SUBSIDY_REFUSED, person, "s2", reason="duplicate", detail="已享受同等级补贴",
                      earlier_subsidy_id="s1", channel="application", refused_date="2026-03-12")
    revoked = subsidy(c.SUBSIDY_REVOKED, person, "s1", amount="2000.00", revoked_date="2026-04-01",
                      reason="证书撤销")
    await apply(gateway, granted, refused)
    s1, s2 = (await training(gateway, person))["subsidies"]
    assert (s1["status"], s1["amount"], s1["channel"], s1["granted_date"]) == (
        "granted", "2000.00", "automatic", "2026-03-10")
    assert (s2["status"], s2["reason"], s2["decided_date"]) == ("refused", "duplicate", "2026-03-12")
    await apply(gateway, revoked, granted)  # the grant redelivered after its revocation
    s1, _ = (await training(gateway, person))["subsidies"]
    assert (s1["status"], s1["revoked_date"], s1["reason"], s1["amount"]) == (
        "revoked", "2026-04-01", "证书撤销", "2000.00")


# ---- talent section --------------------------------------------------------------------------------------------


async def talent(svc: InProcessService, id_number: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/persons/{id_number}", headers=READER)
    assert r.status_code == 200, r.text
    section: dict[str, Any] = r.json()["talent"]
    return section


def recognition(contract: Contract[Any], person: str, status: str, rid: str = "r1", tier: str = "D",
                **extra: Any) -> CloudEvent:
    return tr(contract, person, {"id": rid, "tier": tier, "status": status, **extra})


async def test_a_recognition_shows_tier_status_and_validity_and_a_late_approval_does_not_undo_supersession(
    gateway: InProcessService,
) -> None:
    person = factories.id_number()
    applied = recognition(c.TALENT_RECOGNITION_APPLIED, person, "applied", name="王小明", criterion="市级技能大师",
                          applied_date="2026-03-01", policy_source="衢州市人才分类目录")
    approved = recognition(c.TALENT_RECOGNITION_APPROVED, person, "approved", name="王小明",
                           recognition_number="QZ-D-0001", valid_from="2026-03-10", valid_until="2029-03-09")
    superseded = recognition(c.TALENT_RECOGNITION_SUPERSEDED, person, "superseded", closed_date="2026-06-01",
                             reason="认定为更高层次")
    await apply(gateway, applied, approved, superseded, approved)
    section = await talent(gateway, person)
    [item] = section["recognitions"]
    assert (item["tier"], item["status"], item["recognition_number"], item["valid_until"], item["closed_date"]) == (
        "D", "superseded", "QZ-D-0001", "2029-03-09", "2026-06-01")
    assert datetime.fromisoformat(section["as_of"]) == superseded.time


async def test_a_cancelled_recognition_and_title_stay_cancelled(gateway: InProcessService) -> None:
    person = factories.id_number()
    cancel = recognition(c.TALENT_RECOGNITION_CANCELLED, person, "cancelled", closed_date="2026-03-05",
                         reason="登记有误", time=datetime(2026, 1, 1, tzinfo=UTC))
    title = {"id": "t1", "series": "engineering", "level": "intermediate"}
    body = {"name": "王小明", "certificate_number": "ZC-1", "issuing_body": "衢州市职改办", "issued_date": "2025-12-01"}
    granted = tr(c.PROFESSIONAL_TITLE_GRANTED, person, {
        **title, **body, "specialty": "电气工程"})
    corrected = tr(c.PROFESSIONAL_TITLE_CORRECTED, person, {
        **title, **body, "specialty": "电力系统", "changed": ["specialty"], "reason": "专业录入错误"})
    await apply(gateway, recognition(c.TALENT_RECOGNITION_APPLIED, person, "applied", name="王小明",
                                     criterion="市级技能大师", applied_date="2026-03-01", policy_source="目录"),
                cancel, granted, corrected)
    section = await talent(gateway, person)
    assert section["recognitions"][0]["status"] == "cancelled"
    [item] = section["titles"]
    assert (item["status"], item["specialty"], item["level"]) == ("granted", "电力系统", "intermediate")
    await apply(gateway, tr(c.PROFESSIONAL_TITLE_CANCELLED, person, {
        **title, "cancelled_date": "2026-04-01", "reason": "材料造假"}), corrected)
    [item] = (await talent(gateway, person))["titles"]
    assert (item["status"], item["cancelled_date"]) == ("cancelled", "2026-04-01")


def benefit(contract: Contract[Any], person: str, **extra: Any) -> CloudEvent:
    return tr(contract, person, {"id": "tb1", "kind": "rental_subsidy", **extra})


def paid(person: str, period: str, *, after_stop: bool) -> CloudEvent:
    return benefit(c.TALENT_BENEFIT_PAID, person, payment_id=f"pay-{period}", period=period, amount="1000.00",
                   paid_date=f"{period}-15", after_stop=after_stop)


async def test_a_talent_benefit_shows_its_stop_and_the_periods_paid_after_it(gateway: InProcessService) -> None:
    person = factories.id_number()
    granted = benefit(c.TALENT_BENEFIT_GRANTED, person, name="王小明", credit_code=INSTITUTION, tier="D",
                      amount_per_period="1000.00", periods=36, first_period="2026-01", granted_date="2025-12-20",
                      policy_source="衢州市人才新政")
    stopped = benefit(c.TALENT_BENEFIT_STOPPED, person, stop_period="2026-03", reason="employment_ended",
                      detail="在衢就业结束", overpaid_periods=["2026-03"])
    await apply(gateway, granted, paid(person, "2026-01", after_stop=False), paid(person, "2026-02", after_stop=False),
                paid(person, "2026-03", after_stop=False), stopped, paid(person, "2026-04", after_stop=True), granted,
                paid(person, "2026-05", after_stop=False))  # published before the stop was known, arriving after it
    [item] = (await talent(gateway, person))["benefits"]
    assert (item["status"], item["stop_period"], item["stop_reason"], item["amount_per_period"]) == (
        "stopped", "2026-03", "employment_ended", "1000.00")
    assert item["paid_periods"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert item["paid_after_stop"] == ["2026-03", "2026-04", "2026-05"]
