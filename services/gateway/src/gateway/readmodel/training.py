"""The read model of ``hrss.training``: each person's training section (certificates, 高技能人才, enrolments,
vouchers, subsidies).

Enrolments, vouchers and subsidies are items by record id: what describes the record (course, kind, face value …)
fills in from any event, the state (status, result, dates of change) comes from the newest event, and a
cancellation (or a subsidy's revocation) is final — no event arriving after it, late or redelivered, revives it.
Talent events go to the person's ``talent`` section the same way: recognitions (tier, status, validity), professional
titles and talent benefits (status, stop period, the periods paid and those paid at or after the stop). Other
training events (institutions, courses, special certificates, platforms) are folded generically into ``records``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel import identity
from gateway.readmodel.records import record_handlers
from gateway.readmodel.store import PERSONS, later, stamp
from hrss_contracts import contracts_of
from hrss_contracts import training as c
from hrss_shared.consumer import Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.registry import TRAINING

SECTION = "training"
HIGH_SKILL_LEVEL = 3  # 三级/高级工 and above (level 1–3) count as 高技能人才
handlers = Handlers()


@handlers.on(c.CERTIFICATE_ISSUED)
async def on_certificate_issued(session: AsyncSession, event: CloudEvent, data: c.CertificateIssued) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    certificates = doc["certificates"]
    item = next((i for i in certificates if i["certificate_number"] == data.certificate_number), None)
    if item is None:
        item = {"certificate_number": data.certificate_number, "updated_at": at}
        certificates.append(item)
    if at >= item["updated_at"] or "occupation" not in item:
        item.update(id=data.id, occupation=data.occupation, level=data.level, issued_date=data.issued_date.isoformat(),
                    updated_at=at)
    _settle(doc, at)
    await identity.named(session, data.id_number, data.name, data.county_code, at)


def _settle(doc: dict[str, Any], at: str) -> None:
    certificates = doc["certificates"]
    certificates.sort(key=lambda i: (i.get("issued_date") or "", i["certificate_number"]), reverse=True)
    doc["high_skill"] = any(i.get("level", 9) <= HIGH_SKILL_LEVEL and not i.get("cancelled") for i in certificates)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.CERTIFICATE_CORRECTED)
async def on_certificate_corrected(session: AsyncSession, event: CloudEvent, data: c.CertificateCorrected) -> None:
    await on_certificate_issued(session, event, c.CertificateIssued(
        id=data.id, id_number=data.id_number, name=data.name, occupation=data.occupation, level=data.level,
        certificate_number=data.certificate_number, issued_date=data.issued_date, county_code=data.county_code,
        occupation_code=data.occupation_code, evaluation_org=data.evaluation_org))


@handlers.on(c.CERTIFICATE_CANCELLED)
async def on_certificate_cancelled(session: AsyncSession, event: CloudEvent, data: c.CertificateCancelled) -> None:
    """A cancelled certificate stays listed as cancelled (a later issue or correction of it cannot revive it)."""
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    certificates = doc["certificates"]
    item = next((i for i in certificates if i["certificate_number"] == data.certificate_number), None)
    if item is None:
        item = {"certificate_number": data.certificate_number, "id": data.id, "level": data.level}
        certificates.append(item)
    item.update(cancelled=True, cancelled_date=data.cancelled_date.isoformat(), updated_at="9999")
    _settle(doc, at)


FINAL = "9999"  # the updated_at of a cancelled item


def _upsert(items: list[dict[str, Any]], record_id: str, at: str, status: str | None, *, final: bool = False,
            describes: dict[str, Any] | None = None, **state: Any) -> None:
    """The item ``record_id``: ``describes`` fills in from any event, ``status`` and ``state`` only from the
    newest one (or a final one, which no later event changes)."""
    item = next((i for i in items if i["id"] == record_id), None)
    if item is None:
        item = {"id": record_id, "status": status, "updated_at": ""}
        items.append(item)
    newer = final or at >= item["updated_at"]
    for key, value in (describes or {}).items():
        if newer or item.get(key) is None:
            item[key] = value
    if newer:
        item.update(dict(state.items()))
        if status is not None:
            item["status"] = status
        item["updated_at"] = FINAL if final else at
    items.sort(key=lambda i: i["id"])


async def _person_items(session: AsyncSession, event: CloudEvent, id_number: str, key: str) -> tuple[
        dict[str, Any], list[dict[str, Any]], str]:
    doc = await PERSONS.section(session, id_number, SECTION)
    return doc, doc.setdefault(key, []), stamp(event.time)


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@handlers.on(c.ENROLMENT_ENROLLED)
async def on_enrolled(session: AsyncSession, event: CloudEvent, data: c.TrainingEnrolled) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "enrolments")
    _upsert(items, data.id, at, "enrolled", describes={
        "course_id": data.course_id, "occupation_code": data.occupation_code, "occupation_name": data.occupation_name,
        "course_kind": data.course_kind, "credit_code": data.credit_code, "start_date": _day(data.start_date),
        "end_date": _day(data.end_date), "enrolled_date": _day(data.enrolled_date)})
    doc["as_of"] = later(doc["as_of"], at)
    await identity.named(session, data.id_number, data.name, data.county_code, at)


@handlers.on(c.ENROLMENT_ATTENDANCE_RECORDED)
async def on_attendance(session: AsyncSession, event: CloudEvent, data: c.TrainingAttendanceRecorded) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "enrolments")
    _upsert(items, data.id, at, None, describes={"course_id": data.course_id, "course_hours": data.course_hours},
            attended_hours=data.attended_hours)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.ENROLMENT_COMPLETED)
async def on_completed(session: AsyncSession, event: CloudEvent, data: c.TrainingCompleted) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "enrolments")
    _upsert(items, data.id, at, "completed", describes={
        "course_id": data.course_id, "occupation_code": data.occupation_code, "occupation_name": data.occupation_name,
        "course_kind": data.course_kind, "course_hours": data.course_hours},
        result=data.result, attended_hours=data.attended_hours, completed_date=_day(data.completed_date))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.ENROLMENT_CORRECTED)
async def on_enrolment_corrected(session: AsyncSession, event: CloudEvent,
                                 data: c.TrainingEnrolmentCorrected) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "enrolments")
    _upsert(items, data.id, at, data.status, describes={"course_id": data.course_id},
            result=data.result, attended_hours=data.attended_hours)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.ENROLMENT_WITHDRAWN)
async def on_withdrawn(session: AsyncSession, event: CloudEvent, data: c.TrainingWithdrawn) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "enrolments")
    _upsert(items, data.id, at, "withdrawn", describes={"course_id": data.course_id},
            withdrawn_date=_day(data.withdrawn_date))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.ENROLMENT_CANCELLED)
async def on_enrolment_cancelled(session: AsyncSession, event: CloudEvent,
                                 data: c.TrainingEnrolmentCancelled) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "enrolments")
    _upsert(items, data.id, at, "cancelled", final=True, describes={"course_id": data.course_id},
            cancelled_date=_day(data.cancelled_date))
    doc["as_of"] = later(doc["as_of"], at)


def _voucher(data: c.VoucherEvent) -> dict[str, Any]:
    return {"kind": data.kind, "face_value": str(data.face_value)}


@handlers.on(c.VOUCHER_ISSUED)
async def on_voucher_issued(session: AsyncSession, event: CloudEvent, data: c.VoucherIssued) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "vouchers")
    _upsert(items, data.id, at, "issued", describes={
        "issue_date": _day(data.issue_date), "expiry_date": _day(data.expiry_date)}, **_voucher(data))
    doc["as_of"] = later(doc["as_of"], at)
    await identity.named(session, data.id_number, data.name, data.county_code, at)


@handlers.on(c.VOUCHER_REDEEMED)
async def on_voucher_redeemed(session: AsyncSession, event: CloudEvent, data: c.VoucherRedeemed) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "vouchers")
    _upsert(items, data.id, at, "redeemed", enrolment_id=data.enrolment_id, redeemed_date=_day(data.redeemed_date),
            **_voucher(data))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.VOUCHER_EXPIRED)
async def on_voucher_expired(session: AsyncSession, event: CloudEvent, data: c.VoucherExpired) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "vouchers")
    _upsert(items, data.id, at, "expired", expiry_date=_day(data.expiry_date), **_voucher(data))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.VOUCHER_CORRECTED)
async def on_voucher_corrected(session: AsyncSession, event: CloudEvent, data: c.VoucherCorrected) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "vouchers")
    _upsert(items, data.id, at, None, issue_date=_day(data.issue_date), expiry_date=_day(data.expiry_date),
            **_voucher(data))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.VOUCHER_RELEASED)
async def on_voucher_released(session: AsyncSession, event: CloudEvent, data: c.VoucherReleased) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "vouchers")
    _upsert(items, data.id, at, data.status, enrolment_id=None, redeemed_date=None, **_voucher(data))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.VOUCHER_CANCELLED)
async def on_voucher_cancelled(session: AsyncSession, event: CloudEvent, data: c.VoucherCancelled) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "vouchers")
    _upsert(items, data.id, at, "cancelled", final=True, cancelled_date=_day(data.cancelled_date), **_voucher(data))
    doc["as_of"] = later(doc["as_of"], at)


def _subsidy(data: c.SubsidyEvent) -> dict[str, Any]:
    return {"kind": data.kind, "occupation_code": data.occupation_code, "level": data.level}


@handlers.on(c.SUBSIDY_GRANTED)
async def on_subsidy_granted(session: AsyncSession, event: CloudEvent, data: c.SubsidyGranted) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "subsidies")
    _upsert(items, data.id, at, "granted", describes=dict(
        **_subsidy(data), amount=str(data.amount), channel=data.channel, granted_date=_day(data.granted_date)))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.SUBSIDY_REFUSED)
async def on_subsidy_refused(session: AsyncSession, event: CloudEvent, data: c.SubsidyRefused) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "subsidies")
    _upsert(items, data.id, at, "refused", describes=dict(**_subsidy(data), channel=data.channel),
            reason=data.reason, decided_date=_day(data.refused_date))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.SUBSIDY_REVOKED)
async def on_subsidy_revoked(session: AsyncSession, event: CloudEvent, data: c.SubsidyRevoked) -> None:
    doc, items, at = await _person_items(session, event, data.id_number, "subsidies")
    _upsert(items, data.id, at, "revoked", final=True, describes=dict(**_subsidy(data), amount=str(data.amount)),
            reason=data.reason, revoked_date=_day(data.revoked_date))
    doc["as_of"] = later(doc["as_of"], at)


TALENT = "talent"


async def _talent_items(session: AsyncSession, event: CloudEvent, id_number: str, key: str) -> tuple[
        dict[str, Any], list[dict[str, Any]], str]:
    doc = await PERSONS.section(session, id_number, TALENT)
    return doc, doc[key], stamp(event.time)


async def _recognition(session: AsyncSession, event: CloudEvent, data: c.TalentRecognitionEvent,
                       **state: Any) -> None:
    doc, items, at = await _talent_items(session, event, data.id_number, "recognitions")
    _upsert(items, data.id, at, data.status, final=data.status == "cancelled", tier=data.tier, **state)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.TALENT_RECOGNITION_APPLIED)
async def on_recognition_applied(session: AsyncSession, event: CloudEvent, data: c.TalentRecognitionApplied) -> None:
    await _recognition(session, event, data, applied_date=_day(data.applied_date))
    await identity.named(session, data.id_number, data.name, data.county_code, stamp(event.time))


@handlers.on(c.TALENT_RECOGNITION_APPROVED)
async def on_recognition_approved(session: AsyncSession, event: CloudEvent,
                                  data: c.TalentRecognitionApproved) -> None:
    await _recognition(session, event, data, recognition_number=data.recognition_number,
                       valid_from=_day(data.valid_from), valid_until=_day(data.valid_until))


async def _recognition_closed(session: AsyncSession, event: CloudEvent, data: c.TalentRecognitionClosed) -> None:
    await _recognition(session, event, data, closed_date=_day(data.closed_date), reason=data.reason)


for _contract in (c.TALENT_RECOGNITION_REFUSED, c.TALENT_RECOGNITION_REVOKED, c.TALENT_RECOGNITION_SUPERSEDED,
                  c.TALENT_RECOGNITION_CANCELLED):
    handlers.on(_contract)(_recognition_closed)


@handlers.on(c.TALENT_RECOGNITION_CORRECTED)
async def on_recognition_corrected(session: AsyncSession, event: CloudEvent,
                                   data: c.TalentRecognitionCorrected) -> None:
    await _recognition(session, event, data)


async def _title(session: AsyncSession, event: CloudEvent, data: c.ProfessionalTitleGranted) -> None:
    doc, items, at = await _talent_items(session, event, data.id_number, "titles")
    _upsert(items, data.id, at, "granted", series=data.series, level=data.level, specialty=data.specialty,
            certificate_number=data.certificate_number, issuing_body=data.issuing_body,
            issued_date=_day(data.issued_date))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.PROFESSIONAL_TITLE_GRANTED)
async def on_title_granted(session: AsyncSession, event: CloudEvent, data: c.ProfessionalTitleGranted) -> None:
    await _title(session, event, data)
    await identity.named(session, data.id_number, data.name, data.county_code, stamp(event.time))


@handlers.on(c.PROFESSIONAL_TITLE_CORRECTED)
async def on_title_corrected(session: AsyncSession, event: CloudEvent, data: c.ProfessionalTitleCorrected) -> None:
    await _title(session, event, data)


@handlers.on(c.PROFESSIONAL_TITLE_CANCELLED)
async def on_title_cancelled(session: AsyncSession, event: CloudEvent, data: c.ProfessionalTitleCancelled) -> None:
    doc, items, at = await _talent_items(session, event, data.id_number, "titles")
    _upsert(items, data.id, at, "cancelled", final=True, describes={"series": data.series, "level": data.level},
            cancelled_date=_day(data.cancelled_date))
    doc["as_of"] = later(doc["as_of"], at)


def _talent_benefit(items: list[dict[str, Any]], benefit_id: str, kind: str) -> dict[str, Any]:
    item = next((i for i in items if i["id"] == benefit_id), None)
    if item is None:
        item = {"id": benefit_id, "kind": kind, "status": "granted", "stop_period": None, "stop_reason": None,
                "paid_periods": [], "paid_after_stop": []}
        items.append(item)
        items.sort(key=lambda i: i["id"])
    return item


@handlers.on(c.TALENT_BENEFIT_GRANTED)
async def on_talent_benefit_granted(session: AsyncSession, event: CloudEvent, data: c.TalentBenefitGranted) -> None:
    doc, items, at = await _talent_items(session, event, data.id_number, "benefits")
    item = _talent_benefit(items, data.id, data.kind)
    item.update(credit_code=data.credit_code, tier=data.tier, degree=data.degree,
                amount_per_period=str(data.amount_per_period), periods=data.periods, first_period=data.first_period,
                granted_date=_day(data.granted_date))
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.TALENT_BENEFIT_PAID)
async def on_talent_benefit_paid(session: AsyncSession, event: CloudEvent, data: c.TalentBenefitPaid) -> None:
    doc, items, at = await _talent_items(session, event, data.id_number, "benefits")
    item = _talent_benefit(items, data.id, data.kind)
    item["paid_periods"] = sorted({*item["paid_periods"], data.period})
    if data.after_stop or (item["stop_period"] is not None and data.period >= item["stop_period"]):
        item["paid_after_stop"] = sorted({*item["paid_after_stop"], data.period})
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.TALENT_BENEFIT_STOPPED)
async def on_talent_benefit_stopped(session: AsyncSession, event: CloudEvent, data: c.TalentBenefitStopped) -> None:
    """A stop is final; the periods paid at or after it (before it was known) count as paid after the stop."""
    doc, items, at = await _talent_items(session, event, data.id_number, "benefits")
    item = _talent_benefit(items, data.id, data.kind)
    item.update(status="stopped", stop_period=data.stop_period, stop_reason=data.reason)
    item["paid_after_stop"] = sorted({*item["paid_after_stop"], *data.overpaid_periods,
                                      *(p for p in item["paid_periods"] if p >= data.stop_period)})
    doc["as_of"] = later(doc["as_of"], at)


HANDLERS = dict(handlers.by_type)
HANDLERS.update(record_handlers((k for k in contracts_of(str(TRAINING.topic)) if k.type not in HANDLERS), SECTION))
