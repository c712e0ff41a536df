"""Rules of 参保登记. "Today" is the bureau's (``hrss_shared.clock``).

- The insurance type decides the employer (policy/insurance_types.toml): 失业 and 工伤 need one; 企业职工养老 needs
  one unless the person enrols as a 灵活就业人员 (``flexible``); 城乡居民养老 never has one.
- One active enrolment per person and type; 企业职工养老 and 城乡居民养老 are never active together (409 naming the
  other enrolment). An enrolment recorded by hand is active from its start date; one opened by the 参保"一件事" is
  pending until its first contribution (``activate``), which moves the person's insurance of that type from an
  earlier employer (that enrolment ends the day before the new one starts).
- Suspend 暂停缴费 an active enrolment, resume it, end it (not before its start date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    ENROLMENT_ACTIVATED,
    ENROLMENT_CANCELLED,
    ENROLMENT_CORRECTED,
    ENROLMENT_ENDED,
    ENROLMENT_REGISTERED,
    ENROLMENT_RESUMED,
    ENROLMENT_SUSPENDED,
    InsuranceEnrolmentActivated,
    InsuranceEnrolmentCancelled,
    InsuranceEnrolmentCorrected,
    InsuranceEnrolmentEnded,
    InsuranceEnrolmentRegistered,
    InsuranceEnrolmentResumed,
    InsuranceEnrolmentSuspended,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from social_insurance.common import POLICY_DIR, TYPE_NAMES, InsuranceType, month_of
from social_insurance.contributions.models import Contribution, ContributionStatus
from social_insurance.enrolments.models import (
    STATUS_NAMES,
    Ending,
    Enrolment,
    EnrolmentCancellation,
    EnrolmentCorrection,
    EnrolmentCreate,
    EnrolmentStatus,
    InsuranceTypesPolicy,
    Origin,
    Resumption,
    Suspension,
)

POLICY: PolicyTable[InsuranceTypesPolicy] = PolicyTable.load(POLICY_DIR / "insurance_types.toml",
                                                             InsuranceTypesPolicy)
SORTS = ("start_date", "created_at", "insurance_type", "status")
PENSIONS = {InsuranceType.employee_pension: InsuranceType.resident_pension,
            InsuranceType.resident_pension: InsuranceType.employee_pension}
TRANSFERRED = "参保关系转移至新参保单位 (transferred to the new employer's enrolment)"


def person_lock(id_number: str) -> str:
    """The key that serialises changes of one person's enrolments and contributions."""
    return f"social-insurance-person:{id_number}"


def _fields(enrolment: Enrolment) -> dict[str, Any]:
    return {"id": enrolment.id, "id_number": enrolment.id_number, "county_code": enrolment.county_code,
            "insurance_type": enrolment.insurance_type, "credit_code": enrolment.credit_code,
            "flexible": enrolment.flexible, "status": enrolment.status, "start_date": enrolment.start_date,
            "end_date": enrolment.end_date}


def check_employer(*, insurance_type: InsuranceType, credit_code: str | None, flexible: bool, on: date) -> None:
    """The employer the type needs (policy/insurance_types.toml), else 422 naming ``credit_code`` or ``flexible``
    (``start_date`` when no policy is in force on ``on``: before 2011-07-01)."""
    rules = POLICY.in_force(on, field="start_date", label="险种参保")
    name = TYPE_NAMES[insurance_type]
    if insurance_type in rules.no_employer:
        if credit_code is not None:
            raise InvalidField("credit_code", f"{name}由个人参保，不填参保单位 ({insurance_type} has no employer; "
                                              f"{rules.source})")
        if flexible:
            raise InvalidField("flexible", f"{name}不区分灵活就业 (flexible applies to employee_pension only)")
        return
    flexible_allowed = insurance_type in rules.employer_or_flexible
    if flexible and not flexible_allowed:
        raise InvalidField("flexible", f"灵活就业人员只能以个人身份参加企业职工基本养老保险，不能参加{name} "
                                       f"({insurance_type} needs an employer; {rules.source})")
    if flexible and credit_code is not None:
        raise InvalidField("credit_code", "灵活就业人员以个人身份参保，不填参保单位 "
                                          "(a flexible worker enrols without an "
                                          "employer)")
    if not flexible and credit_code is None:
        hint = "；灵活就业人员请注明 flexible" if flexible_allowed else ""
        raise InvalidField("credit_code", f"{name}须填写参保单位统一社会信用代码{hint} ({insurance_type} needs the "
                                          f"employer's credit code; {rules.source})")


async def active_of(*, session: AsyncSession, id_number: str, insurance_type: str) -> Enrolment | None:
    """The person's active enrolment of ``insurance_type``, if any."""
    return (await session.exec(select(Enrolment).where(
        Enrolment.id_number == id_number, Enrolment.insurance_type == insurance_type,
        Enrolment.status == EnrolmentStatus.active))).first()


async def _no_other_pension(*, session: AsyncSession, id_number: str, insurance_type: str) -> None:
    other_type = PENSIONS.get(InsuranceType(insurance_type))
    if other_type is None:
        return
    other = await active_of(session=session, id_number=id_number, insurance_type=other_type)
    if other is not None:
        raise Conflict(
            f"该人员已参加{TYPE_NAMES[other_type]}（参保登记 {other.id}，自 {other.start_date}），"
            "企业职工养老与城乡居民"
            f"养老不能同时参保；请先终止该参保登记 (an active {other_type} enrolment {other.id} exists; employee and "
            "resident pension are never active together)",
            field_name="insurance_type", existing_id=other.id, existing_insurance_type=other_type)


async def create(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: EnrolmentCreate) -> Enrolment:
    """参保登记 by hand: active from its start date."""
    principal.check_county(data.county_code)
    check_employer(insurance_type=data.insurance_type, credit_code=data.credit_code, flexible=data.flexible,
                   on=data.start_date)
    await lock_key(session, person_lock(data.id_number))
    existing = await active_of(session=session, id_number=data.id_number, insurance_type=data.insurance_type)
    if existing is not None:
        raise Conflict(
            f"该人员已有有效的{TYPE_NAMES[data.insurance_type]}参保登记 {existing.id}（自 {existing.start_date}）"
            f"(an active {data.insurance_type} enrolment exists)",
            field_name="insurance_type", existing_id=existing.id)
    await _no_other_pension(session=session, id_number=data.id_number, insurance_type=data.insurance_type)
    enrolment = Enrolment(**data.model_dump(exclude={"start_date"}), start_date=data.start_date,
                          status=EnrolmentStatus.active, origin=Origin.manual, activated_date=data.start_date)
    session.add(enrolment)
    await flush_or_conflict(session, Conflict(
        f"该人员已有有效的{TYPE_NAMES[data.insurance_type]}参保登记 (an active enrolment exists)",
        field_name="insurance_type"))
    await outbox.add(session, ENROLMENT_REGISTERED,
                     InsuranceEnrolmentRegistered(**_fields(enrolment), origin=Origin.manual))
    return enrolment


OPEN = (EnrolmentStatus.pending, EnrolmentStatus.active)


async def one_stop_keys(
    *, session: AsyncSession, insurance_types: Sequence[str], registration_ids: Sequence[str],
    id_numbers: Sequence[str],
) -> tuple[set[tuple[str, str]], set[tuple[str, str, str | None]]]:
    """What keeps the 参保"一件事" from opening an enrolment, for a run of registrations in one query: the (type,
    employment registration) pairs that opened one already, and the (type, person, employer) triples with an open
    (pending or active) enrolment."""
    rows = (await session.execute(
        sa_select(col(Enrolment.insurance_type), col(Enrolment.employment_registration_id), col(Enrolment.id_number),
                  col(Enrolment.credit_code), col(Enrolment.status))
        .where(col(Enrolment.insurance_type).in_(insurance_types),
               col(Enrolment.employment_registration_id).in_(registration_ids)
               | (col(Enrolment.id_number).in_(id_numbers) & col(Enrolment.status).in_(OPEN))))).all()
    by_registration = {(kind, registration) for kind, registration, *_ in rows if registration is not None}
    open_with = {(kind, id_number, credit_code) for kind, _, id_number, credit_code, status in rows if status in OPEN}
    return by_registration, open_with


def pending_one_stop(
    *, id_number: str, name: str, county_code: str, insurance_type: InsuranceType, credit_code: str, start_date: date,
    employment_registration_id: str,
) -> Enrolment:
    """A pending enrolment of the 参保"一件事" (not yet added to a session; the caller checks :func:`one_stop_keys`)."""
    return Enrolment(
        id_number=id_number, name=name[:50], county_code=county_code, insurance_type=insurance_type,
        credit_code=credit_code, status=EnrolmentStatus.pending, origin=Origin.one_stop,
        employment_registration_id=employment_registration_id, start_date=start_date)


def one_stop_registered(enrolment: Enrolment) -> InsuranceEnrolmentRegistered:
    """The enrolment.registered event of a 参保"一件事" enrolment."""
    return InsuranceEnrolmentRegistered(**_fields(enrolment), origin=Origin.one_stop,
                                        employment_registration_id=enrolment.employment_registration_id)


async def _touch(session: AsyncSession, enrolment: Enrolment) -> None:
    enrolment.updated_at = clock.now()
    session.add(enrolment)
    await session.flush()


async def _end(*, session: AsyncSession, outbox: Outbox, enrolment: Enrolment, end_date: date, reason: str,
               employment_registration_id: str | None = None) -> None:
    enrolment.status = EnrolmentStatus.ended
    enrolment.end_date = end_date
    enrolment.end_reason = reason[:200]
    await _touch(session, enrolment)
    await outbox.add(session, ENROLMENT_ENDED, InsuranceEnrolmentEnded(
        **_fields(enrolment), reason=enrolment.end_reason, employment_registration_id=employment_registration_id))


async def activate(*, session: AsyncSession, outbox: Outbox, enrolment: Enrolment, contribution_id: str,
                   today: date) -> None:
    """参保生效 with the first contribution; an earlier employer's active enrolment of the type is transferred."""
    await _no_other_pension(session=session, id_number=enrolment.id_number, insurance_type=enrolment.insurance_type)
    earlier = await active_of(session=session, id_number=enrolment.id_number, insurance_type=enrolment.insurance_type)
    if earlier is not None:
        await _end(session=session, outbox=outbox, enrolment=earlier, reason=TRANSFERRED,
                   end_date=max(earlier.start_date, enrolment.start_date - timedelta(days=1)))
    enrolment.status = EnrolmentStatus.active
    enrolment.activated_date = today
    await _touch(session, enrolment)
    await outbox.add(session, ENROLMENT_ACTIVATED, InsuranceEnrolmentActivated(
        **_fields(enrolment), activated_date=today, contribution_id=contribution_id))


async def get_or_404(*, session: AsyncSession, enrolment_id: str) -> Enrolment:
    return await fetch_or_404(session, Enrolment, enrolment_id, f"参保登记 {enrolment_id} 不存在 (enrolment not found)")


async def _locked(*, session: AsyncSession, principal: Principal, enrolment_id: str) -> Enrolment:
    enrolment = await get_or_404(session=session, enrolment_id=enrolment_id)
    principal.check_county(enrolment.county_code)
    await lock_key(session, person_lock(enrolment.id_number))
    await session.refresh(enrolment)
    return enrolment


def _wrong_status(enrolment: Enrolment, action: str, *allowed: EnrolmentStatus) -> Conflict:
    names = "、".join(STATUS_NAMES[s] for s in allowed)
    return Conflict(f"参保登记 {enrolment.id} 状态为{STATUS_NAMES[EnrolmentStatus(enrolment.status)]}，只有{names}的"
                    f"才能{action} (status {enrolment.status} does not allow this)", field_name="status",
                    current_status=enrolment.status)


async def suspend(*, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str,
                  data: Suspension) -> Enrolment:
    """暂停缴费 an active enrolment."""
    enrolment = await _locked(session=session, principal=principal, enrolment_id=enrolment_id)
    if enrolment.status != EnrolmentStatus.active:
        raise _wrong_status(enrolment, "暂停缴费", EnrolmentStatus.active)
    if data.suspended_date < enrolment.start_date:
        raise InvalidField("suspended_date", f"暂停日期早于参保起始日期 {enrolment.start_date} (before the start date)")
    enrolment.status, enrolment.suspended_date = EnrolmentStatus.suspended, data.suspended_date
    await _touch(session, enrolment)
    await outbox.add(session, ENROLMENT_SUSPENDED, InsuranceEnrolmentSuspended(
        **_fields(enrolment), suspended_date=data.suspended_date, reason=data.reason))
    return enrolment


async def resume(*, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str,
                 data: Resumption) -> Enrolment:
    """恢复缴费 a suspended enrolment (one active per person and type, pensions never together)."""
    enrolment = await _locked(session=session, principal=principal, enrolment_id=enrolment_id)
    if enrolment.status != EnrolmentStatus.suspended:
        raise _wrong_status(enrolment, "恢复缴费", EnrolmentStatus.suspended)
    assert enrolment.suspended_date is not None
    if data.resumed_date < enrolment.suspended_date:
        raise InvalidField("resumed_date", f"恢复日期早于暂停日期 {enrolment.suspended_date} (before the suspension)")
    other = await active_of(session=session, id_number=enrolment.id_number, insurance_type=enrolment.insurance_type)
    if other is not None:
        raise Conflict(f"该人员已有有效的{TYPE_NAMES[InsuranceType(enrolment.insurance_type)]}参保登记 {other.id} "
                       "(an active enrolment of the type exists)", field_name="insurance_type", existing_id=other.id)
    await _no_other_pension(session=session, id_number=enrolment.id_number, insurance_type=enrolment.insurance_type)
    enrolment.status, enrolment.resumed_date = EnrolmentStatus.active, data.resumed_date
    await _touch(session, enrolment)
    await outbox.add(session, ENROLMENT_RESUMED,
                     InsuranceEnrolmentResumed(**_fields(enrolment), resumed_date=data.resumed_date))
    return enrolment


async def end(*, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str,
              data: Ending) -> Enrolment:
    """参保终止 of an enrolment that has not ended."""
    enrolment = await _locked(session=session, principal=principal, enrolment_id=enrolment_id)
    if enrolment.status in (EnrolmentStatus.ended, EnrolmentStatus.cancelled):
        raise _wrong_status(enrolment, "终止", EnrolmentStatus.pending, EnrolmentStatus.active,
                            EnrolmentStatus.suspended)
    if data.end_date < enrolment.start_date:
        raise InvalidField("end_date", f"终止日期早于参保起始日期 {enrolment.start_date} (before the start date)")
    await _end(session=session, outbox=outbox, enrolment=enrolment, end_date=data.end_date, reason=data.reason)
    return enrolment


async def end_for_termination(*, session: AsyncSession, outbox: Outbox, id_number: str, credit_code: str,
                              end_date: date, reason: str, employment_registration_id: str) -> int:
    """A terminated employment ends the person's open enrolments with that employer from ``end_date``."""
    await lock_key(session, person_lock(id_number))
    rows = (await session.exec(select(Enrolment).where(
        Enrolment.id_number == id_number, Enrolment.credit_code == credit_code,
        col(Enrolment.status).in_([EnrolmentStatus.pending, EnrolmentStatus.active, EnrolmentStatus.suspended]),
    ).order_by(col(Enrolment.insurance_type)))).all()
    for enrolment in rows:
        await _end(session=session, outbox=outbox, enrolment=enrolment, end_date=max(end_date, enrolment.start_date),
                   reason=f"解除劳动关系：{reason}", employment_registration_id=employment_registration_id)
    return len(rows)


async def list_enrolments(
    *, session: AsyncSession, page: PageParams, id_number: str | None, credit_code: str | None,
    county_code: str | None, insurance_type: InsuranceType | None, status: EnrolmentStatus | None,
    started: DateRange, sort: str,
) -> tuple[list[Enrolment], int]:
    """Enrolments filtered by person, employer, county, type, status and start date range."""
    query = select(Enrolment).where(*equals(
        (Enrolment.id_number, id_number), (Enrolment.credit_code, credit_code), (Enrolment.county_code, county_code),
        (Enrolment.insurance_type, insurance_type), (Enrolment.status, status),
    ), *started.clauses(col(Enrolment.start_date)))
    columns = {key: col(getattr(Enrolment, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Enrolment.id))), page)


async def _posted_contributions(session: AsyncSession, enrolment_id: str) -> list[tuple[str, str]]:
    """(id, month) of the enrolment's posted contributions, oldest month first."""
    rows = (await session.exec(select(Contribution.id, Contribution.month).where(
        Contribution.enrolment_id == enrolment_id, Contribution.status == ContributionStatus.posted,
    ).order_by(col(Contribution.month)))).all()
    return [(cid, month) for cid, month in rows]


async def correct(*, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str,
                  data: EnrolmentCorrection) -> tuple[Enrolment, str | None]:
    """更正 an enrolment recorded wrongly; (the enrolment, the employer it had before when that changed)."""
    enrolment = await _locked(session=session, principal=principal, enrolment_id=enrolment_id)
    if enrolment.status == EnrolmentStatus.cancelled:
        raise _wrong_status(enrolment, "更正", EnrolmentStatus.pending, EnrolmentStatus.active,
                            EnrolmentStatus.suspended, EnrolmentStatus.ended)
    given = data.model_dump(exclude={"reason"}, exclude_none=True)
    changed = [k for k, v in given.items() if v != getattr(enrolment, k)]
    if not changed:
        raise InvalidField("reason", "没有需要更正的字段 (no field differs from the recorded enrolment)")
    if "county_code" in changed:
        principal.check_county(given["county_code"])
    after = {k: given.get(k, getattr(enrolment, k)) for k in ("credit_code", "flexible", "start_date")}
    if "flexible" in changed and after["flexible"] and "credit_code" not in given:
        after["credit_code"] = None
        if enrolment.credit_code is not None:
            changed.append("credit_code")
    check_employer(insurance_type=InsuranceType(enrolment.insurance_type), credit_code=after["credit_code"],
                   flexible=after["flexible"], on=after["start_date"])
    if enrolment.end_date is not None and after["start_date"] > enrolment.end_date:
        raise InvalidField("start_date", f"参保起始日期晚于终止日期 {enrolment.end_date} (after the end date)")
    posted = await _posted_contributions(session, enrolment.id)
    if posted and "credit_code" in changed:
        raise Conflict(f"参保登记 {enrolment.id} 已有 {len(posted)} 笔缴费，不能更正参保单位；请先撤销这些缴费 "
                       "(the enrolment has posted contributions: cancel them first)", field_name="credit_code",
                       contribution_ids=[cid for cid, _ in posted])
    early = [cid for cid, month in posted if month < month_of(after["start_date"])]
    if early:
        raise Conflict(f"更正后的参保起始日期晚于 {len(early)} 笔缴费的费款所属期；请先撤销或更正这些缴费 "
                       "(contributions would fall before the corrected start date)", field_name="start_date",
                       contribution_ids=early)
    previous = {k: (str(v) if isinstance(v, date) else v) for k, v in
                ((k, getattr(enrolment, k)) for k in changed)}
    old_employer = enrolment.credit_code
    for key in changed:
        setattr(enrolment, key, after.get(key, given.get(key)))
    if "start_date" in changed and enrolment.activated_date is not None and enrolment.origin == Origin.manual:
        enrolment.activated_date = enrolment.start_date
    await _touch(session, enrolment)
    await outbox.add(session, ENROLMENT_CORRECTED, InsuranceEnrolmentCorrected(
        **_fields(enrolment), reason=data.reason, changed=changed, previous=previous))
    return enrolment, old_employer if "credit_code" in changed else None


async def cancel(*, session: AsyncSession, outbox: Outbox, principal: Principal, enrolment_id: str,
                 data: EnrolmentCancellation) -> Enrolment:
    """撤销 an enrolment recorded wrongly; refused while it has posted contributions."""
    enrolment = await _locked(session=session, principal=principal, enrolment_id=enrolment_id)
    if enrolment.status == EnrolmentStatus.cancelled:
        raise Conflict(f"参保登记 {enrolment.id} 已于 {enrolment.cancelled_date} 撤销 (already cancelled)",
                       field_name="status", current_status=enrolment.status)
    posted = await _posted_contributions(session, enrolment.id)
    if posted:
        raise Conflict(f"参保登记 {enrolment.id} 已有 {len(posted)} 笔缴费，请先撤销这些缴费 (the enrolment has posted "
                       "contributions: cancel them first)", field_name="status",
                       contribution_ids=[cid for cid, _ in posted])
    enrolment.status, enrolment.cancelled_date, enrolment.cancel_reason = (
        EnrolmentStatus.cancelled, clock.today(), data.reason)
    await _touch(session, enrolment)
    await outbox.add(session, ENROLMENT_CANCELLED, InsuranceEnrolmentCancelled(
        **_fields(enrolment), cancelled_date=clock.today(), reason=data.reason))
    return enrolment
