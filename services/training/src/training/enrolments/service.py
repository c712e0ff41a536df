"""Rules of 培训报名, 考勤, 结业 and 退出. "Today" is the bureau's (``hrss_shared.clock``).

- Enrolment: on a course of an active institution, up to and including the course's end date; one
  enrolment per person and course (a withdrawn one aside: 409 naming the existing enrolment); no more
  enrolments holding a seat than the course's capacity (the n-th of a capacity-n course is taken, the
  n+1-th is a 409).
- Attendance 考勤: while enrolled and once the course has started; hours add up, never above the course hours.
- Completion 结业: while enrolled, on or after the course's end date; 合格 (passed) only with attended hours of
  at least the policy's share of the course hours (policy/completion.toml, the version in force on the course's
  start date); 不合格 (failed) whatever the attendance.
- Withdrawal 退出: while enrolled; it frees the seat.
- Correction 更正 (with a reason): the name, the attended hours (a new total, within the course hours) and, of a
  completed enrolment, the result — 合格 only with the attendance the policy requires, as at completion.
- Cancellation 撤销 (with a reason) of an enrolment recorded in error, enrolled or completed: it frees the seat,
  releases the voucher that paid for it (unused again, or expired when its expiry date has passed) and revokes the
  subsidy decided on it (the subsidy follows the event).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    ENROLMENT_ATTENDANCE_RECORDED,
    ENROLMENT_CANCELLED,
    ENROLMENT_COMPLETED,
    ENROLMENT_CORRECTED,
    ENROLMENT_ENROLLED,
    ENROLMENT_WITHDRAWN,
    VOUCHER_RELEASED,
    TrainingAttendanceRecorded,
    TrainingCompleted,
    TrainingEnrolled,
    TrainingEnrolmentCancelled,
    TrainingEnrolmentCorrected,
    TrainingWithdrawn,
    VoucherReleased,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.corrections import apply_changes
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.events import Contract, EventData
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from training.common import POLICY_DIR
from training.courses.models import Course
from training.enrolments.models import (
    SEAT_STATUSES,
    STATUS_NAMES,
    AttendanceRecord,
    Completion,
    CompletionPolicy,
    CompletionResult,
    Enrolment,
    EnrolmentCancellation,
    EnrolmentCorrection,
    EnrolmentCreate,
    EnrolmentStatus,
    Withdrawal,
)
from training.institutions.models import STATUS_NAMES as INSTITUTION_STATUS_NAMES
from training.institutions.models import Institution, InstitutionStatus
from training.vouchers.models import Voucher, VoucherStatus

M = TypeVar("M", bound=EventData)

POLICY: PolicyTable[CompletionPolicy] = PolicyTable.load(POLICY_DIR / "completion.toml", CompletionPolicy)
SORTS = ("enrolled_date", "created_at")
ILLUSTRATIVE_NOTE = "（示例比例，无官方文号 illustrative share, from no official document）"


def course_lock(course_id: str) -> str:
    """The key that serialises enrolments on one course (its seats)."""
    return f"training-course:{course_id}"


def enrolment_lock(enrolment_id: str) -> str:
    """The key that serialises the changes of one enrolment (attendance, completion, withdrawal)."""
    return f"training-enrolment:{enrolment_id}"


def policy_for(course: Course) -> CompletionPolicy:
    """The completion rule in force on the course's start date (409 when none is)."""
    try:
        return POLICY.at(course.start_date)
    except PolicyError:
        raise Conflict(f"课程开班日期 {course.start_date} 无适用的结业考核规定 (no completion rule in force on the "
                       "course's start date)", field_name="course_id", course_id=course.id) from None


async def _course_or_422(session: AsyncSession, course_id: str) -> Course:
    course = await session.get(Course, course_id)
    if course is None:
        raise InvalidField("course_id", f"培训课程 {course_id} 不存在 (course not found)")
    return course


async def enrol(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: EnrolmentCreate) -> Enrolment:
    """培训报名: within the capacity, once per person and course, up to the course's end date."""
    course = await _course_or_422(session, data.course_id)
    principal.check_county(course.county_code)
    today = clock.today()
    if today > course.end_date:
        raise Conflict(f"课程已于 {course.end_date} 结业，不能报名 (the course ended on {course.end_date})",
                       field_name="course_id", course_id=course.id, end_date=str(course.end_date))
    institution = await session.get(Institution, course.institution_id)
    if institution is None or institution.status != InstitutionStatus.active:
        status = institution.status if institution else None
        name = INSTITUTION_STATUS_NAMES[InstitutionStatus(status)] if status else "不存在"
        raise Conflict(f"培训机构“{course.institution_name}”{name}，课程暂停报名 (the course's institution is "
                       f"{status or 'gone'}; it takes no enrolments)", field_name="course_id",
                       institution_id=course.institution_id, current_status=status)
    await lock_key(session, course_lock(course.id))
    existing = (await session.exec(select(Enrolment).where(
        Enrolment.course_id == course.id, Enrolment.id_number == data.id_number,
        col(Enrolment.status).in_(SEAT_STATUSES),
    ))).first()
    if existing is not None:
        raise Conflict(f"该学员已报名此课程（报名记录 {existing.id}，{existing.enrolled_date} 报名，状态"
                       f"{STATUS_NAMES[EnrolmentStatus(existing.status)]}）(already enrolled on this course)",
                       field_name="id_number", existing_id=existing.id, existing_status=existing.status)
    taken = (await session.exec(select(func.count()).select_from(Enrolment).where(
        Enrolment.course_id == course.id, col(Enrolment.status).in_(SEAT_STATUSES),
    ))).one()
    if taken >= course.capacity:
        raise Conflict(f"课程名额已满：{course.capacity} 个名额均已报满 (all {course.capacity} seats are taken)",
                       field_name="course_id", capacity=course.capacity, enrolled=int(taken))
    enrolment = Enrolment(
        course_id=course.id, institution_id=course.institution_id, id_number=data.id_number, name=data.name,
        county_code=course.county_code, occupation_code=course.occupation_code,
        occupation_name=course.occupation_name, course_hours=course.hours, enrolled_date=today,
    )
    session.add(enrolment)
    await flush_or_conflict(session, Conflict("该学员已报名此课程 (already enrolled on this course)",
                                              field_name="id_number"))
    await outbox.add(session, ENROLMENT_ENROLLED, TrainingEnrolled(
        id=enrolment.id, course_id=course.id, institution_id=course.institution_id, credit_code=course.credit_code,
        id_number=enrolment.id_number, name=enrolment.name, county_code=course.county_code,
        occupation_code=course.occupation_code, occupation_name=course.occupation_name, course_kind=course.kind,
        start_date=course.start_date, end_date=course.end_date, enrolled_date=today))
    return enrolment


async def get_or_404(*, session: AsyncSession, enrolment_id: str) -> Enrolment:
    return await fetch_or_404(session, Enrolment, enrolment_id, f"报名记录 {enrolment_id} 不存在 (enrolment not found)")


async def _load(
    *, session: AsyncSession, principal: Principal, enrolment_id: str, action: str
) -> tuple[Enrolment, Course]:
    """The enrolment (still 在训) and its course, locked for the change ``action`` (a Chinese name)."""
    await lock_key(session, enrolment_lock(enrolment_id))
    enrolment = await get_or_404(session=session, enrolment_id=enrolment_id)
    principal.check_county(enrolment.county_code)
    if enrolment.status != EnrolmentStatus.enrolled:
        raise Conflict(f"报名记录 {enrolment.id} 状态为{STATUS_NAMES[EnrolmentStatus(enrolment.status)]}"
                       f"（{enrolment.status}），不能{action} (the enrolment is {enrolment.status})",
                       field_name="status", current_status=enrolment.status)
    course = await session.get(Course, enrolment.course_id)
    assert course is not None  # a foreign key
    return enrolment, course


async def _save(
    *, session: AsyncSession, outbox: Outbox, enrolment: Enrolment, contract: Contract[M], data: M
) -> Enrolment:
    enrolment.updated_at = clock.now()
    session.add(enrolment)
    await session.flush()
    await outbox.add(session, contract, data)
    return enrolment


async def record_attendance(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str, data: AttendanceRecord
) -> Enrolment:
    """考勤: add attended hours, once the course has started, up to the course hours in all."""
    enrolment, course = await _load(session=session, principal=principal, enrolment_id=enrolment_id,
                                    action="记录考勤")
    today = clock.today()
    if today < course.start_date:
        raise Conflict(f"课程 {course.start_date} 开班，尚未开始，不能记录考勤 (the course has not started)",
                       field_name="hours", start_date=str(course.start_date))
    total = enrolment.attended_hours + data.hours
    if total > course.hours:
        raise InvalidField("hours", f"累计出勤 {total} 学时将超过课程总学时 {course.hours}（已记录 "
                                    f"{enrolment.attended_hours} 学时）(attended hours would exceed the course hours)")
    enrolment.attended_hours = total
    return await _save(session=session, outbox=outbox, enrolment=enrolment, contract=ENROLMENT_ATTENDANCE_RECORDED,
                       data=TrainingAttendanceRecorded(
                           id=enrolment.id, course_id=course.id, id_number=enrolment.id_number,
                           county_code=enrolment.county_code, hours=data.hours, attended_hours=total,
                           course_hours=course.hours, recorded_date=today))


async def complete(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str, data: Completion
) -> Enrolment:
    """结业: on or after the end date; 合格 only with the attendance the policy requires."""
    enrolment, course = await _load(session=session, principal=principal, enrolment_id=enrolment_id, action="结业")
    today = clock.today()
    if today < course.end_date:
        raise Conflict(f"课程 {course.end_date} 结业，今天（{today}）尚不能办理结业 (completion is recorded on or "
                       f"after the course's end date {course.end_date})",
                       field_name="result", end_date=str(course.end_date), today=str(today))
    rules = policy_for(course)
    if data.result == CompletionResult.passed:
        refusal = _attendance_refusal(rules, course, enrolment.attended_hours)
        if refusal is not None:
            raise refusal
    enrolment.status = EnrolmentStatus.completed
    enrolment.result = data.result
    enrolment.completed_date = today
    return await _save(session=session, outbox=outbox, enrolment=enrolment, contract=ENROLMENT_COMPLETED,
                       data=TrainingCompleted(
                           id=enrolment.id, course_id=course.id, institution_id=course.institution_id,
                           id_number=enrolment.id_number, name=enrolment.name, county_code=enrolment.county_code,
                           occupation_code=course.occupation_code, occupation_name=course.occupation_name,
                           course_kind=course.kind, target_level=course.target_level, result=data.result,
                           attended_hours=enrolment.attended_hours, course_hours=course.hours,
                           completed_date=today, policy_source=rules.source))


async def withdraw(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str, data: Withdrawal
) -> Enrolment:
    """退出培训: the seat is freed."""
    enrolment, course = await _load(session=session, principal=principal, enrolment_id=enrolment_id, action="退出")
    today = clock.today()
    enrolment.status = EnrolmentStatus.withdrawn
    enrolment.withdrawn_date = today
    enrolment.withdraw_reason = data.reason
    return await _save(session=session, outbox=outbox, enrolment=enrolment, contract=ENROLMENT_WITHDRAWN,
                       data=TrainingWithdrawn(
                           id=enrolment.id, course_id=course.id, id_number=enrolment.id_number,
                           county_code=enrolment.county_code, withdrawn_date=today, reason=data.reason))


def _attendance_refusal(rules: CompletionPolicy, course: Course, attended: int) -> Conflict | None:
    """409 when ``attended`` hours do not reach what a 合格 result needs (None when they do)."""
    required = rules.required_hours(course.hours)
    if attended >= required:
        return None
    share = rules.required_attendance_share
    note = ILLUSTRATIVE_NOTE if rules.illustrative else ""
    return Conflict(
        f"出勤 {attended} 学时，不足课程总学时 {course.hours} 的 {share:%}{note}"
        f"（须至少 {required} 学时），不能评定为合格 (attended {attended} of {course.hours} "
        f"hours; passing needs {required}; {rules.source})",
        field_name="result", attended_hours=attended, course_hours=course.hours,
        required_hours=required, required_attendance_share=str(share), policy_source=rules.source,
        illustrative=rules.illustrative,
    )


async def _recorded(*, session: AsyncSession, principal: Principal, enrolment_id: str, action: str) -> Enrolment:
    """An enrolment still in force (enrolled or completed), locked for ``action``."""
    await lock_key(session, enrolment_lock(enrolment_id))
    enrolment = await get_or_404(session=session, enrolment_id=enrolment_id)
    principal.check_county(enrolment.county_code)
    if enrolment.status not in SEAT_STATUSES:
        raise Conflict(f"报名记录 {enrolment.id} 状态为{STATUS_NAMES[EnrolmentStatus(enrolment.status)]}"
                       f"（{enrolment.status}），不能{action} (the enrolment is {enrolment.status})",
                       field_name="status", current_status=enrolment.status)
    return enrolment


async def correct(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str, data: EnrolmentCorrection
) -> Enrolment:
    """更正 the name, the attended hours or (completed) the result."""
    enrolment = await _recorded(session=session, principal=principal, enrolment_id=enrolment_id, action="更正")
    course = await session.get(Course, enrolment.course_id)
    assert course is not None  # a foreign key
    sent = data.sent()
    if "result" in sent and enrolment.status != EnrolmentStatus.completed:
        raise Conflict("尚未结业的报名不能更正结业结果 (only a completed enrolment has a result to correct)",
                       field_name="result", current_status=enrolment.status)
    hours = sent.get("attended_hours", enrolment.attended_hours)
    if hours > course.hours:
        raise InvalidField("attended_hours", f"出勤 {hours} 学时超过课程总学时 {course.hours} "
                                             "(attended hours above the course hours)")
    result = sent.get("result", enrolment.result)
    if enrolment.status == EnrolmentStatus.completed and result == CompletionResult.passed:
        refusal = _attendance_refusal(policy_for(course), course, hours)
        if refusal is not None:
            raise refusal
    changed = apply_changes(enrolment, sent)
    enrolment.corrections += 1
    return await _save(session=session, outbox=outbox, enrolment=enrolment, contract=ENROLMENT_CORRECTED,
                       data=TrainingEnrolmentCorrected(
                           id=enrolment.id, course_id=course.id, id_number=enrolment.id_number, name=enrolment.name,
                           county_code=enrolment.county_code, status=enrolment.status,
                           attended_hours=enrolment.attended_hours, result=enrolment.result, changed=changed,
                           reason=data.reason))


async def cancel(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str, data: EnrolmentCancellation
) -> Enrolment:
    """撤销 an enrolment recorded in error: the seat is freed and its voucher released."""
    enrolment = await _recorded(session=session, principal=principal, enrolment_id=enrolment_id, action="撤销")
    today = clock.today()
    previous = enrolment.status
    voucher_id = enrolment.voucher_id
    if voucher_id is not None:
        await lock_key(session, f"training-voucher:{voucher_id}")
        voucher = await session.get(Voucher, voucher_id)
        assert voucher is not None
        voucher.status = VoucherStatus.expired if today > voucher.expiry_date else VoucherStatus.issued
        voucher.expired_date = today if voucher.status == VoucherStatus.expired else None
        for field in ("enrolment_id", "course_id", "institution_id", "course_fee", "amount_applied", "trainee_pays",
                      "redeemed_date"):
            setattr(voucher, field, None)
        voucher.updated_at = clock.now()
        session.add(voucher)
        await session.flush()
        await outbox.add(session, VOUCHER_RELEASED, VoucherReleased(
            id=voucher.id, id_number=voucher.id_number, county_code=voucher.county_code, kind=voucher.kind,
            face_value=voucher.face_value, enrolment_id=enrolment.id, status=voucher.status, released_date=today))
        enrolment.voucher_id = enrolment.voucher_amount = enrolment.trainee_pays = None
    enrolment.status = EnrolmentStatus.cancelled
    enrolment.cancelled_date = today
    enrolment.cancel_reason = data.reason
    return await _save(session=session, outbox=outbox, enrolment=enrolment, contract=ENROLMENT_CANCELLED,
                       data=TrainingEnrolmentCancelled(
                           id=enrolment.id, course_id=enrolment.course_id, id_number=enrolment.id_number,
                           county_code=enrolment.county_code, previous_status=previous, voucher_id=voucher_id,
                           cancelled_date=today, reason=data.reason))


async def list_enrolments(
    *, session: AsyncSession, page: PageParams, id_number: str | None, course_id: str | None,
    status: EnrolmentStatus | None, county_code: str | None, enrolled: DateRange, sort: str,
) -> tuple[list[Enrolment], int]:
    """Enrolments filtered by person, course, status, county and enrolment date range."""
    query = select(Enrolment).where(*equals(
        (Enrolment.id_number, id_number), (Enrolment.course_id, course_id), (Enrolment.status, status),
        (Enrolment.county_code, county_code),
    ), *enrolled.clauses(col(Enrolment.enrolled_date)))
    columns = {key: col(getattr(Enrolment, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Enrolment.id))), page)

