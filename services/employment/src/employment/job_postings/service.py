"""Job-posting rules: published by a registered, active employer; closed once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers import service as employers
from employment.employers.models import EmployerStatus
from employment.job_postings.models import JobPosting, JobPostingClose, JobPostingCreate, PostingStatus
from hrss_contracts.employment import (
    JOB_POSTING_CLOSED,
    JOB_POSTING_PUBLISHED,
    JobPostingClosed,
    JobPostingPublished,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField

SORT_KEYS: dict[str, Any] = {
    "closing_date": col(JobPosting.closing_date),
    "published_date": col(JobPosting.published_date),
    "max_monthly_wage": col(JobPosting.max_monthly_wage),
    "min_monthly_wage": col(JobPosting.min_monthly_wage),
}
DEFAULT_SORT = "-published_date"


async def get_or_404(*, session: AsyncSession, posting_id: str) -> JobPosting:
    """The posting with this id, or 404."""
    return await fetch_or_404(session, JobPosting, posting_id, f"岗位 {posting_id} 不存在 (job posting not found)")


async def create(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: JobPostingCreate) -> JobPosting:
    """岗位发布 by a registered, active employer, closing today or later."""
    principal.check_county(data.county_code)
    employer = await employers.get_by_credit_code(session=session, credit_code=data.credit_code)
    if employer is None or employer.status != EmployerStatus.active:
        raise InvalidField("credit_code", "用人单位未登记或已注销 (employer not registered or inactive)")
    day = clock.today()
    if data.closing_date < day:
        raise InvalidField("closing_date", f"截止日期早于今天 {day} (closing date is in the past)")
    posting = JobPosting(**data.model_dump(), employer_name=employer.name, published_date=day)
    session.add(posting)
    await session.flush()
    await outbox.add(session, JOB_POSTING_PUBLISHED, JobPostingPublished.model_validate(posting, from_attributes=True))
    return posting


async def close(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, posting_id: str, data: JobPostingClose
) -> JobPosting:
    """岗位关闭: an open posting becomes closed or filled, once."""
    posting = await get_or_404(session=session, posting_id=posting_id)
    principal.check_county(posting.county_code)
    if posting.status != PostingStatus.open:
        raise Conflict(
            f"岗位已于 {posting.closed_date} 关闭，状态 {posting.status} (posting already {posting.status})",
            field_name="status", posting_status=posting.status, closed_date=str(posting.closed_date),
        )
    day = clock.today()
    # Conditional update: of two concurrent closes exactly one changes the row and publishes.
    result = await session.execute(
        update(JobPosting)
        .where(col(JobPosting.id) == posting_id, col(JobPosting.status) == PostingStatus.open)
        .values(status=data.status.value, closed_date=day, close_reason=data.reason)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("岗位已被关闭 (posting was closed concurrently)", field_name="status")
    await outbox.add(session, JOB_POSTING_CLOSED, JobPostingClosed(
        id=posting.id, credit_code=posting.credit_code, county_code=posting.county_code,
        status=data.status.value, closed_date=day, reason=data.reason,
    ))
    await session.refresh(posting)
    return posting



async def list_postings(
    *, session: AsyncSession, page: PageParams, county_code: str | None = None, credit_code: str | None = None,
    occupation: str | None = None, status: PostingStatus | None = None, closing: DateRange | None = None,
    sort: str = DEFAULT_SORT,
) -> tuple[list[JobPosting], int]:
    """Postings filtered by county, employer, occupation, status and closing-date range."""
    ordering = order_by(sort, SORT_KEYS, col(JobPosting.id))
    query = select(JobPosting)
    query = query.where(*equals(
        (JobPosting.county_code, county_code),
        (JobPosting.credit_code, credit_code),
        (JobPosting.occupation, occupation),
        (JobPosting.status, status),
    ))
    if closing:
        query = query.where(*closing.clauses(col(JobPosting.closing_date)))
    return await fetch_page(session, query.order_by(*ordering), page)
