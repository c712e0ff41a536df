"""Rules of 职业技能等级认定 certificates and 专项职业能力 certificates. "Today" is the bureau's.

- A certificate number is recorded once (409 naming the certificate already recorded under it).
- The issue date is not after today. A certificate may name the enrolment it followed: that enrolment must be
  the holder's, completed as 合格, in the same occupation.
- Correction 更正 (with a reason) changes the fields sent and publishes the certificate after the change;
  cancellation 撤销 (with a reason) is final. Both are refused for a cancelled certificate (409).
- What is derived from a certificate follows its events: employment's skill profile, and the subsidy decided
  from it (``training.subsidies``).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_CORRECTED,
    CERTIFICATE_ISSUED,
    SPECIAL_CERTIFICATE_CANCELLED,
    SPECIAL_CERTIFICATE_ISSUED,
    CertificateCancelled,
    CertificateCorrected,
    CertificateIssued,
    SpecialCertificateCancelled,
    SpecialCertificateIssued,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.corrections import apply_changes
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField
from training.certificates.models import (
    Certificate,
    CertificateCancellation,
    CertificateCorrection,
    CertificateCreate,
    CertificateStatus,
    SpecialCertificate,
    SpecialCertificateCreate,
)
from training.enrolments.models import CompletionResult, Enrolment, EnrolmentStatus

SORTS = ("issued_date", "level", "created_at")
SPECIAL_SORTS = ("issued_date", "created_at")


def certificate_lock(certificate_id: str) -> str:
    return f"training-certificate:{certificate_id}"


def issued_event(certificate: Certificate) -> CertificateIssued:
    return CertificateIssued(
        id=certificate.id, id_number=certificate.id_number, name=certificate.name,
        occupation=certificate.occupation_name, level=certificate.level,
        certificate_number=certificate.certificate_number, issued_date=certificate.issued_date,
        county_code=certificate.county_code, occupation_code=certificate.occupation_code,
        evaluation_org=certificate.evaluation_org,
    )


async def _number_taken(session: AsyncSession, model: Any, number: str) -> Conflict | None:
    existing = (await session.exec(select(model).where(model.certificate_number == number))).first()
    if existing is None:
        return None
    return Conflict(f"证书编号 {number} 已登记（证书记录 {existing.id}）(certificate number already recorded)",
                    field_name="certificate_number", existing_id=existing.id)


def enrolment_problem(data: CertificateCreate, enrolment: Enrolment | None) -> InvalidField | None:
    """What is wrong with the enrolment a certificate names (``enrolment`` as looked up: None when there is none):
    it must be the holder's own, completed as passed, in the certificate's occupation."""
    if enrolment is None:
        return InvalidField("enrolment_id", f"报名记录 {data.enrolment_id} 不存在 (enrolment not found)")
    if enrolment.id_number != data.id_number:
        return InvalidField("enrolment_id", "报名记录不是持证人本人的 (the enrolment is someone else's)")
    if enrolment.status != EnrolmentStatus.completed or enrolment.result != CompletionResult.passed:
        return InvalidField("enrolment_id", f"报名记录 {enrolment.id} 未合格结业（状态 {enrolment.status}）"
                                            "(the enrolment is not completed as passed)")
    if enrolment.occupation_code != data.occupation_code:
        return InvalidField("enrolment_id", f"报名记录的职业 {enrolment.occupation_code} 与证书职业 "
                                            f"{data.occupation_code} 不同 (the enrolment is in another occupation)")
    return None


async def _check_enrolment(session: AsyncSession, data: CertificateCreate) -> None:
    if data.enrolment_id is None:
        return
    problem = enrolment_problem(data, await session.get(Enrolment, data.enrolment_id))
    if problem is not None:
        raise problem


async def issue(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: CertificateCreate
) -> Certificate:
    """职业技能等级认定发证: one record per certificate number."""
    principal.check_county(data.county_code)
    await lock_key(session, f"training-certificate-number:{data.certificate_number}")
    taken = await _number_taken(session, Certificate, data.certificate_number)
    if taken is not None:
        raise taken
    await _check_enrolment(session, data)
    certificate = Certificate(**data.model_dump(exclude={"level"}), level=int(data.level))
    session.add(certificate)
    await flush_or_conflict(session, Conflict(f"证书编号 {data.certificate_number} 已登记 (certificate number "
                                              "already recorded)", field_name="certificate_number"))
    await outbox.add(session, CERTIFICATE_ISSUED, issued_event(certificate))
    return certificate


async def get_or_404(*, session: AsyncSession, certificate_id: str) -> Certificate:
    return await fetch_or_404(session, Certificate, certificate_id,
                              f"证书记录 {certificate_id} 不存在 (certificate not found)")


async def _valid(
    *, session: AsyncSession, principal: Principal, certificate_id: str, action: str
) -> Certificate:
    await lock_key(session, certificate_lock(certificate_id))
    certificate = await get_or_404(session=session, certificate_id=certificate_id)
    principal.check_county(certificate.county_code)
    if certificate.status == CertificateStatus.cancelled:
        raise Conflict(f"证书记录 {certificate.id} 已于 {certificate.cancelled_date} 撤销，不能{action} "
                       "(the certificate was cancelled)", field_name="status", current_status=certificate.status)
    return certificate


async def correct(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, certificate_id: str,
    data: CertificateCorrection,
) -> Certificate:
    """更正: the fields sent change (a county client may move it only within its county)."""
    certificate = await _valid(session=session, principal=principal, certificate_id=certificate_id, action="更正")
    sent = data.sent()
    if "county_code" in sent:
        principal.check_county(sent["county_code"])
    changed = apply_changes(certificate, sent, stored=lambda key, value: int(value) if key == "level" else value)
    certificate.corrections += 1
    certificate.updated_at = clock.now()
    session.add(certificate)
    await session.flush()
    await outbox.add(session, CERTIFICATE_CORRECTED, CertificateCorrected(
        id=certificate.id, id_number=certificate.id_number, name=certificate.name,
        certificate_number=certificate.certificate_number, occupation_code=certificate.occupation_code,
        occupation=certificate.occupation_name, level=certificate.level, issued_date=certificate.issued_date,
        county_code=certificate.county_code, evaluation_org=certificate.evaluation_org, changed=changed,
        reason=data.reason))
    return certificate


async def cancel(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, certificate_id: str,
    data: CertificateCancellation,
) -> Certificate:
    """撤销: final; the skill profile entry and the subsidy from it follow the event."""
    certificate = await _valid(session=session, principal=principal, certificate_id=certificate_id, action="撤销")
    today = clock.today()
    certificate.status = CertificateStatus.cancelled
    certificate.cancelled_date = today
    certificate.cancel_reason = data.reason
    certificate.updated_at = clock.now()
    session.add(certificate)
    await session.flush()
    await outbox.add(session, CERTIFICATE_CANCELLED, CertificateCancelled(
        id=certificate.id, id_number=certificate.id_number, certificate_number=certificate.certificate_number,
        occupation_code=certificate.occupation_code, level=certificate.level, county_code=certificate.county_code,
        cancelled_date=today, reason=data.reason))
    return certificate


async def list_certificates(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    occupation_code: str | None, level: int | None, status: CertificateStatus | None, issued: DateRange, sort: str,
) -> tuple[list[Certificate], int]:
    query = select(Certificate).where(*equals(
        (Certificate.id_number, id_number), (Certificate.county_code, county_code),
        (Certificate.occupation_code, occupation_code), (Certificate.level, level), (Certificate.status, status),
    ), *issued.clauses(col(Certificate.issued_date)))
    columns = {key: col(getattr(Certificate, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Certificate.id))), page)


# ---- 专项职业能力证书 ------------------------------------------------------------------------------


async def issue_special(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: SpecialCertificateCreate
) -> SpecialCertificate:
    principal.check_county(data.county_code)
    await lock_key(session, f"training-special-certificate-number:{data.certificate_number}")
    taken = await _number_taken(session, SpecialCertificate, data.certificate_number)
    if taken is not None:
        raise taken
    certificate = SpecialCertificate(**data.model_dump())
    session.add(certificate)
    await flush_or_conflict(session, Conflict(f"证书编号 {data.certificate_number} 已登记 (certificate number "
                                              "already recorded)", field_name="certificate_number"))
    await outbox.add(session, SPECIAL_CERTIFICATE_ISSUED, SpecialCertificateIssued(
        id=certificate.id, id_number=certificate.id_number, name=certificate.name,
        certificate_number=certificate.certificate_number, ability_name=certificate.ability_name,
        evaluation_org=certificate.evaluation_org, issued_date=certificate.issued_date,
        county_code=certificate.county_code))
    return certificate


async def get_special_or_404(*, session: AsyncSession, certificate_id: str) -> SpecialCertificate:
    return await fetch_or_404(session, SpecialCertificate, certificate_id,
                              f"专项职业能力证书记录 {certificate_id} 不存在 (certificate not found)")


async def cancel_special(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, certificate_id: str,
    data: CertificateCancellation,
) -> SpecialCertificate:
    await lock_key(session, certificate_lock(certificate_id))
    certificate = await get_special_or_404(session=session, certificate_id=certificate_id)
    principal.check_county(certificate.county_code)
    if certificate.status == CertificateStatus.cancelled:
        raise Conflict(f"证书记录 {certificate.id} 已于 {certificate.cancelled_date} 撤销 (already cancelled)",
                       field_name="status", current_status=certificate.status)
    today = clock.today()
    certificate.status = CertificateStatus.cancelled
    certificate.cancelled_date = today
    certificate.cancel_reason = data.reason
    certificate.updated_at = clock.now()
    session.add(certificate)
    await session.flush()
    await outbox.add(session, SPECIAL_CERTIFICATE_CANCELLED, SpecialCertificateCancelled(
        id=certificate.id, id_number=certificate.id_number, certificate_number=certificate.certificate_number,
        county_code=certificate.county_code, cancelled_date=today, reason=data.reason))
    return certificate


async def list_special(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    status: CertificateStatus | None, issued: DateRange, sort: str,
) -> tuple[list[SpecialCertificate], int]:
    query = select(SpecialCertificate).where(*equals(
        (SpecialCertificate.id_number, id_number), (SpecialCertificate.county_code, county_code),
        (SpecialCertificate.status, status),
    ), *issued.clauses(col(SpecialCertificate.issued_date)))
    columns = {key: col(getattr(SpecialCertificate, key)) for key in SPECIAL_SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(SpecialCertificate.id))), page)
