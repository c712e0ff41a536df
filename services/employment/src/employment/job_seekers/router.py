"""/v1/job-seekers"""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.deps import Reader, Writer, county_filter
from employment.job_seekers import service
from employment.job_seekers.models import (
    Education,
    JobSeeker,
    JobSeekerCreate,
    JobSeekerPublic,
    JobSeekerSkill,
    JobSeekerUpdate,
    OccupationWish,
    SkillPublic,
)
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber

router = APIRouter(prefix="/v1/job-seekers", tags=["job seekers 求职登记"])


def _public(seeker: JobSeeker, skills: list[JobSeekerSkill]) -> JobSeekerPublic:
    public = JobSeekerPublic.model_validate(seeker)
    public.skills = [SkillPublic.model_validate(s) for s in skills]
    return public


async def _one(session: AsyncSession, seeker: JobSeeker) -> JobSeekerPublic:
    skills = await service.skills_of(session=session, id_numbers=[seeker.id_number])
    return _public(seeker, skills.get(seeker.id_number, []))


@router.post("", status_code=201, summary="求职登记 Register a job seeker")
async def create_job_seeker(
    body: JobSeekerCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> JobSeekerPublic:
    principal.check_county(body.county_code)
    seeker = await service.create(session=session, outbox=outbox, data=body)
    return await _one(session, seeker)


@router.get("", summary="求职人员列表 List job seekers",
            description="按县（市、区）、学历、毕业年份、求职意向工种和求职登记日期筛选；每人附技能档案。")
async def list_job_seekers(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    education: Annotated[Education | None, Query(description="学历")] = None,
    graduation_year: Annotated[int | None, Query(ge=1950, le=2100, description="毕业年份")] = None,
    occupation_wish: Annotated[OccupationWish | None, Query(
        description="求职意向（工种/岗位）之一 one of the occupation wishes")] = None,
    registered: DateRange = date_range_param("registered_date 求职登记日期"),
    sort: str = sort_param("registered_date", "graduation_year", "created_at", default="-registered_date"),
) -> Page[JobSeekerPublic]:
    rows, count = await service.list_job_seekers(
        session=session, page=page, county_code=county_filter(principal, county_code), education=education,
        graduation_year=graduation_year, occupation_wish=occupation_wish, registered=registered, sort=sort,
    )
    skills = await service.skills_of(session=session, id_numbers=[r.id_number for r in rows])
    data = [_public(r, skills.get(r.id_number, [])) for r in rows]
    return Page[JobSeekerPublic](data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{id_number}", summary="查询求职人员 Get a job seeker",
            description="含技能档案（由职业技能服务的技能等级证书事件生成）。")
async def get_job_seeker(id_number: IdNumber, session: SessionDep, principal: Reader) -> JobSeekerPublic:
    seeker = await service.get_or_404(session=session, id_number=id_number)
    principal.check_county(seeker.county_code)
    return await _one(session, seeker)


@router.patch("/{id_number}", summary="求职信息变更 Update a job seeker",
              description="变更手机号码、所在县（市、区）、学历、毕业年份、求职意向；县域客户端不能把人员移出本县。")
async def update_job_seeker(
    id_number: IdNumber, body: JobSeekerUpdate, session: SessionDep, outbox: OutboxDep, principal: Writer,
) -> JobSeekerPublic:
    seeker = await service.update(session=session, outbox=outbox, principal=principal, id_number=id_number,
                                  data=body)
    return await _one(session, seeker)
