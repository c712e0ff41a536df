"""Key-group rules: membership of a registered job seeker, one open membership per group.

就业困难人员认定 (hard_to_employ) follows policy/hard_to_employ.toml (the version in force on the start date):
- a category of the policy and its evidence are required (other groups take neither);
- the person holds an open unemployment registration in Quzhou, registered on or before the start date, and is of
  working age (employment.working_age);
- a category's own conditions the service can check: age on the start date (``min_age_male`` / ``min_age_female``)
  and months of continuous registration before it (``min_registered_months``);
- the certification rests on that registration and ends with it: on the registration's end date (re-employment
  closes it from the employment's start date, so the person is still certified on the day they are hired). Rules
  reading memberships (``groups_on``) apply that end at once; ``end_lapsed`` records it and publishes
  key_group.ended, daily (``certification_job``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_seekers import service as job_seekers
from employment.key_groups.models import (
    HardToEmployCategory,
    HardToEmployPolicy,
    KeyGroup,
    KeyGroupMembership,
    MembershipCreate,
    MembershipEnd,
)
from employment.registrations.models import UnemploymentRegistration, UnemploymentStatus
from employment.startup.common import POLICY_DIR, add_months
from employment.working_age import working_age_problem
from hrss_contracts.employment import KEY_GROUP_ADDED, KEY_GROUP_ENDED, KeyGroupAdded, KeyGroupEnded
from hrss_shared.auth import Principal
from hrss_shared.db import flush_or_conflict
from hrss_shared.outbox import Outbox
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField, NotFound
from hrss_shared.reference.retirement import age_on, sex_of
from hrss_shared.scheduler import Job, daily_job
from hrss_shared.validators import QUZHOU_COUNTIES, birth_date_of

HARD_TO_EMPLOY_POLICY = PolicyTable.load(POLICY_DIR / "hard_to_employ.toml", HardToEmployPolicy)
CERTIFICATION_JOB = "employment.hard_to_employ_certification_end"
REGISTRATION_CLOSED = "失业登记已注销，就业困难人员认定随之终止 (the unemployment registration was closed)"
REGISTRATION_CANCELLED = "失业登记已撤销，就业困难人员认定随之终止 (the unemployment registration was cancelled)"


def hard_to_employ_policy(day: date) -> HardToEmployPolicy:
    """The categories in force on ``day`` (422 naming start_date when none is)."""
    return HARD_TO_EMPLOY_POLICY.in_force(day, field="start_date", label="就业困难人员认定")


def in_force_on(day: date) -> list[object]:
    """WHERE clauses: a membership in force on ``day``; a certification ends with its unemployment registration.

    Select from KeyGroupMembership outer-joined with UnemploymentRegistration on ``registration_join()``.
    """
    return [
        col(KeyGroupMembership.start_date) <= day,
        or_(col(KeyGroupMembership.end_date).is_(None), col(KeyGroupMembership.end_date) >= day),
        or_(col(UnemploymentRegistration.end_date).is_(None), col(UnemploymentRegistration.end_date) >= day),
    ]


def registration_join() -> object:
    return col(UnemploymentRegistration.id) == col(KeyGroupMembership.unemployment_registration_id)


async def groups_on(*, session: AsyncSession, id_number: str, on: date) -> set[KeyGroup]:
    """The key groups a person belongs to on a given day."""
    rows = await session.exec(
        select(KeyGroupMembership.group)
        .join(UnemploymentRegistration, registration_join(), isouter=True)  # type: ignore[arg-type]
        .where(KeyGroupMembership.id_number == id_number, *in_force_on(on))  # type: ignore[arg-type]
    )
    return {KeyGroup(g) for g in rows.all()}


async def list_for_person(*, session: AsyncSession, id_number: str) -> list[KeyGroupMembership]:
    query = select(KeyGroupMembership).where(KeyGroupMembership.id_number == id_number)
    return list((await session.exec(query.order_by(col(KeyGroupMembership.start_date)))).all())


def _category(rules: HardToEmployPolicy, data: MembershipCreate) -> HardToEmployCategory:
    codes = "、".join(f"{c.code} {c.name}" for c in rules.categories)
    if data.category is None:
        raise InvalidField("category", f"就业困难人员认定须填写类别（{codes}）(a category is required; {rules.source})")
    category = rules.category(data.category)
    if category is None:
        raise InvalidField("category", f"{data.category} 不是 {data.start_date} 施行的就业困难人员类别（{codes}）"
                                       f"(not a category in force; {rules.source})")
    if data.evidence is None:
        raise InvalidField("evidence", f"{category.name}须提供证明材料：{category.evidence} (evidence is required)")
    return category


async def _open_registration(
    *, session: AsyncSession, id_number: str, on: date
) -> UnemploymentRegistration:
    registration = (await session.exec(select(UnemploymentRegistration).where(
        UnemploymentRegistration.id_number == id_number,
        UnemploymentRegistration.status == UnemploymentStatus.open,
    ))).first()
    if registration is None or registration.county_code not in QUZHOU_COUNTIES:
        raise InvalidField("id_number", "就业困难人员认定须在衢州市有未注销的失业登记 "
                                        "(an open unemployment registration in Quzhou is required)")
    if registration.registered_date > on:
        raise InvalidField("start_date", f"认定起始日期早于失业登记日期 {registration.registered_date} "
                                         "(before the unemployment registration)")
    return registration


def _check_conditions(
    *, id_number: str, on: date, category: HardToEmployCategory, registration: UnemploymentRegistration
) -> None:
    minimum = category.min_age_male if sex_of(id_number) == "male" else category.min_age_female
    age = age_on(birth_date_of(id_number), on)
    if minimum is not None and age < minimum:
        raise InvalidField("category", f"{category.name}须年满 {category.min_age_female} 周岁（女）/ "
                                       f"{category.min_age_male} 周岁（男），该人员在 {on} 为 {age} 周岁 "
                                       f"(aged {age}, under {minimum})")
    months = category.min_registered_months
    if months is None:
        return
    full = add_months(registration.registered_date, months)
    if full > on:
        raise InvalidField("category", f"{category.name}须连续登记失业 {months} 个月以上：自 "
                                       f"{registration.registered_date} 登记，{full} 起满 {months} 个月 "
                                       f"(registered for less than {months} months)")


async def _certify(*, session: AsyncSession, id_number: str, data: MembershipCreate) -> str:
    """就业困难人员认定 checks; the id of the unemployment registration the certification rests on."""
    rules = hard_to_employ_policy(data.start_date)
    category = _category(rules, data)
    problem = working_age_problem(id_number, data.start_date, "id_number")
    if problem is not None:
        raise problem
    registration = await _open_registration(session=session, id_number=id_number, on=data.start_date)
    _check_conditions(id_number=id_number, on=data.start_date, category=category, registration=registration)
    return registration.id


async def add(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, id_number: str, data: MembershipCreate
) -> KeyGroupMembership:
    """Record a membership; the person must be a registered job seeker."""
    seeker = await job_seekers.get_or_404(session=session, id_number=id_number)
    principal.check_county(seeker.county_code)
    registration_id = None
    if data.group == KeyGroup.hard_to_employ:
        registration_id = await _certify(session=session, id_number=id_number, data=data)
    elif data.category is not None or data.evidence is not None:
        field = "category" if data.category is not None else "evidence"
        raise InvalidField(field, "仅就业困难人员认定填写类别和证明材料 (only for group hard_to_employ)")
    open_same = await session.exec(select(KeyGroupMembership).where(
        KeyGroupMembership.id_number == id_number, KeyGroupMembership.group == data.group,
        col(KeyGroupMembership.end_date).is_(None)))
    existing = open_same.first()
    if existing is not None:
        raise Conflict(f"该人员已有有效的{data.group}认定 {existing.id} (an open membership exists)",
                       field_name="group", existing_id=existing.id)
    membership = KeyGroupMembership(id_number=id_number, county_code=seeker.county_code,
                                    unemployment_registration_id=registration_id, **data.model_dump())
    session.add(membership)
    await flush_or_conflict(session, Conflict("该人员已有有效的认定 (an open membership exists)", field_name="group"))
    await outbox.add(session, KEY_GROUP_ADDED, KeyGroupAdded.model_validate(membership, from_attributes=True))
    return membership


async def end(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, id_number: str, membership_id: str,
    data: MembershipEnd,
) -> KeyGroupMembership:
    membership = await session.get(KeyGroupMembership, membership_id)
    if membership is None or membership.id_number != id_number:
        raise NotFound(f"重点群体认定 {membership_id} 不存在 (membership not found)")
    principal.check_county(membership.county_code)
    if membership.end_date is not None and membership.end_date <= data.end_date:
        raise Conflict(f"该认定已于 {membership.end_date} 终止 (already ended)")
    if data.end_date < membership.start_date:
        raise InvalidField("end_date", f"终止日期早于认定起始日期 {membership.start_date} (before the start date)")
    membership.end_date = data.end_date
    session.add(membership)
    await outbox.add(session, KEY_GROUP_ENDED, KeyGroupEnded(
        id=membership.id, id_number=id_number, group=membership.group, end_date=data.end_date))
    return membership


async def end_with_registration(
    *, session: AsyncSession, outbox: Outbox, registration: UnemploymentRegistration, on: date | None = None,
    reason: str = REGISTRATION_CLOSED,
) -> list[KeyGroupMembership]:
    """Certifications resting on a closed unemployment registration end on its end date (key_group.ended each);
    ``on`` overrides that day (a 撤销 ends them from the registration date, i.e. on their own start date)."""
    ended_on = on if on is not None else registration.end_date
    if ended_on is None:
        return []
    rows = (await session.exec(select(KeyGroupMembership).where(
        KeyGroupMembership.unemployment_registration_id == registration.id,
        or_(col(KeyGroupMembership.end_date).is_(None), col(KeyGroupMembership.end_date) > ended_on),
    ))).all()
    for membership in rows:
        membership.end_date = max(ended_on, membership.start_date)
        session.add(membership)
        await outbox.add(session, KEY_GROUP_ENDED, KeyGroupEnded(
            id=membership.id, id_number=membership.id_number, group=membership.group,
            end_date=membership.end_date, reason=reason))
    return list(rows)


async def earliest_start_resting_on(*, session: AsyncSession, registration_id: str) -> date | None:
    """The earliest start date of the certifications resting on an unemployment registration."""
    rows = (await session.exec(select(KeyGroupMembership).where(
        KeyGroupMembership.unemployment_registration_id == registration_id))).all()
    return min((m.start_date for m in rows), default=None)


async def end_lapsed(*, session: AsyncSession, outbox: Outbox) -> int:
    """Record the end of every certification whose unemployment registration has been closed."""
    closed = (await session.exec(
        select(UnemploymentRegistration).join(KeyGroupMembership, registration_join())  # type: ignore[arg-type]
        .where(UnemploymentRegistration.status == UnemploymentStatus.closed,
               col(UnemploymentRegistration.end_date).is_not(None),
               or_(col(KeyGroupMembership.end_date).is_(None),
                   and_(col(KeyGroupMembership.end_date) > col(UnemploymentRegistration.end_date))))
        .distinct()
    )).all()
    ended = 0
    for registration in closed:
        ended += len(await end_with_registration(session=session, outbox=outbox, registration=registration))
    return ended


def certification_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 00:20 Beijing time: certifications whose unemployment registration closed are ended."""
    return daily_job(CERTIFICATION_JOB, time(0, 20), outbox,
                     lambda session, box, today: end_lapsed(session=session, outbox=box),
                     lambda n: f"ended {n} certifications")
