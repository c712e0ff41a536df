"""Job-seeker rules: one registration per person; details change; the skill profile comes from training."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_seekers.models import Education, JobSeeker, JobSeekerCreate, JobSeekerSkill, JobSeekerUpdate
from hrss_contracts.employment import (
    JOB_SEEKER_REGISTERED,
    JOB_SEEKER_UPDATED,
    JobSeekerRegistered,
    JobSeekerUpdated,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, NotFound

SORT_COLUMNS = {
    "registered_date": col(JobSeeker.registered_date),
    "graduation_year": col(JobSeeker.graduation_year),
    "created_at": col(JobSeeker.created_at),
}


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
    values["registered_date"] = data.registered_date or clock.today()
    seeker = JobSeeker(**values)
    session.add(seeker)
    await session.flush()
    await outbox.add(session, JOB_SEEKER_REGISTERED, JobSeekerRegistered.model_validate(values))
    return seeker


async def update(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, id_number: str, data: JobSeekerUpdate
) -> JobSeeker:
    """求职信息变更: change the fields sent; a county client keeps the person in its own county."""
    await lock_key(session, id_number)
    seeker = await get_or_404(session=session, id_number=id_number)
    principal.check_county(seeker.county_code)
    values = data.model_dump(exclude_unset=True, mode="json")
    if "county_code" in values:
        principal.check_county(values["county_code"])
    changed = [name for name, value in values.items() if getattr(seeker, name) != value]
    if not changed:
        return seeker
    previous_county = seeker.county_code
    for name in changed:
        setattr(seeker, name, values[name])
    seeker.updated_at = clock.now()
    session.add(seeker)
    await session.flush()
    assert seeker.id is not None
    await outbox.add(
        session, JOB_SEEKER_UPDATED, JobSeekerUpdated(
            id=seeker.id, id_number=seeker.id_number, phone=seeker.phone, county_code=seeker.county_code,
            education=seeker.education, graduation_year=seeker.graduation_year,
            occupation_wishes=list(seeker.occupation_wishes), changed=changed,
            previous_county_code=previous_county if "county_code" in changed else None,
        ),
    )
    return seeker


async def skills_of(*, session: AsyncSession, id_numbers: Iterable[str]) -> dict[str, list[JobSeekerSkill]]:
    """技能档案 of each person, oldest certificate first."""
    wanted = sorted(set(id_numbers))
    result: dict[str, list[JobSeekerSkill]] = defaultdict(list)
    if not wanted:
        return result
    query = select(JobSeekerSkill).where(col(JobSeekerSkill.id_number).in_(wanted))
    for skill in (await session.exec(query.order_by(col(JobSeekerSkill.issued_date), col(JobSeekerSkill.id)))).all():
        result[skill.id_number].append(skill)
    return result


def _wishes(session: AsyncSession, occupation: str) -> Any:
    """EXISTS: ``occupation`` is one of the person's occupation wishes (a JSON array)."""
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements_text(JobSeeker.occupation_wishes).table_valued("value")
    else:
        elements = func.json_each(JobSeeker.occupation_wishes).table_valued("value")
    return exists().select_from(elements).where(elements.c.value == occupation)


async def list_job_seekers(
    *, session: AsyncSession, page: PageParams, county_code: str | None = None, education: Education | None = None,
    graduation_year: int | None = None, occupation_wish: str | None = None, registered: DateRange | None = None,
    sort: str = "-registered_date",
) -> tuple[list[JobSeeker], int]:
    """Job seekers matching the filters, in ``sort`` order (latest registration first by default)."""
    query = select(JobSeeker)
    query = query.where(*equals((JobSeeker.county_code, county_code), (JobSeeker.education, education)))
    if graduation_year is not None:
        query = query.where(JobSeeker.graduation_year == graduation_year)
    if occupation_wish:
        query = query.where(_wishes(session, occupation_wish))
    if registered:
        query = query.where(*registered.clauses(col(JobSeeker.registered_date)))
    return await fetch_page(session, query.order_by(*order_by(sort, SORT_COLUMNS, col(JobSeeker.id))), page)
