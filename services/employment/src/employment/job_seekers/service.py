"""Job-seeker rules."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_seekers.events import JOB_SEEKER_REGISTERED, JobSeekerRegistered
from employment.job_seekers.models import JobSeeker, JobSeekerCreate
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, NotFound


async def get_by_id_number(*, session: AsyncSession, id_number: str) -> JobSeeker | None:
    return (await session.exec(select(JobSeeker).where(JobSeeker.id_number == id_number))).first()


async def get_or_404(*, session: AsyncSession, id_number: str) -> JobSeeker:
    seeker = await get_by_id_number(session=session, id_number=id_number)
    if seeker is None:
        raise NotFound("该人员未办理求职登记 (no job-seeker registration for this ID number)")
    return seeker


async def create(*, session: AsyncSession, outbox: Outbox, data: JobSeekerCreate) -> JobSeeker:
    """求职登记: one registration per person."""
    if await get_by_id_number(session=session, id_number=data.id_number):
        raise Conflict("该人员已办理求职登记 (job seeker already registered)", field_name="id_number")
    values = data.model_dump()
    values["registered_date"] = data.registered_date or date.today()
    seeker = JobSeeker(**values)
    session.add(seeker)
    await session.flush()
    await outbox.add(
        session, type=JOB_SEEKER_REGISTERED, subject=seeker.id_number,
        data=JobSeekerRegistered.model_validate(values),
    )
    await session.commit()
    return seeker


async def list_job_seekers(
    *, session: AsyncSession, page: PageParams, county_code: str | None = None
) -> tuple[list[JobSeeker], int]:
    """Job seekers, newest first, optionally in one county."""
    query = select(JobSeeker)
    if county_code:
        query = query.where(JobSeeker.county_code == county_code)
    return await fetch_page(session, query.order_by(JobSeeker.id.desc()), page)  # type: ignore[union-attr]
