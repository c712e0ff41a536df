"""Employer rules: a credit code registers once; details change and the employer is deactivated once."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers.models import Deactivation, Employer, EmployerCreate, EmployerStatus, EmployerUpdate
from employment.registrations.models import EmploymentRegistration, EmploymentStatus
from hrss_contracts.employment import (
    EMPLOYER_DEACTIVATED,
    EMPLOYER_REGISTERED,
    EMPLOYER_UPDATED,
    EmployerDeactivated,
    EmployerRegistered,
    EmployerUpdated,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, Forbidden, NotFound

SORT_COLUMNS = {"created_at": col(Employer.created_at), "name": col(Employer.name)}


async def get_by_credit_code(*, session: AsyncSession, credit_code: str) -> Employer | None:
    """The employer with this credit code, if registered."""
    return (await session.exec(select(Employer).where(Employer.credit_code == credit_code))).first()


async def get_or_404(*, session: AsyncSession, credit_code: str) -> Employer:
    employer = await get_by_credit_code(session=session, credit_code=credit_code)
    if employer is None:
        raise NotFound(f"用人单位 {credit_code} 未登记 (employer not registered)")
    return employer


async def create(*, session: AsyncSession, outbox: Outbox, data: EmployerCreate) -> Employer:
    """Register an employer; a credit code registers once."""
    if await get_by_credit_code(session=session, credit_code=data.credit_code):
        raise Conflict(f"用人单位 {data.credit_code} 已登记 (already registered)", field_name="credit_code")
    employer = Employer(**data.model_dump())
    session.add(employer)
    await session.flush()
    await outbox.add(session, EMPLOYER_REGISTERED, EmployerRegistered(**data.model_dump(mode="json")))
    return employer


async def update(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, credit_code: str, data: EmployerUpdate
) -> Employer:
    """信息变更: change the fields sent; only a city-wide client may move an employer to another county."""
    await lock_key(session, credit_code)
    employer = await get_or_404(session=session, credit_code=credit_code)
    principal.check_county(employer.county_code)
    if employer.status != EmployerStatus.active:
        raise Conflict(f"用人单位 {credit_code} 已于 {employer.deactivated_date} 注销，不能变更信息 "
                       f"(employer is deactivated)", field_name="credit_code")
    values = data.model_dump(exclude_unset=True, mode="json")
    previous_county = employer.county_code
    if values.get("county_code", previous_county) != previous_county and principal.county is not None:
        raise Forbidden(f"县（市、区）客户端不能变更用人单位所在县 (a client limited to county {principal.county} "
                        f"cannot move an employer to another county; ask the city bureau)")
    changed = [name for name, value in values.items() if getattr(employer, name) != value]
    if not changed:
        return employer
    for name in changed:
        setattr(employer, name, values[name])
    employer.updated_at = clock.now()
    session.add(employer)
    await session.flush()
    await outbox.add(
        session, EMPLOYER_UPDATED, EmployerUpdated(
            **employer.model_dump(include={"id", "credit_code", "name", "county_code", "industry", "size",
                                           "is_construction"}),
            changed=changed,
            previous_county_code=previous_county if "county_code" in changed else None,
        ),
    )
    return employer


async def deactivate(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, credit_code: str, data: Deactivation
) -> Employer:
    """用人单位注销: once, and only when no employment registration with it is still active."""
    await lock_key(session, credit_code)
    employer = await get_or_404(session=session, credit_code=credit_code)
    principal.check_county(employer.county_code)
    if employer.status != EmployerStatus.active:
        raise Conflict(f"用人单位 {credit_code} 已于 {employer.deactivated_date} 注销 (already deactivated: "
                       f"{employer.deactivation_reason})", field_name="credit_code",
                       deactivated_date=str(employer.deactivated_date))
    active = select(EmploymentRegistration.id).where(
        EmploymentRegistration.credit_code == credit_code, EmploymentRegistration.status == EmploymentStatus.active
    )
    active_count = (await session.exec(select(func.count()).select_from(active.subquery()))).one()
    if active_count:
        first = (await session.exec(active.order_by(col(EmploymentRegistration.start_date)))).first()
        raise Conflict(f"用人单位 {credit_code} 仍有 {active_count} 条有效就业登记，请先办理终止 "
                       f"(employer still has {active_count} active employment registrations; terminate them first)",
                       field_name="credit_code", active_registrations=active_count, existing_id=first)
    employer.status = EmployerStatus.inactive
    employer.deactivated_date = data.deactivated_date
    employer.deactivation_reason = data.reason
    employer.updated_at = clock.now()
    session.add(employer)
    await session.flush()
    assert employer.id is not None
    await outbox.add(
        session, EMPLOYER_DEACTIVATED,
        EmployerDeactivated(id=employer.id, credit_code=employer.credit_code, county_code=employer.county_code,
                            deactivated_date=data.deactivated_date, reason=data.reason),
    )
    return employer


async def list_employers(
    *, session: AsyncSession, page: PageParams, county_code: str | None = None, industry: str | None = None,
    is_construction: bool | None = None, status: EmployerStatus | None = None, created: DateRange | None = None,
    sort: str = "-created_at",
) -> tuple[list[Employer], int]:
    """Employers matching the filters, in ``sort`` order (newest first by default)."""
    query = select(Employer)
    query = query.where(*equals((Employer.county_code, county_code), (Employer.industry, industry)))
    if is_construction is not None:
        query = query.where(Employer.is_construction == is_construction)
    if status:
        query = query.where(Employer.status == status)
    if created:
        query = query.where(*created.day_clauses(col(Employer.created_at)))
    return await fetch_page(session, query.order_by(*order_by(sort, SORT_COLUMNS, col(Employer.id))), page)
