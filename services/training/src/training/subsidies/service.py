"""Rules of 职业技能培训补贴 and 技能提升补贴 (policy/subsidies.toml; the version in force on the basis's date).

- Bases: 技能提升补贴 on a valid skill-level certificate (its occupation code and level, on its issue date);
  职业技能培训补贴 on an enrolment completed as 合格 (its occupation code, the course kind and target level, on
  the completion date). A basis the policy gives no amount for is not subsidised.
- 免申即享: for the kinds the policy lists as automatic, the decision follows the certificate's or the
  completion's event, once per basis (a redelivered event decides nothing new); otherwise, or when the
  automatic decision did not pay, a person applies (``POST /v1/subsidies``).
- Paid at most once per person, kind, occupation code and level; nothing for a lower level once a higher level
  (a smaller number) of the same kind and occupation was paid; an enrolment paid by a voucher does not also
  draw the training subsidy unless the policy says so. Every refusal is recorded and published
  (``hrss.training.subsidy.refused.v1``) for 政策监管; an applicant gets it as a 409 naming the reason.
- A cancelled basis revokes its subsidy; a corrected certificate revokes the subsidy of its earlier version and
  is decided afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    SUBSIDY_GRANTED,
    SUBSIDY_REFUSED,
    SUBSIDY_REVOKED,
    SubsidyGranted,
    SubsidyRefused,
    SubsidyRevoked,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField, recorded
from training.certificates.models import LEVEL_NAMES, Certificate, CertificateStatus
from training.common import POLICY_DIR
from training.courses.models import Course
from training.enrolments.models import CompletionResult, Enrolment, EnrolmentStatus
from training.subsidies.models import (
    KIND_NAMES,
    REASON_NAMES,
    RefusalReason,
    Subsidy,
    SubsidyChannel,
    SubsidyClaim,
    SubsidyKind,
    SubsidyPolicy,
    SubsidyRefusal,
    SubsidyStatus,
)

POLICY: PolicyTable[SubsidyPolicy] = PolicyTable.load(POLICY_DIR / "subsidies.toml", SubsidyPolicy)
SORTS = ("granted_date", "amount", "created_at")
REFUSAL_SORTS = ("refused_date", "created_at")


@dataclass(frozen=True)
class Basis:
    """What a subsidy is decided on: one certificate version or one completed enrolment."""

    kind: SubsidyKind
    key: str
    day: date
    id_number: str
    name: str
    county_code: str
    occupation_code: str
    occupation_name: str
    level: int | None
    course_kind: str | None = None
    certificate_id: str | None = None
    enrolment_id: str | None = None
    voucher_id: str | None = None

    @property
    def dedup_key(self) -> str:
        return f"{self.id_number}|{self.kind}|{self.occupation_code}|{self.level if self.level else '-'}"

    def describe(self) -> str:
        level = LEVEL_NAMES[self.level] if self.level else "不分等级"
        return f"{KIND_NAMES[self.kind]}（职业 {self.occupation_code} {self.occupation_name}，{level}）"


def certificate_basis(certificate: Certificate) -> Basis:
    return Basis(
        kind=SubsidyKind.skill_upgrade, key=f"certificate:{certificate.id}:{certificate.corrections}",
        day=certificate.issued_date, id_number=certificate.id_number, name=certificate.name,
        county_code=certificate.county_code, occupation_code=certificate.occupation_code,
        occupation_name=certificate.occupation_name, level=certificate.level, certificate_id=certificate.id,
    )


def enrolment_basis(enrolment: Enrolment, course: Course) -> Basis:
    assert enrolment.completed_date is not None
    return Basis(
        kind=SubsidyKind.training, key=f"enrolment:{enrolment.id}:{enrolment.corrections}",
        day=enrolment.completed_date,
        id_number=enrolment.id_number, name=enrolment.name, county_code=enrolment.county_code,
        occupation_code=enrolment.occupation_code, occupation_name=enrolment.occupation_name,
        level=course.target_level, course_kind=course.kind, enrolment_id=enrolment.id,
        voucher_id=enrolment.voucher_id,
    )


def _policy(day: date) -> SubsidyPolicy | None:
    try:
        return POLICY.at(day)
    except PolicyError:
        return None


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    detail: str
    earlier: Subsidy | None = None


async def _refusal(session: AsyncSession, basis: Basis, rules: SubsidyPolicy) -> Refusal | None:
    """Why ``basis`` may not be paid, if it may not: once per level, no lower level, the voucher rule."""
    granted = (await session.exec(select(Subsidy).where(
        Subsidy.id_number == basis.id_number, Subsidy.kind == basis.kind,
        Subsidy.occupation_code == basis.occupation_code, Subsidy.status == SubsidyStatus.granted,
    ).order_by(col(Subsidy.granted_date)))).all()
    for earlier in granted:
        if earlier.level == basis.level:
            return Refusal(RefusalReason.duplicate,
                           f"{basis.describe()}已于 {earlier.granted_date} 核发（补贴记录 {earlier.id}，"
                           f"{earlier.amount} 元），每人每职业每等级限享受一次 (paid once already)", earlier)
    if basis.level is not None:
        higher = [g for g in granted if g.level is not None and g.level < basis.level]
        if higher:
            earlier = min(higher, key=lambda g: g.level or 0)
            assert earlier.level is not None
            return Refusal(RefusalReason.higher_level_paid,
                           f"已于 {earlier.granted_date} 享受同职业更高等级（{LEVEL_NAMES[earlier.level]}）的"
                           f"{KIND_NAMES[SubsidyKind(earlier.kind)]}（补贴记录 {earlier.id}），不再享受较低等级"
                           f"（{LEVEL_NAMES[basis.level]}）的补贴 (a higher level of the same occupation was paid)",
                           earlier)
    if basis.kind == SubsidyKind.training and basis.voucher_id is not None and not rules.voucher_also_subsidised:
        return Refusal(RefusalReason.voucher_paid,
                       f"报名记录 {basis.enrolment_id} 已使用电子培训券 {basis.voucher_id} 抵用培训费，"
                       f"不再享受职业技能培训补贴（{rules.source}）(the enrolment was paid by a voucher)")
    return None


async def _record_refusal(
    *, session: AsyncSession, outbox: Outbox, basis: Basis, refusal: Refusal, channel: SubsidyChannel,
    submitted_by: str | None,
) -> SubsidyRefusal:
    row = SubsidyRefusal(
        id_number=basis.id_number, county_code=basis.county_code, kind=basis.kind,
        occupation_code=basis.occupation_code, level=basis.level, reason=refusal.reason, detail=refusal.detail[:500],
        earlier_subsidy_id=refusal.earlier.id if refusal.earlier else None,
        voucher_id=basis.voucher_id if refusal.reason == RefusalReason.voucher_paid else None,
        certificate_id=basis.certificate_id, enrolment_id=basis.enrolment_id, channel=channel, basis_key=basis.key,
        refused_date=clock.today(), submitted_by=submitted_by,
    )
    session.add(row)
    await session.flush()
    await outbox.add(session, SUBSIDY_REFUSED, SubsidyRefused(
        id=row.id, id_number=row.id_number, county_code=row.county_code, kind=row.kind,
        occupation_code=row.occupation_code, level=row.level, reason=row.reason, detail=row.detail,
        earlier_subsidy_id=row.earlier_subsidy_id, voucher_id=row.voucher_id, certificate_id=row.certificate_id,
        enrolment_id=row.enrolment_id, channel=row.channel, refused_date=row.refused_date))
    return row


async def _grant(
    *, session: AsyncSession, outbox: Outbox, basis: Basis, amount: Decimal, source: str, illustrative: bool,
    channel: SubsidyChannel,
) -> Subsidy:
    subsidy = Subsidy(
        id_number=basis.id_number, name=basis.name, county_code=basis.county_code, kind=basis.kind,
        occupation_code=basis.occupation_code, occupation_name=basis.occupation_name, level=basis.level,
        course_kind=basis.course_kind, amount=amount, channel=channel, certificate_id=basis.certificate_id,
        enrolment_id=basis.enrolment_id, granted_date=clock.today(), policy_source=source, illustrative=illustrative,
        dedup_key=basis.dedup_key, basis_key=basis.key,
    )
    session.add(subsidy)
    await session.flush()
    await outbox.add(session, SUBSIDY_GRANTED, SubsidyGranted(
        id=subsidy.id, id_number=subsidy.id_number, county_code=subsidy.county_code, kind=subsidy.kind,
        occupation_code=subsidy.occupation_code, level=subsidy.level, name=subsidy.name, amount=subsidy.amount,
        channel=subsidy.channel, certificate_id=subsidy.certificate_id, enrolment_id=subsidy.enrolment_id,
        course_kind=subsidy.course_kind, granted_date=subsidy.granted_date, policy_source=subsidy.policy_source,
        illustrative=subsidy.illustrative))
    return subsidy


def _amount(basis: Basis, rules: SubsidyPolicy) -> tuple[Decimal, str, bool] | None:
    if basis.kind == SubsidyKind.skill_upgrade:
        assert basis.level is not None
        level = rules.skill_upgrade_amount(basis.level)
        return (level.amount, level.source, level.illustrative) if level else None
    assert basis.course_kind is not None
    course = rules.training_amount(basis.course_kind, basis.level)
    return (course.amount, course.source, course.illustrative) if course else None


def person_lock(basis: Basis) -> str:
    """Serialises the decisions of one person's subsidies of one kind and occupation."""
    return f"training-subsidy:{basis.id_number}:{basis.kind}:{basis.occupation_code}"


async def decide_automatically(*, session: AsyncSession, outbox: Outbox, basis: Basis) -> Subsidy | None:
    """免申即享: grant or refuse (recorded, published) once per basis; nothing when the kind needs an application,
    no policy or amount applies, or this basis was decided already."""
    rules = _policy(basis.day)
    if rules is None or basis.kind not in rules.automatic:
        return None
    paid = _amount(basis, rules)
    if paid is None:
        return None
    await lock_key(session, person_lock(basis))
    decided = (await session.exec(select(Subsidy.id).where(Subsidy.basis_key == basis.key))).first() or \
        (await session.exec(select(SubsidyRefusal.id).where(
            SubsidyRefusal.basis_key == basis.key, SubsidyRefusal.channel == SubsidyChannel.automatic))).first()
    if decided is not None:
        return None
    same = (Subsidy.certificate_id == basis.certificate_id) if basis.certificate_id is not None else \
        (Subsidy.enrolment_id == basis.enrolment_id)
    standing = (await session.exec(select(Subsidy.id).where(
        same, Subsidy.dedup_key == basis.dedup_key, Subsidy.status == SubsidyStatus.granted))).first()
    if standing is not None:
        return None  # granted on an earlier version of this basis, corrected in fields that do not matter
    refusal = await _refusal(session, basis, rules)
    if refusal is not None:
        await _record_refusal(session=session, outbox=outbox, basis=basis, refusal=refusal,
                              channel=SubsidyChannel.automatic, submitted_by=None)
        return None
    amount, source, illustrative = paid
    return await _grant(session=session, outbox=outbox, basis=basis, amount=amount, source=source,
                        illustrative=illustrative, channel=SubsidyChannel.automatic)


async def _claim_basis(session: AsyncSession, data: SubsidyClaim) -> Basis:
    if data.kind == SubsidyKind.skill_upgrade:
        assert data.certificate_id is not None
        certificate = await session.get(Certificate, data.certificate_id)
        if certificate is None:
            raise InvalidField("certificate_id", f"证书记录 {data.certificate_id} 不存在 (certificate not found)")
        if certificate.id_number != data.id_number:
            raise InvalidField("certificate_id", "证书不是申请人本人的 (the certificate is someone else's)")
        if certificate.status != CertificateStatus.valid:
            raise Conflict(f"证书记录 {certificate.id} 已撤销，不能申领补贴 (the certificate was cancelled)",
                           field_name="certificate_id", current_status=certificate.status)
        return certificate_basis(certificate)
    assert data.enrolment_id is not None
    enrolment = await session.get(Enrolment, data.enrolment_id)
    if enrolment is None:
        raise InvalidField("enrolment_id", f"报名记录 {data.enrolment_id} 不存在 (enrolment not found)")
    if enrolment.id_number != data.id_number:
        raise InvalidField("enrolment_id", "报名记录不是申请人本人的 (the enrolment is someone else's)")
    if enrolment.status != EnrolmentStatus.completed or enrolment.result != CompletionResult.passed:
        raise Conflict(f"报名记录 {enrolment.id} 未合格结业（状态 {enrolment.status}），不能申领职业技能培训补贴 "
                       "(only an enrolment completed as passed is subsidised)", field_name="enrolment_id",
                       current_status=enrolment.status, result=enrolment.result)
    course = await session.get(Course, enrolment.course_id)
    assert course is not None  # a foreign key
    return enrolment_basis(enrolment, course)


async def claim(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: SubsidyClaim) -> Subsidy:
    """申请: granted at once when payable; a refusal is recorded and published, then answered with a 409."""
    basis = await _claim_basis(session, data)
    principal.check_county(basis.county_code)
    rules = _policy(basis.day)
    if rules is None:
        raise Conflict(f"{basis.day} 无适用的培训补贴政策 (no subsidy policy in force on {basis.day})",
                       field_name="kind")
    paid = _amount(basis, rules)
    if paid is None:
        raise Conflict(f"{basis.describe()}不在补贴标准之内（{rules.source}）(the policy pays nothing for this "
                       "kind, occupation level or course kind)", field_name="kind", policy_source=rules.source)
    await lock_key(session, person_lock(basis))
    refusal = await _refusal(session, basis, rules)
    if refusal is not None:
        row = await _record_refusal(session=session, outbox=outbox, basis=basis, refusal=refusal,
                                    channel=SubsidyChannel.application, submitted_by=principal.client_id)
        field = "certificate_id" if basis.kind == SubsidyKind.skill_upgrade else "enrolment_id"
        raise recorded(Conflict(
            refusal.detail, field_name=field, reason=str(refusal.reason), reason_name=REASON_NAMES[refusal.reason],
            refusal_id=row.id, earlier_subsidy_id=row.earlier_subsidy_id, voucher_id=row.voucher_id))
    amount, source, illustrative = paid
    return await _grant(session=session, outbox=outbox, basis=basis, amount=amount, source=source,
                        illustrative=illustrative, channel=SubsidyChannel.application)


async def revoke_for(
    *, session: AsyncSession, outbox: Outbox, certificate_id: str | None = None, enrolment_id: str | None = None,
    reason: str, keep_basis: str | None = None,
) -> list[Subsidy]:
    """Revoke the granted subsidies decided on a certificate or an enrolment (except on ``keep_basis``, the
    current version of the basis)."""
    query = select(Subsidy).where(Subsidy.status == SubsidyStatus.granted)
    if keep_basis is not None:
        query = query.where(Subsidy.basis_key != keep_basis)
    if certificate_id is not None:
        query = query.where(Subsidy.certificate_id == certificate_id)
    else:
        query = query.where(Subsidy.enrolment_id == enrolment_id)
    revoked = []
    for subsidy in (await session.exec(query)).all():
        subsidy.status = SubsidyStatus.revoked
        subsidy.revoked_date = clock.today()
        subsidy.revoke_reason = reason[:200]
        subsidy.updated_at = clock.now()
        session.add(subsidy)
        await session.flush()
        await outbox.add(session, SUBSIDY_REVOKED, SubsidyRevoked(
            id=subsidy.id, id_number=subsidy.id_number, county_code=subsidy.county_code, kind=subsidy.kind,
            occupation_code=subsidy.occupation_code, level=subsidy.level, amount=subsidy.amount,
            revoked_date=subsidy.revoked_date, reason=subsidy.revoke_reason))
        revoked.append(subsidy)
    return revoked


# A correction of these fields changes what the certificate is subsidised for.
SUBSIDY_FIELDS = frozenset({"level", "occupation_code", "issued_date"})


async def on_certificate(
    *, session: AsyncSession, outbox: Outbox, certificate_id: str, changed: list[str] | None = None
) -> None:
    """A certificate was issued, corrected (``changed``) or cancelled: its subsidy follows the certificate as it
    is now. A correction of its level, occupation or issue date revokes the subsidy of the earlier version and
    decides afresh; a cancellation revokes it. Running twice changes nothing more."""
    await lock_key(session, f"training-certificate:{certificate_id}")
    certificate = await session.get(Certificate, certificate_id)
    if certificate is None:
        return
    if certificate.status == CertificateStatus.cancelled:
        await revoke_for(session=session, outbox=outbox, certificate_id=certificate.id,
                         reason=f"证书已撤销：{certificate.cancel_reason}")
        return
    basis = certificate_basis(certificate)
    if changed is not None:
        if not SUBSIDY_FIELDS.intersection(changed):
            return
        await revoke_for(session=session, outbox=outbox, certificate_id=certificate.id, keep_basis=basis.key,
                         reason="证书更正（职业、等级或发证日期变更），按更正后的证书重新核定")
    await decide_automatically(session=session, outbox=outbox, basis=basis)


async def on_enrolment(
    *, session: AsyncSession, outbox: Outbox, enrolment_id: str, changed: list[str] | None = None
) -> None:
    """An enrolment was completed, corrected (``changed``) or cancelled: 免申即享 of the training subsidy when it
    passed; a corrected result re-decides, a cancellation or a result corrected to 不合格 revokes."""
    await lock_key(session, f"training-enrolment:{enrolment_id}")
    enrolment = await session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return
    if changed is not None and "result" not in changed:
        return
    passed = enrolment.status == EnrolmentStatus.completed and enrolment.result == CompletionResult.passed
    course = await session.get(Course, enrolment.course_id)
    assert course is not None  # a foreign key
    if enrolment.status == EnrolmentStatus.cancelled or changed is not None:
        reason = (f"报名已撤销：{enrolment.cancel_reason}" if enrolment.status == EnrolmentStatus.cancelled
                  else "结业结果更正，按更正后的结果重新核定")
        keep = enrolment_basis(enrolment, course).key if passed else None
        await revoke_for(session=session, outbox=outbox, enrolment_id=enrolment.id, reason=reason, keep_basis=keep)
    if passed:
        await decide_automatically(session=session, outbox=outbox, basis=enrolment_basis(enrolment, course))


async def get_or_404(*, session: AsyncSession, subsidy_id: str) -> Subsidy:
    return await fetch_or_404(session, Subsidy, subsidy_id, f"补贴记录 {subsidy_id} 不存在 (subsidy not found)")


async def list_subsidies(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    occupation_code: str | None, kind: SubsidyKind | None, status: SubsidyStatus | None,
    channel: SubsidyChannel | None, granted: DateRange, sort: str,
) -> tuple[list[Subsidy], int]:
    query = select(Subsidy).where(*equals(
        (Subsidy.id_number, id_number), (Subsidy.county_code, county_code),
        (Subsidy.occupation_code, occupation_code), (Subsidy.kind, kind), (Subsidy.status, status),
        (Subsidy.channel, channel),
    ), *granted.clauses(col(Subsidy.granted_date)))
    columns = {key: col(getattr(Subsidy, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Subsidy.id))), page)


async def list_refusals(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    reason: RefusalReason | None, refused: DateRange, sort: str,
) -> tuple[list[SubsidyRefusal], int]:
    query = select(SubsidyRefusal).where(*equals(
        (SubsidyRefusal.id_number, id_number), (SubsidyRefusal.county_code, county_code),
        (SubsidyRefusal.reason, reason),
    ), *refused.clauses(col(SubsidyRefusal.refused_date)))
    columns = {key: col(getattr(SubsidyRefusal, key)) for key in REFUSAL_SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(SubsidyRefusal.id))), page)
