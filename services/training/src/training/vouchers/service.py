"""Rules of 电子培训券. "Today" is the bureau's (``hrss_shared.clock``).

- Issue: by hand (any kind, face value, eligible course kinds and occupations, issue and expiry dates, expiry not
  before issue), or on an unemployment registration: the re-employment voucher of policy/vouchers.toml (the
  version in force on the registration date; expiry = registration date + validity_days), once per registration.
- Redemption 抵用: once, of an unused voucher, on or before its expiry date, against an enrolment of the holder
  that is not withdrawn and has no voucher yet, whose course kind (and occupation, when the voucher names any) is
  eligible, at an institution that is active and accredited for the course's occupation over the course's period.
  The amount applied is min(face value, course fee); the trainee still pays the rest.
- Expiry: an unused voucher past its expiry date is expired — answered so on read at once, recorded (with one
  event) by the daily job, or by a redemption or cancellation that finds it lapsed (which is then refused).
- Cancellation 撤销: of an unused voucher, with a reason.
- Correction 更正 (with a reason): the face value or the expiry date (not before the issue date) of a voucher not
  yet redeemed, cancelled or recorded as expired — a wrongly recorded expiry date can be put right even after
  it seemed to pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import UnemploymentRegistered
from hrss_contracts.training import (
    VOUCHER_CANCELLED,
    VOUCHER_CORRECTED,
    VOUCHER_EXPIRED,
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VoucherCancelled,
    VoucherCorrected,
    VoucherExpired,
    VoucherIssued,
    VoucherRedeemed,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.consumer import PermanentEventError
from hrss_shared.corrections import apply_changes
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField, recorded
from hrss_shared.scheduler import Job, daily_job
from training.common import POLICY_DIR
from training.courses.models import KIND_NAMES as COURSE_KIND_NAMES
from training.courses.models import Course, CourseKind
from training.enrolments.models import Enrolment, EnrolmentStatus
from training.enrolments.service import enrolment_lock
from training.institutions import service as institutions
from training.institutions.models import STATUS_NAMES as INSTITUTION_STATUS_NAMES
from training.institutions.models import Institution, InstitutionStatus
from training.vouchers.models import (
    Cancellation,
    Redemption,
    Voucher,
    VoucherCorrection,
    VoucherCreate,
    VoucherKind,
    VoucherPolicy,
    VoucherStatus,
)

POLICY: PolicyTable[VoucherPolicy] = PolicyTable.load(POLICY_DIR / "vouchers.toml", VoucherPolicy)
SORTS = ("issue_date", "expiry_date", "face_value", "created_at")
EXPIRY_JOB = "voucher-expiry"


def voucher_lock(voucher_id: str) -> str:
    """The key that serialises the changes of one voucher (redemption, expiry, cancellation)."""
    return f"training-voucher:{voucher_id}"


def _issued_event(voucher: Voucher) -> VoucherIssued:
    return VoucherIssued(
        id=voucher.id, id_number=voucher.id_number, name=voucher.name, county_code=voucher.county_code,
        kind=voucher.kind, face_value=voucher.face_value, eligible_course_kinds=list(voucher.eligible_course_kinds),
        eligible_occupation_codes=list(voucher.eligible_occupation_codes), issue_date=voucher.issue_date,
        expiry_date=voucher.expiry_date, unemployment_registration_id=voucher.unemployment_registration_id,
        policy_source=voucher.policy_source, illustrative=voucher.illustrative,
    )


async def _save_new(session: AsyncSession, outbox: Outbox, voucher: Voucher) -> Voucher:
    session.add(voucher)
    await session.flush()
    await outbox.add(session, VOUCHER_ISSUED, _issued_event(voucher))
    return voucher


async def issue(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: VoucherCreate) -> Voucher:
    """发放培训券 by hand."""
    principal.check_county(data.county_code)
    values = data.model_dump(mode="json", exclude={"face_value", "issue_date", "expiry_date"})
    voucher = Voucher(**values, face_value=data.face_value, issue_date=data.issue_date,
                      expiry_date=data.expiry_date)
    return await _save_new(session, outbox, voucher)


async def issue_for_unemployment(
    *, session: AsyncSession, outbox: Outbox, registration: UnemploymentRegistered
) -> Voucher | None:
    """The re-employment voucher of an unemployment registration; None when that registration already has one."""
    await lock_key(session, f"training-unemployment:{registration.id}")
    existing = (await session.exec(
        select(Voucher).where(Voucher.unemployment_registration_id == registration.id))).first()
    if existing is not None:
        return None
    try:
        rules = POLICY.at(registration.registered_date)
    except PolicyError as exc:
        raise PermanentEventError(f"失业登记日期 {registration.registered_date} 无适用的再就业培训券政策 "
                                  f"(no voucher policy in force: {exc})") from exc
    voucher = Voucher(
        id_number=registration.id_number, name=registration.name[:50], county_code=registration.county_code,
        kind=VoucherKind.reemployment, face_value=rules.face_value,
        eligible_course_kinds=[str(k) for k in rules.eligible_course_kinds], eligible_occupation_codes=[],
        issue_date=registration.registered_date,
        expiry_date=registration.registered_date + timedelta(days=rules.validity_days),
        unemployment_registration_id=registration.id, policy_source=rules.source, illustrative=rules.illustrative,
    )
    return await _save_new(session, outbox, voucher)


async def cancel_for_unemployment(
    *, session: AsyncSession, outbox: Outbox, registration_id: str, reason: str
) -> Voucher | None:
    """A cancelled (撤销) unemployment registration never held: its re-employment voucher, still unused, is
    cancelled with it (one event; a redelivery finds it cancelled). A voucher already redeemed stays: the training
    it paid for happened."""
    await lock_key(session, f"training-unemployment:{registration_id}")
    voucher = (await session.exec(
        select(Voucher).where(Voucher.unemployment_registration_id == registration_id))).first()
    today = clock.today()
    if voucher is None or voucher.status_on(today) != VoucherStatus.issued:
        return None
    await lock_key(session, voucher_lock(voucher.id))
    voucher.status = VoucherStatus.cancelled
    voucher.cancelled_date = today
    voucher.cancel_reason = f"失业登记已撤销：{reason}"[:200]
    await _touch(session, voucher)
    await outbox.add(session, VOUCHER_CANCELLED, VoucherCancelled(
        id=voucher.id, id_number=voucher.id_number, county_code=voucher.county_code, kind=voucher.kind,
        face_value=voucher.face_value, cancelled_date=today, reason=voucher.cancel_reason))
    return voucher


async def get_or_404(*, session: AsyncSession, voucher_id: str) -> Voucher:
    return await fetch_or_404(session, Voucher, voucher_id, f"培训券 {voucher_id} 不存在 (voucher not found)")


async def _touch(session: AsyncSession, voucher: Voucher) -> None:
    voucher.updated_at = clock.now()
    session.add(voucher)
    await session.flush()


async def _expire(*, session: AsyncSession, outbox: Outbox, voucher: Voucher, today: date) -> None:
    voucher.status = VoucherStatus.expired
    voucher.expired_date = today
    await _touch(session, voucher)
    await outbox.add(session, VOUCHER_EXPIRED, VoucherExpired(
        id=voucher.id, id_number=voucher.id_number, county_code=voucher.county_code, kind=voucher.kind,
        face_value=voucher.face_value, expiry_date=voucher.expiry_date, expired_date=today))


async def _unused(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, voucher_id: str, action: str, today: date
) -> Voucher:
    """The voucher, locked, if it is still usable for ``action``; a lapsed one is recorded as expired, then 409."""
    await lock_key(session, voucher_lock(voucher_id))
    voucher = await get_or_404(session=session, voucher_id=voucher_id)
    principal.check_county(voucher.county_code)
    if voucher.status == VoucherStatus.redeemed:
        raise Conflict(f"培训券 {voucher.id} 已于 {voucher.redeemed_date} 抵用于报名记录 {voucher.enrolment_id}，"
                       f"不能{action} (the voucher was already redeemed against enrolment {voucher.enrolment_id})",
                       field_name="status", current_status=voucher.status, enrolment_id=voucher.enrolment_id)
    if voucher.status == VoucherStatus.cancelled:
        raise Conflict(f"培训券 {voucher.id} 已于 {voucher.cancelled_date} 撤销，不能{action} "
                       "(the voucher was cancelled)", field_name="status", current_status=voucher.status)
    if voucher.status_on(today) == VoucherStatus.expired:
        lapsed = voucher.status == VoucherStatus.issued
        if lapsed:
            await _expire(session=session, outbox=outbox, voucher=voucher, today=today)
        problem = Conflict(f"培训券已过期：有效期至 {voucher.expiry_date}，今天为 {today}，不能{action} "
                           f"(the voucher expired after {voucher.expiry_date})",
                           field_name="expiry_date", current_status=VoucherStatus.expired,
                           expiry_date=str(voucher.expiry_date))
        raise recorded(problem) if lapsed else problem
    return voucher


def _refuse(detail: str, **extra: Any) -> Conflict:
    return Conflict(detail, field_name="enrolment_id", **extra)


async def redeem(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, voucher_id: str, data: Redemption
) -> tuple[Voucher, Enrolment]:
    """抵用: against an eligible enrolment of the holder; applies min(face value, course fee)."""
    today = clock.today()
    voucher = await _unused(session=session, outbox=outbox, principal=principal, voucher_id=voucher_id,
                            action="抵用", today=today)
    await lock_key(session, enrolment_lock(data.enrolment_id))
    enrolment = await session.get(Enrolment, data.enrolment_id)
    if enrolment is None:
        raise InvalidField("enrolment_id", f"报名记录 {data.enrolment_id} 不存在 (enrolment not found)")
    if enrolment.id_number != voucher.id_number:
        raise _refuse(f"报名记录 {enrolment.id} 不是持券人本人的报名，培训券只能由持券人本人使用 "
                      "(the enrolment is someone else's; a voucher pays only for its holder's training)")
    if enrolment.status == EnrolmentStatus.withdrawn:
        raise _refuse(f"报名记录 {enrolment.id} 已于 {enrolment.withdrawn_date} 退出培训，不能抵用培训券 "
                      "(the enrolment was withdrawn)", enrolment_status=enrolment.status)
    if enrolment.status == EnrolmentStatus.cancelled:
        raise _refuse(f"报名记录 {enrolment.id} 已于 {enrolment.cancelled_date} 撤销，不能抵用培训券 "
                      "(the enrolment was cancelled)", enrolment_status=enrolment.status)
    if enrolment.voucher_id is not None:
        raise _refuse(f"报名记录 {enrolment.id} 已抵用培训券 {enrolment.voucher_id} (the enrolment already has a "
                      "voucher applied)", voucher_id=enrolment.voucher_id)
    course = await session.get(Course, enrolment.course_id)
    assert course is not None  # a foreign key
    kinds = list(voucher.eligible_course_kinds)
    if course.kind not in kinds:
        names = "、".join(COURSE_KIND_NAMES[CourseKind(k)] for k in kinds)
        raise _refuse(f"课程培训类型为{COURSE_KIND_NAMES[CourseKind(course.kind)]}（{course.kind}），本券仅可抵用"
                      f"{names} (course kind {course.kind} is not eligible: {', '.join(kinds)})",
                      course_kind=course.kind, eligible_course_kinds=kinds)
    codes = list(voucher.eligible_occupation_codes)
    if codes and course.occupation_code not in codes:
        raise _refuse(f"课程职业 {course.occupation_code}（{course.occupation_name}）不在本券可抵用的职业 "
                      f"{'、'.join(codes)} 之内 (occupation {course.occupation_code} is not eligible)",
                      occupation_code=course.occupation_code, eligible_occupation_codes=codes)
    institution = await session.get(Institution, course.institution_id)
    if institution is None or institution.status != InstitutionStatus.active:
        status = institution.status if institution else None
        name = INSTITUTION_STATUS_NAMES[InstitutionStatus(status)] if status else "不存在"
        raise _refuse(f"培训机构“{course.institution_name}”{name}，不能抵用培训券 (the course's institution is "
                      f"{status or 'gone'})", institution_id=course.institution_id, institution_status=status)
    missing = await institutions.missing_periods(
        session=session, institution_id=institution.id, occupation_code=course.occupation_code,
        start=course.start_date, end=course.end_date)
    if missing:
        days = "、".join(f"{a}～{b}" if a != b else str(a) for a, b in missing)
        raise _refuse(f"培训机构“{institution.name}”在 {days} 无职业 {course.occupation_code} 的培训资质认定，"
                      f"不能抵用培训券 (institution {institution.id} is not accredited for occupation "
                      f"{course.occupation_code} over the course)", institution_id=institution.id,
                      occupation_code=course.occupation_code,
                      missing=[{"from": str(a), "until": str(b)} for a, b in missing])
    fee: Decimal = course.fee_per_trainee
    applied = min(voucher.face_value, fee)
    pays = fee - applied
    voucher.status = VoucherStatus.redeemed
    voucher.enrolment_id, voucher.course_id, voucher.institution_id = enrolment.id, course.id, institution.id
    voucher.course_fee, voucher.amount_applied, voucher.trainee_pays = fee, applied, pays
    voucher.redeemed_date = today
    await _touch(session, voucher)
    enrolment.voucher_id, enrolment.voucher_amount, enrolment.trainee_pays = voucher.id, applied, pays
    enrolment.updated_at = clock.now()
    session.add(enrolment)
    await session.flush()
    await outbox.add(session, VOUCHER_REDEEMED, VoucherRedeemed(
        id=voucher.id, id_number=voucher.id_number, county_code=voucher.county_code, kind=voucher.kind,
        enrolment_id=enrolment.id, course_id=course.id, institution_id=institution.id,
        face_value=voucher.face_value, course_fee=fee, amount_applied=applied, trainee_pays=pays,
        redeemed_date=today))
    return voucher, enrolment


async def cancel(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, voucher_id: str, data: Cancellation
) -> Voucher:
    """撤销 an unused voucher."""
    today = clock.today()
    voucher = await _unused(session=session, outbox=outbox, principal=principal, voucher_id=voucher_id,
                            action="撤销", today=today)
    voucher.status = VoucherStatus.cancelled
    voucher.cancelled_date = today
    voucher.cancel_reason = data.reason
    await _touch(session, voucher)
    await outbox.add(session, VOUCHER_CANCELLED, VoucherCancelled(
        id=voucher.id, id_number=voucher.id_number, county_code=voucher.county_code, kind=voucher.kind,
        face_value=voucher.face_value, cancelled_date=today, reason=data.reason))
    return voucher


async def correct(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, voucher_id: str, data: VoucherCorrection
) -> Voucher:
    """更正 the face value or expiry date of a voucher still recorded as unused."""
    await lock_key(session, voucher_lock(voucher_id))
    voucher = await get_or_404(session=session, voucher_id=voucher_id)
    principal.check_county(voucher.county_code)
    if voucher.status != VoucherStatus.issued:
        raise Conflict(f"培训券 {voucher.id} 状态为 {voucher.status}，只能更正未使用的券 (only an unused voucher is "
                       "corrected)", field_name="status", current_status=voucher.status)
    sent = data.sent()
    if "expiry_date" in sent and sent["expiry_date"] < voucher.issue_date:
        raise InvalidField("expiry_date", f"有效期止早于发放日期 {voucher.issue_date} (before the issue date)")
    changed = apply_changes(voucher, sent)
    await _touch(session, voucher)
    await outbox.add(session, VOUCHER_CORRECTED, VoucherCorrected(
        id=voucher.id, id_number=voucher.id_number, county_code=voucher.county_code, kind=voucher.kind,
        face_value=voucher.face_value, issue_date=voucher.issue_date, expiry_date=voucher.expiry_date,
        changed=changed, reason=data.reason))
    return voucher


async def expire_lapsed(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Record every unused voucher past its expiry date as expired (one event each); the number expired."""
    ids = (await session.exec(select(Voucher.id).where(
        Voucher.status == VoucherStatus.issued, col(Voucher.expiry_date) < today).order_by(col(Voucher.id)))).all()
    expired = 0
    for voucher_id in ids:
        await lock_key(session, voucher_lock(voucher_id))
        voucher = await session.get(Voucher, voucher_id, populate_existing=True)
        if voucher is None or voucher.status != VoucherStatus.issued or voucher.expiry_date >= today:
            continue  # redeemed or cancelled meanwhile
        await _expire(session=session, outbox=outbox, voucher=voucher, today=today)
        expired += 1
    return expired


def expiry_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 00:10 Beijing time: unused vouchers past their expiry date become expired."""
    return daily_job(EXPIRY_JOB, time(0, 10), outbox,
                     lambda session, box, today: expire_lapsed(session=session, outbox=box, today=today),
                     lambda n: f"expired {n} vouchers")


def _status_clause(status: VoucherStatus, today: date) -> Any:
    """The vouchers whose status as of ``today`` is ``status`` (lapsed unused ones count as expired)."""
    if status == VoucherStatus.issued:
        return and_(col(Voucher.status) == VoucherStatus.issued, col(Voucher.expiry_date) >= today)
    if status == VoucherStatus.expired:
        return or_(col(Voucher.status) == VoucherStatus.expired,
                   and_(col(Voucher.status) == VoucherStatus.issued, col(Voucher.expiry_date) < today))
    return col(Voucher.status) == status


async def list_vouchers(
    *, session: AsyncSession, page: PageParams, id_number: str | None, status: VoucherStatus | None,
    kind: VoucherKind | None, county_code: str | None, issued: DateRange, sort: str,
) -> tuple[list[Voucher], int]:
    """Vouchers filtered by holder, status (as of today), kind, county and issue date range."""
    query = select(Voucher).where(*equals(
        (Voucher.id_number, id_number), (Voucher.kind, kind), (Voucher.county_code, county_code),
    ), *issued.clauses(col(Voucher.issue_date)))
    if status is not None:
        query = query.where(_status_clause(status, clock.today()))
    columns = {key: col(getattr(Voucher, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Voucher.id))), page)
