"""/v1/job-seekers"""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.job_seekers import service
from employment.job_seekers.models import JobSeekerCreate, JobSeekerPublic
from hrss_shared.app import OutboxDep, PresenterDep, SessionDep
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber

router = APIRouter(prefix="/v1/job-seekers", tags=["job seekers 求职登记"])


def _public(seeker: Any) -> dict[str, Any]:
    return JobSeekerPublic.model_validate(seeker, from_attributes=True).model_dump(mode="json")


@router.post("", status_code=201, response_model=JobSeekerPublic, summary="求职登记 Register a job seeker")
async def create_job_seeker(
    body: JobSeekerCreate, session: SessionDep, outbox: OutboxDep, principal: Writer, present: PresenterDep
) -> Any:
    principal.check_county(body.county_code)
    seeker = await service.create(session=session, outbox=outbox, data=body)
    return await present(_public(seeker), principal=principal, session=session, subjects=[seeker.id_number])


@router.get("", response_model=Page[JobSeekerPublic], summary="求职人员列表 List job seekers")
async def list_job_seekers(
    session: SessionDep, principal: Reader, page: PageDep, present: PresenterDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
) -> Any:
    rows, count = await service.list_job_seekers(
        session=session, page=page, county_code=county_filter(principal, county_code)
    )
    data = [_public(r) for r in rows]
    body = {"data": data, "count": count, "limit": page.limit, "offset": page.offset}
    return await present(body, principal=principal, session=session, subjects=[r.id_number for r in rows])


@router.get("/{id_number}", response_model=JobSeekerPublic, summary="查询求职人员 Get a job seeker")
async def get_job_seeker(id_number: IdNumber, session: SessionDep, principal: Reader, present: PresenterDep) -> Any:
    seeker = await service.get_or_404(session=session, id_number=id_number)
    principal.check_county(seeker.county_code)
    return await present(_public(seeker), principal=principal, session=session, subjects=[id_number])
