"""Rules of 就业登记 and 失业登记.

- A person holds at most one active employment registration per employer.
- A person cannot register as unemployed while an employment registration is active.
- Registering employment closes an open unemployment registration from the start date.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers import service as employers
from employment.employers.models import EmployerStatus
from employment.registrations.models import (
    Closure,
    EmploymentRegistration,
    EmploymentRegistrationCreate,
    EmploymentStatus,
    Termination,
    UnemploymentRegistration,
    UnemploymentRegistrationCreate,
    UnemploymentStatus,
)
from hrss_contracts.employment import (
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    EmploymentRegistered,
    EmploymentTerminated,
    UnemploymentClosed,
    UnemploymentRegistered,
)
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField

REEMPLOYED_REASON = "就业登记 re-employed"


async def active_employments(*, session: AsyncSession, id_number: str) -> list[EmploymentRegistration]:
    query = select(EmploymentRegistration).where(
        EmploymentRegistration.id_number == id_number, EmploymentRegistration.status == EmploymentStatus.active
    )
    return list((await session.exec(query)).all())


async def open_unemployment(*, session: AsyncSession, id_number: str) -> UnemploymentRegistration | None:
    query = select(UnemploymentRegistration).where(
        UnemploymentRegistration.id_number == id_number, UnemploymentRegistration.status == UnemploymentStatus.open
    )
    return (await session.exec(query)).first()


async def register_employment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: EmploymentRegistrationCreate
) -> EmploymentRegistration:
    """就业登记; closes an open unemployment registration from the start date."""
    employer = await employers.get_by_credit_code(session=session, credit_code=data.credit_code)
    if employer is None or employer.status != EmployerStatus.active:
        raise InvalidField("credit_code", "用人单位未登记或已注销 (employer not registered or inactive)")
    principal.check_county(employer.county_code)
    await lock_key(session, data.id_number)
    for existing in await active_employments(session=session, id_number=data.id_number):
        if existing.credit_code == data.credit_code:
            raise Conflict(
                f"该人员在 {employer.name} 已有有效就业登记 {existing.id} "
                f"(already actively registered with this employer since {existing.start_date})",
                field_name="credit_code", existing_id=existing.id,
            )
    registration = EmploymentRegistration(
        **data.model_dump(), employer_name=employer.name, county_code=employer.county_code
    )
    session.add(registration)
    await flush_or_conflict(session, Conflict(
        "该人员在此单位已有有效就业登记 (already actively registered with this employer)", field_name="credit_code"))
    unemployment = await open_unemployment(session=session, id_number=data.id_number)
    if unemployment is not None:
        await _close_unemployment(
            session=session, outbox=outbox, registration=unemployment,
            end_date=max(data.start_date, unemployment.registered_date), reason=REEMPLOYED_REASON,
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
    await lock_key(session, data.id_number)
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
    if registration.status != UnemploymentStatus.open:
        raise Conflict(f"失业登记已于 {registration.end_date} 注销 (already closed)")
    if data.end_date < registration.registered_date:
        raise InvalidField("end_date", f"注销日期早于登记日期 {registration.registered_date} (before registration)")
    await _close_unemployment(
        session=session, outbox=outbox, registration=registration, end_date=data.end_date, reason=data.reason
    )
    return registration


async def _close_unemployment(
    *, session: AsyncSession, outbox: Outbox, registration: UnemploymentRegistration, end_date: date, reason: str
) -> None:
    registration.status = UnemploymentStatus.closed
    registration.end_date = end_date
    registration.close_reason = reason
    session.add(registration)
    await outbox.add(session, UNEMPLOYMENT_CLOSED, UnemploymentClosed(
        id=registration.id, id_number=registration.id_number, end_date=end_date, reason=reason,
    ))


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
