"""/v1/courses — training courses 培训课程."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode
from training.common import OccupationCode
from training.courses import service
from training.courses.models import Course, CourseCreate, CourseKind, CoursePublic
from training.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/courses", tags=["courses 培训课程"])


def _public(course: Course, taken: int) -> CoursePublic:
    return CoursePublic(**course.model_dump(), enrolled=taken, seats_left=max(course.capacity - taken, 0))


@router.post("", status_code=201, summary="培训课程发布 Publish a course",
             description="培训机构须为正常状态，且在开班日期至结业日期的每一天都具有该职业（国家职业分类大典编码）的"
                         "培训资质认定，否则为 409 并指明缺少的资质（机构、职业编码、日期）。培训类型："
                         "employment_skills 就业技能培训 / on_the_job_upgrade 岗位技能提升培训 / "
                         "entrepreneurship 创业培训 / apprenticeship 企业新型学徒制；除创业培训外须填写目标等级 1-5。"
                         "每人培训费以字符串传送（元，精确到分）。"
                         "发布 hrss.training.course.published.v1。")
async def publish_course(body: CourseCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> CoursePublic:
    course = await service.publish(session=session, outbox=outbox, principal=principal, data=body)
    return _public(course, 0)


@router.get("", summary="培训课程列表 List courses",
            description="按培训机构、县（市、区）、职业编码、培训类型和开班日期区间筛选，可排序。")
async def list_courses(
    session: SessionDep, principal: Reader, page: PageDep,
    institution_id: Annotated[str | None, Query(max_length=36, description="培训机构 id")] = None,
    county_code: Annotated[CountyCode | None, Query(description="培训地县（市、区）代码")] = None,
    occupation_code: Annotated[OccupationCode | None, Query(description="职业编码，如 6-29-03-01")] = None,
    kind: Annotated[CourseKind | None, Query(description="培训类型")] = None,
    started: DateRange = date_range_param("start_date 开班日期"),
    sort: str = sort_param(*service.SORTS, default="-start_date"),
) -> Page[CoursePublic]:
    rows, count = await service.list_courses(
        session=session, page=page, institution_id=institution_id, county_code=county_filter(principal, county_code),
        occupation_code=occupation_code, kind=kind, started=started, sort=sort,
    )
    taken = await service.seats_taken(session=session, course_ids=[r.id for r in rows])
    data = [_public(r, taken.get(r.id, 0)) for r in rows]
    return Page[CoursePublic](data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{course_id}", summary="查询培训课程 Get a course")
async def get_course(course_id: str, session: SessionDep, principal: Reader) -> CoursePublic:
    course = await service.get_or_404(session=session, course_id=course_id)
    principal.check_county(course.county_code)
    taken = await service.seats_taken(session=session, course_ids=[course.id])
    return _public(course, taken.get(course.id, 0))
