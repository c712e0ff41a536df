"""Rules of 就业登记 and 失业登记.

- A person holds at most one active employment registration per employer.
- A person cannot register as unemployed while an employment registration is active.
- Registering employment closes an open unemployment registration from the start date.
- Both registrations are within working age on their date (employment.working_age: 16 up to the statutory
  retirement age), and a registration date inside a past employment (its start to its end, inclusive) is refused.
- A closure carries a coded reason (ClosureReason) besides its free-text note; closing ends at once the
  就业困难人员 certifications resting on the registration (key_groups.end_with_registration).
- The daily job (``closure_job``) closes, once, the open registrations of people who reached retirement age (on
  their last working day) or had no contact for the policy's months (policy/unemployment_registration.toml); any
  recorded contact counts (registrations.contacts lists them).
- A registration recorded wrongly is corrected (更正) or cancelled (撤销) with a reason, as an event; a 撤销 ends
  the certifications resting on it, and its end date becomes the day before its registration date (in force on
  no day for the rules reading dates).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from sqlalchemy import bindparam, func, insert, literal_column
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import employment.key_groups.service as key_groups
from employment.employers.models import Employer, EmployerStatus
from employment.registrations import contacts
from employment.registrations.models import (
    Closure,
    EmploymentRegistration,
    EmploymentRegistrationCreate,
    EmploymentStatus,
    Termination,
    UnemploymentCorrection,
    UnemploymentRegistration,
    UnemploymentRegistrationCreate,
    UnemploymentRegistrationPolicy,
    UnemploymentStatus,
)
from employment.startup.common import POLICY_DIR, add_months
from employment.working_age import last_working_day, working_age_problem
from hrss_contracts.employment import (
    CLOSURE_REASON_NAMES,
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CANCELLED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_CORRECTED,
    UNEMPLOYMENT_REGISTERED,
    ClosureReason,
    EmploymentRegistered,
    EmploymentTerminated,
    UnemploymentCancelled,
    UnemploymentClosed,
    UnemploymentCorrected,
    UnemploymentRegistered,
)
from hrss_shared.auth import Principal
from hrss_shared.corrections import Cancellation, apply_changes
from hrss_shared.db import Prepared, fetch_or_404, flush_or_conflict, lock_key, unique_or
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from hrss_shared.scheduler import Job, daily_job

REEMPLOYED_REASON = "就业登记 re-employed"
CLOSURE_JOB = "employment.unemployment_registration_closure"
POLICY = PolicyTable.load(POLICY_DIR / "unemployment_registration.toml", UnemploymentRegistrationPolicy)


# The statements of the registration POST, the busiest write, are built once (building a statement per request cost
# more than SQLite running it); the employer and the registration with the same employer are read as the columns the
# rules need, not as ORM entities.
_ACTIVE = select(EmploymentRegistration).where(
    col(EmploymentRegistration.id_number) == bindparam("id_number"),
    col(EmploymentRegistration.status) == EmploymentStatus.active,
)
_OPEN_UNEMPLOYMENT = select(UnemploymentRegistration).where(
    col(UnemploymentRegistration.id_number) == bindparam("id_number"),
    col(UnemploymentRegistration.status) == UnemploymentStatus.open,
)
_REGISTRATION = EmploymentRegistration.__table__  # type: ignore[attr-defined]
_UNEMPLOYMENT = UnemploymentRegistration.__table__  # type: ignore[attr-defined]
# What the rules of a registration need, in one statement run through the driver (hrss_shared.db.Prepared): the
# employer's name, county and status; the person's active registration with that employer (id and start date: one
# at most, by the unique index); and their open unemployment registration's id (one at most, by the rules).
_ACTIVE_WITH_EMPLOYER = (
    _REGISTRATION.c.id_number == bindparam("id_number"), _REGISTRATION.c.credit_code == bindparam("credit_code"),
    _REGISTRATION.c.status == literal_column(f"'{EmploymentStatus.active.value}'"),
)
_REGISTRATION_FACTS = Prepared(
    sa_select(
        col(Employer.name), col(Employer.county_code), col(Employer.status),
        sa_select(func.min(_REGISTRATION.c.id)).where(*_ACTIVE_WITH_EMPLOYER).scalar_subquery(),
        sa_select(func.min(_REGISTRATION.c.start_date)).where(*_ACTIVE_WITH_EMPLOYER).scalar_subquery(),
        sa_select(func.min(_UNEMPLOYMENT.c.id)).where(
            _UNEMPLOYMENT.c.id_number == bindparam("id_number"),
            _UNEMPLOYMENT.c.status == literal_column(f"'{UnemploymentStatus.open.value}'"),
        ).scalar_subquery(),
    ).where(col(Employer.credit_code) == bindparam("credit_code")),
    ("credit_code", "id_number"),
)
_REGISTRATION_COLUMNS = tuple(_REGISTRATION.c.keys())
_INSERT_REGISTRATION = Prepared(insert(_REGISTRATION), _REGISTRATION_COLUMNS)


async def active_employments(*, session: AsyncSession, id_number: str) -> list[EmploymentRegistration]:
    return list((await session.exec(_ACTIVE, params={"id_number": id_number})).all())


async def open_unemployment(*, session: AsyncSession, id_number: str) -> UnemploymentRegistration | None:
    return (await session.exec(_OPEN_UNEMPLOYMENT, params={"id_number": id_number})).first()


async def register_employment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: EmploymentRegistrationCreate
) -> EmploymentRegistration:
    """就业登记; closes an open unemployment registration from the start date."""
    # The subject's lock first (PostgreSQL), so the one read below sees every registration committed before it.
    await lock_key(session, data.id_number)
    found = await _REGISTRATION_FACTS.run(session, (data.credit_code, data.id_number))
    facts = found[0] if found else None
    if facts is None or facts[2] != EmployerStatus.active:
        raise InvalidField("credit_code", "用人单位未登记或已注销 (employer not registered or inactive)")
    employer_name, employer_county, _, existing_id, existing_start, unemployment_id = facts
    principal.check_county(employer_county)
    problem = working_age_problem(data.id_number, data.start_date, "id_number",
                                  female_original_age=data.female_original_age)
    if problem:
        raise problem
    if existing_id is not None:
        raise Conflict(
            f"该人员在 {employer_name} 已有有效就业登记 {existing_id} "
            f"(already actively registered with this employer since {existing_start})",
            field_name="credit_code", existing_id=existing_id,
        )
    registration = EmploymentRegistration(
        **data.model_dump(exclude={"female_original_age"}), employer_name=employer_name,
        county_code=employer_county,
    )
    # A core INSERT of the new row: the ORM's unit of work would cost more than the rest of the request's SQL.
    # A registration with this employer committed meanwhile breaks the unique index.
    with unique_or(Conflict("该人员在此单位已有有效就业登记 (already actively registered with this employer)",
                            field_name="credit_code")):
        await _INSERT_REGISTRATION.run(session, [getattr(registration, c) for c in _REGISTRATION_COLUMNS])
    if unemployment_id is not None:
        unemployment = await session.get(UnemploymentRegistration, unemployment_id)
        assert unemployment is not None  # read in this transaction, under the person's lock
        await _close_unemployment(
            session=session, outbox=outbox, registration=unemployment,
            end_date=max(data.start_date, unemployment.registered_date), reason=REEMPLOYED_REASON,
            reason_code=ClosureReason.reemployed,
        )
    await outbox.add(
        session, EMPLOYMENT_REGISTERED, EmploymentRegistered.model_validate(registration, from_attributes=True)
    )
    return registration


async def get_employment_or_404(*, session: AsyncSession, registration_id: str) -> EmploymentRegistration:
    return await fetch_or_404(
        session, EmploymentRegistration, registration_id,
        f"就业登记 {registration_id} 不存在 (employment registration not found)",
    )


async def terminate_employment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, registration_id: str, data: Termination
) -> EmploymentRegistration:
    """Record the end of an employment registration."""
    registration = await get_employment_or_404(session=session, registration_id=registration_id)
    principal.check_county(registration.county_code)
    if registration.status != EmploymentStatus.active:
        raise Conflict(f"就业登记已于 {registration.end_date} 终止 (already terminated)")
    if data.end_date < registration.start_date:
        raise InvalidField("end_date", f"终止日期早于用工起始日期 {registration.start_date} (before the start date)")
    registration.status = EmploymentStatus.terminated
    registration.end_date = data.end_date
    registration.termination_reason = data.reason
    session.add(registration)
    await outbox.add(session, EMPLOYMENT_TERMINATED, EmploymentTerminated(
        id=registration.id, id_number=registration.id_number, credit_code=registration.credit_code,
        end_date=data.end_date, reason=data.reason,
    ))
    return registration


async def register_unemployment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: UnemploymentRegistrationCreate
) -> UnemploymentRegistration:
    """失业登记: refused while an employment registration is active or another one is open."""
    principal.check_county(data.county_code)
    problem = working_age_problem(data.id_number, data.registered_date, "id_number",
                                  female_original_age=data.female_original_age)
    if problem:
        raise problem
    await lock_key(session, data.id_number)
    await _refuse_inside_past_employment(session=session, id_number=data.id_number, day=data.registered_date)
    active = await active_employments(session=session, id_number=data.id_number)
    if active:
        current = active[0]
        raise Conflict(
            f"该人员在 {current.employer_name}（{current.credit_code}）有有效就业登记 {current.id}，"
            f"不能办理失业登记 (an active employment registration exists)",
            field_name="id_number", existing_id=current.id,
        )
    existing = await open_unemployment(session=session, id_number=data.id_number)
    if existing is not None:
        raise Conflict(
            f"该人员已有未注销的失业登记 {existing.id} (an open unemployment registration exists)",
            field_name="id_number", existing_id=existing.id,
        )
    registration = UnemploymentRegistration(**data.model_dump())
    session.add(registration)
    await flush_or_conflict(session, Conflict(
        "该人员已有未注销的失业登记 (an open unemployment registration exists)", field_name="id_number"))
    await outbox.add(
        session, UNEMPLOYMENT_REGISTERED, UnemploymentRegistered.model_validate(registration, from_attributes=True)
    )
    return registration


async def get_unemployment_or_404(*, session: AsyncSession, registration_id: str) -> UnemploymentRegistration:
    return await fetch_or_404(
        session, UnemploymentRegistration, registration_id,
        f"失业登记 {registration_id} 不存在 (unemployment registration not found)",
    )


async def close_unemployment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, registration_id: str, data: Closure
) -> UnemploymentRegistration:
    """失业登记注销."""
    registration = await get_unemployment_or_404(session=session, registration_id=registration_id)
    principal.check_county(registration.county_code)
    if registration.status == UnemploymentStatus.cancelled:
        raise Conflict(f"失业登记已撤销：{registration.cancel_reason} (cancelled)")
    if registration.status != UnemploymentStatus.open:
        raise Conflict(f"失业登记已于 {registration.end_date} 注销 (already closed)")
    if data.end_date < registration.registered_date:
        raise InvalidField("end_date", f"注销日期早于登记日期 {registration.registered_date} (before registration)")
    await _close_unemployment(
        session=session, outbox=outbox, registration=registration, end_date=data.end_date, reason=data.reason,
        reason_code=data.reason_code,
    )
    return registration


async def _close_unemployment(
    *, session: AsyncSession, outbox: Outbox, registration: UnemploymentRegistration, end_date: date, reason: str,
    reason_code: ClosureReason | None, automatic: bool = False,
) -> None:
    """Close, publish unemployment.closed, and end at once the certifications resting on the registration."""
    registration.status = UnemploymentStatus.closed
    registration.end_date = end_date
    registration.close_reason = reason
    registration.close_reason_code = reason_code
    session.add(registration)
    await outbox.add(session, UNEMPLOYMENT_CLOSED, UnemploymentClosed(
        id=registration.id, id_number=registration.id_number, end_date=end_date, reason=reason,
        reason_code=reason_code, automatic=automatic,
    ))
    await key_groups.end_with_registration(session=session, outbox=outbox, registration=registration)


async def _refuse_inside_past_employment(
    *, session: AsyncSession, id_number: str, day: date, field: str = "registered_date"
) -> None:
    """422 naming ``field`` when ``day`` falls from a past employment's start to its end, inclusive."""
    inside = (await session.exec(select(EmploymentRegistration).where(
        EmploymentRegistration.id_number == id_number,
        EmploymentRegistration.status == EmploymentStatus.terminated,
        col(EmploymentRegistration.start_date) <= day,
        col(EmploymentRegistration.end_date) >= day,
    ).order_by(col(EmploymentRegistration.start_date)))).first()
    if inside is not None and inside.end_date is not None:
        after = inside.end_date + timedelta(days=1)
        raise InvalidField(field, f"失业登记日期 {day} 在 {inside.employer_name} 的就业期间 {inside.start_date} 至 "
                                  f"{inside.end_date} 内（就业登记 {inside.id}），{after} 起方可登记失业 "
                                  "(the date falls inside a past employment)")


# ---- 更正 and 撤销 ----------------------------------------------------------------------------------


async def correct_unemployment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, registration_id: str,
    data: UnemploymentCorrection,
) -> UnemploymentRegistration:
    """失业登记更正: the fields sent replace the ones recorded wrongly; unemployment.corrected names them."""
    registration = await get_unemployment_or_404(session=session, registration_id=registration_id)
    principal.check_county(registration.county_code)
    if data.county_code is not None:
        principal.check_county(data.county_code)
    if registration.status == UnemploymentStatus.cancelled:
        raise Conflict(f"失业登记 {registration.id} 已撤销 (cancelled; nothing to correct)")
    day = data.registered_date
    if day is not None and day != registration.registered_date:
        problem = working_age_problem(registration.id_number, day, "registered_date",
                                      female_original_age=registration.female_original_age)
        if problem:
            raise problem
        if registration.end_date is not None and day > registration.end_date:
            raise InvalidField("registered_date", f"失业登记日期晚于注销日期 {registration.end_date} (after the end)")
        await _refuse_inside_past_employment(session=session, id_number=registration.id_number, day=day)
        later_start = await key_groups.earliest_start_resting_on(session=session, registration_id=registration.id)
        if later_start is not None and later_start < day:
            raise Conflict(f"就业困难人员认定自 {later_start} 起以该失业登记为依据，登记日期不能更正为 {day} "
                           "(a certification rests on the registration from an earlier day)",
                           field_name="registered_date")
    changed = apply_changes(registration, data.sent())
    session.add(registration)
    await outbox.add(session, UNEMPLOYMENT_CORRECTED, UnemploymentCorrected(
        id=registration.id, id_number=registration.id_number, changed=changed, name=registration.name,
        county_code=registration.county_code, registered_date=registration.registered_date,
        reason=registration.reason, separation_reason=registration.separation_reason,
        correction_reason=data.reason,
    ))
    return registration


async def cancel_unemployment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, registration_id: str, data: Cancellation,
) -> UnemploymentRegistration:
    """失业登记撤销: the registration never held; the certifications resting on it end (key_group.ended)."""
    registration = await get_unemployment_or_404(session=session, registration_id=registration_id)
    principal.check_county(registration.county_code)
    if registration.status == UnemploymentStatus.cancelled:
        raise Conflict(f"失业登记已撤销：{registration.cancel_reason} (already cancelled)")
    registration.status = UnemploymentStatus.cancelled
    registration.cancel_reason = data.reason
    # It never held: ending the day before it began, every rule reading dates (key groups, loans, statistics)
    # finds it in force on no day.
    registration.end_date = registration.registered_date - timedelta(days=1)
    session.add(registration)
    await outbox.add(session, UNEMPLOYMENT_CANCELLED, UnemploymentCancelled(
        id=registration.id, id_number=registration.id_number, registered_date=registration.registered_date,
        reason=data.reason,
    ))
    await key_groups.end_with_registration(
        session=session, outbox=outbox, registration=registration, on=registration.registered_date,
        reason=f"{key_groups.REGISTRATION_CANCELLED}：{data.reason}",
    )
    return registration


# ---- the daily closure job ------------------------------------------------------------------------


def _automatic_closure(
    registration: UnemploymentRegistration, last_contact: date, today: date
) -> tuple[date, ClosureReason, str] | None:
    """The closure due on or before ``today`` (the earliest of retirement and no contact), or None."""
    due: list[tuple[date, ClosureReason, str]] = []
    last_day = last_working_day(registration.id_number, registration.female_original_age)
    if last_day < today:
        due.append((max(last_day, registration.registered_date), ClosureReason.retired,
                    f"{CLOSURE_REASON_NAMES[ClosureReason.retired]}：{last_day} 为法定劳动年龄内最后一天"
                    f"（自动注销）"))
    rules = POLICY.at(today)
    deadline = add_months(last_contact, rules.no_contact_months)
    if deadline <= today:
        mark = "；示例值 illustrative" if rules.illustrative else ""
        due.append((deadline, ClosureReason.no_contact,
                    f"自 {last_contact} 起连续 {rules.no_contact_months} 个月未与公共就业服务机构联系（自动注销；"
                    f"{rules.source[:60]}{mark}）"[:200]))
    return min(due, key=lambda d: d[0]) if due else None


async def close_lapsed(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Close the open registrations due for automatic closure on ``today``; unemployment.closed once each. The last
    contact is the later of the registration date and the person's latest recorded contact (registrations.contacts)."""
    rows = (await session.exec(
        select(UnemploymentRegistration).where(UnemploymentRegistration.status == UnemploymentStatus.open)
        .order_by(col(UnemploymentRegistration.id))
    )).all()
    latest = await contacts.last_contacts(session=session, id_numbers=[r.id_number for r in rows], on=today)
    closed = 0
    for registration in rows:
        last_contact = max(registration.registered_date, latest.get(registration.id_number, date.min))
        due = _automatic_closure(registration, last_contact, today)
        if due is None:
            continue
        end_date, code, note = due
        await _close_unemployment(session=session, outbox=outbox, registration=registration, end_date=end_date,
                                  reason=note, reason_code=code, automatic=True)
        closed += 1
    return closed


def closure_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 00:15 Beijing time: registrations past retirement age or without contact for months close."""
    return daily_job(CLOSURE_JOB, time(0, 15), outbox,
                     lambda session, box, today: close_lapsed(session=session, outbox=box, today=today),
                     lambda n: f"closed {n} unemployment registrations")


EMPLOYMENT_SORTS = {"start_date": col(EmploymentRegistration.start_date),
                    "created_at": col(EmploymentRegistration.created_at)}
UNEMPLOYMENT_SORTS = {"registered_date": col(UnemploymentRegistration.registered_date),
                      "created_at": col(UnemploymentRegistration.created_at)}


async def list_employments(
    *, session: AsyncSession, page: PageParams, id_number: str | None, credit_code: str | None,
    county_code: str | None, status: EmploymentStatus | None, started: DateRange | None = None,
    sort: str = "-start_date",
) -> tuple[list[EmploymentRegistration], int]:
    """Employment registrations matching the filters (``started``: a range of start_date), in ``sort`` order."""
    query = select(EmploymentRegistration)
    query = query.where(*equals(
        (EmploymentRegistration.id_number, id_number),
        (EmploymentRegistration.credit_code, credit_code),
        (EmploymentRegistration.county_code, county_code),
        (EmploymentRegistration.status, status),
    ))
    if started:
        query = query.where(*started.clauses(col(EmploymentRegistration.start_date)))
    order = order_by(sort, EMPLOYMENT_SORTS, col(EmploymentRegistration.id))
    return await fetch_page(session, query.order_by(*order), page)


async def list_unemployments(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    status: UnemploymentStatus | None, registered: DateRange | None = None, sort: str = "-registered_date",
) -> tuple[list[UnemploymentRegistration], int]:
    """Unemployment registrations matching the filters (``registered``: a range of registered_date), sorted."""
    query = select(UnemploymentRegistration)
    query = query.where(*equals(
        (UnemploymentRegistration.id_number, id_number),
        (UnemploymentRegistration.county_code, county_code),
        (UnemploymentRegistration.status, status),
    ))
    if registered:
        query = query.where(*registered.clauses(col(UnemploymentRegistration.registered_date)))
    order = order_by(sort, UNEMPLOYMENT_SORTS, col(UnemploymentRegistration.id))
    return await fetch_page(session, query.order_by(*order), page)
