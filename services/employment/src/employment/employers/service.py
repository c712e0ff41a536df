"""Employer rules."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers.events import EMPLOYER_REGISTERED, EmployerRegistered
from employment.employers.models import Employer, EmployerCreate
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, NotFound


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
    await outbox.add(
        session, type=EMPLOYER_REGISTERED, subject=employer.credit_code,
        data=EmployerRegistered(**data.model_dump(mode="json")),
    )
    await session.commit()
    return employer


async def list_employers(
    *, session: AsyncSession, page: PageParams, county_code: str | None = None
) -> tuple[list[Employer], int]:
    """Employers, newest first, optionally in one county."""
    query = select(Employer)
    if county_code:
        query = query.where(Employer.county_code == county_code)
    return await fetch_page(session, query.order_by(Employer.id.desc()), page)  # type: ignore[union-attr]
