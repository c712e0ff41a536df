"""/v1/job-postings — 岗位发布与人岗匹配; and /v1/job-seekers/{id_number}/matches (推荐岗位).

One router without a prefix, so both paths are served by the ``router`` main.py already includes.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Query

from employment.deps import Reader, Writer, county_filter
from employment.job_postings import matching, service
from employment.job_postings.models import (
    JobPostingClose,
    JobPostingCreate,
    JobPostingPublic,
    PostingMatches,
    PostingStatus,
    SeekerMatches,
)
from employment.job_seekers import service as job_seekers
from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.text import short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

POSTINGS = "/v1/job-postings"
router = APIRouter(tags=["job postings 岗位发布与匹配"])

Limit = Annotated[int, Query(ge=1, le=200, description="返回条数 how many matches to return")]


@router.post(POSTINGS, status_code=201, summary="岗位发布 Publish a job posting",
             description="用人单位（已登记且有效）发布招聘岗位；截止日期不得早于今天。Publishes "
                         "hrss.employment.job_posting.published.v1.")
async def publish(
    body: JobPostingCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> JobPostingPublic:
    return JobPostingPublic.model_validate(
        await service.create(session=session, outbox=outbox, principal=principal, data=body)
    )


@router.get(POSTINGS, summary="岗位列表 List job postings")
async def list_postings(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="工作地县（市、区）代码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="用人单位统一社会信用代码")] = None,
    occupation: Annotated[Annotated[str, short_text(100)] | None, Query(description="工种/职业")] = None,
    status: Annotated[PostingStatus | None, Query(description="open 招聘中 / closed 已关闭 / filled 已招满")] = None,
    closing: DateRange = date_range_param("closing_date 截止日期"),
    sort: str = sort_param(*service.SORT_KEYS, default=service.DEFAULT_SORT),
) -> Page[JobPostingPublic]:
    rows, count = await service.list_postings(
        session=session, page=page, county_code=county_filter(principal, county_code), credit_code=credit_code,
        occupation=occupation, status=status, closing=closing, sort=sort,
    )
    return page_of(JobPostingPublic, rows, count, page)


@router.get(POSTINGS + "/{posting_id}", summary="查询岗位 Get a job posting")
async def get_posting(posting_id: str, session: SessionDep, principal: Reader) -> JobPostingPublic:
    posting = await service.get_or_404(session=session, posting_id=posting_id)
    principal.check_county(posting.county_code)
    return JobPostingPublic.model_validate(posting)


@router.post(POSTINGS + "/{posting_id}/close", summary="岗位关闭 Close a job posting (closed 关闭 or filled 已招满)",
             description="Only an open posting can be closed (409 otherwise). Publishes "
                         "hrss.employment.job_posting.closed.v1.")
async def close_posting(
    posting_id: str, session: SessionDep, outbox: OutboxDep, principal: Writer,
    body: Annotated[JobPostingClose | None, Body()] = None,
) -> JobPostingPublic:
    posting = await service.close(
        session=session, outbox=outbox, principal=principal, posting_id=posting_id, data=body or JobPostingClose()
    )
    return JobPostingPublic.model_validate(posting)


@router.get(POSTINGS + "/{posting_id}/matches", summary="人岗匹配：推荐求职人员 Job seekers matching an open posting",
            description="按工种（求职意向或技能证书）、技能等级、同县、重点群体（就业困难人员等）优先排序，"
                        "已有有效就业登记的人员除外；权重见 policy/matching.toml。")
async def match_seekers(
    posting_id: str, session: SessionDep, principal: Reader, limit: Limit = 20
) -> SeekerMatches:
    posting = await service.get_or_404(session=session, posting_id=posting_id)
    principal.check_county(posting.county_code)
    return await matching.match_seekers(
        session=session, posting=posting, on=clock.today(), limit=limit, county_code=county_filter(principal, None)
    )


@router.get("/v1/job-seekers/{id_number}/matches", summary="人岗匹配：推荐岗位 Open postings matching a job seeker",
            description="招聘中且未过截止日期的岗位，按与求职人员的匹配度排序（同一套权重）。")
async def match_postings(
    id_number: IdNumber, session: SessionDep, principal: Reader, limit: Limit = 20
) -> PostingMatches:
    seeker = await job_seekers.get_or_404(session=session, id_number=id_number)
    principal.check_county(seeker.county_code)
    return await matching.match_postings(
        session=session, seeker=seeker, on=clock.today(), limit=limit, county_code=county_filter(principal, None)
    )
