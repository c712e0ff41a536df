"""Rules of 培训课程.

- Only an institution that is active and accredited for the course's occupation code on every day from the
  start date to the end date may run the course (409 naming the missing accreditation: the institution, the
  occupation code and the days not covered).
- Seats taken are the enrolled and completed trainees (a withdrawal frees its seat).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import COURSE_PUBLISHED, CoursePublished
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField
from training.courses.models import Course, CourseCreate, CourseKind
from training.enrolments.models import SEAT_STATUSES, Enrolment
from training.institutions import service as institutions
from training.institutions.models import STATUS_NAMES, Institution, InstitutionStatus

SORTS = ("start_date", "end_date", "fee_per_trainee", "created_at")


def _days(periods: Sequence[tuple[date, date]]) -> str:
    return "、".join(f"{first}～{last}" if first != last else str(first) for first, last in periods)


async def publish(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: CourseCreate) -> Course:
    """培训课程发布 by an institution active and accredited for the occupation on every day of the course."""
    principal.check_county(data.county_code)
    await lock_key(session, institutions.lock_name(data.institution_id))
    institution = await session.get(Institution, data.institution_id)
    if institution is None:
        raise InvalidField("institution_id", f"培训机构 {data.institution_id} 不存在 (training institution not found)")
    if institution.status != InstitutionStatus.active:
        name = STATUS_NAMES[InstitutionStatus(institution.status)]
        raise Conflict(f"培训机构“{institution.name}”（{institution.id}）状态为{name}（{institution.status}），"
                       "不能开设课程 (only an active institution may run a course)",
                       field_name="institution_id", institution_id=institution.id, current_status=institution.status)
    missing = await institutions.missing_periods(
        session=session, institution_id=institution.id, occupation_code=data.occupation_code,
        start=data.start_date, end=data.end_date,
    )
    if missing:
        raise Conflict(
            f"培训机构“{institution.name}”（{institution.id}）在 {_days(missing)} 无职业 {data.occupation_code}"
            f"（{data.occupation_name}）的培训资质认定，不能开设 {data.start_date}～{data.end_date} 的课程 "
            f"(institution {institution.id} is not accredited for occupation {data.occupation_code} on "
            f"{', '.join(f'{a}..{b}' for a, b in missing)})",
            field_name="occupation_code", institution_id=institution.id, occupation_code=data.occupation_code,
            missing=[{"from": str(first), "until": str(last)} for first, last in missing],
        )
    course = Course(**data.model_dump(), institution_name=institution.name, credit_code=institution.credit_code)
    session.add(course)
    await session.flush()
    await outbox.add(session, COURSE_PUBLISHED, CoursePublished.model_validate(course, from_attributes=True))
    return course


async def get_or_404(*, session: AsyncSession, course_id: str) -> Course:
    return await fetch_or_404(session, Course, course_id, f"培训课程 {course_id} 不存在 (course not found)")


async def seats_taken(*, session: AsyncSession, course_ids: Sequence[str]) -> dict[str, int]:
    """Enrolled and completed trainees per course."""
    if not course_ids:
        return {}
    rows = await session.exec(
        select(Enrolment.course_id, func.count())
        .where(col(Enrolment.course_id).in_(list(course_ids)), col(Enrolment.status).in_(SEAT_STATUSES))
        .group_by(col(Enrolment.course_id))
    )
    return {course_id: int(n) for course_id, n in rows.all()}


async def list_courses(
    *, session: AsyncSession, page: PageParams, institution_id: str | None, county_code: str | None,
    occupation_code: str | None, kind: CourseKind | None, started: DateRange, sort: str,
) -> tuple[list[Course], int]:
    """Courses filtered by institution, county, occupation, kind and start date range."""
    query = select(Course).where(*equals(
        (Course.institution_id, institution_id), (Course.county_code, county_code),
        (Course.occupation_code, occupation_code), (Course.kind, kind),
    ), *started.clauses(col(Course.start_date)))
    columns = {key: col(getattr(Course, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Course.id))), page)
