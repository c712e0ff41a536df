"""Rules of 公益性岗位 (public-welfare posts) and 安置 (placements).

- A post is developed by a registered, active employer or agency, for a programme period.
- Only members of an eligible key group (policy/public_welfare.toml: 就业困难人员, whose certification includes
  零就业家庭成员; a graduate only when certified 就业困难) on the placement's start date may be placed, within the
  programme period, and only of working age on the start date (employment.working_age).
- The term is cumulative from the person's first placement, on any post: all placements' days together are at most
  the days from the first placement's start to the same day ``max_term_months`` later (36 months).
- Exception: a 就业困难人员 whose first placement started less than ``near_retirement_years`` (5) before the
  statutory retirement age may be placed until the day before it, whatever the cumulative term.
- No placement runs to or past the statutory retirement age: the last agreed day is before it.
- A person holds one post at a time; a post holds no more active placements than its positions.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers import service as employers
from employment.employers.models import EmployerStatus
from employment.job_seekers import service as job_seekers
from employment.key_groups import service as key_groups
from employment.key_groups.models import KEY_GROUP_NAMES, KeyGroup
from employment.public_welfare.models import (
    PlacementCreate,
    PlacementEnd,
    PlacementStatus,
    PostCreate,
    PublicWelfarePlacement,
    PublicWelfarePolicy,
    PublicWelfarePost,
)
from employment.startup.common import POLICY_DIR, add_months
from employment.working_age import describe_retirement_age, retirement_day, working_age_problem
from hrss_contracts.employment import (
    PUBLIC_WELFARE_PLACEMENT_ENDED,
    PUBLIC_WELFARE_PLACEMENT_STARTED,
    PUBLIC_WELFARE_POST_CREATED,
    PublicWelfarePlacementEnded,
    PublicWelfarePlacementStarted,
    PublicWelfarePostCreated,
)
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField, NotFound

POLICY = PolicyTable.load(POLICY_DIR / "public_welfare.toml", PublicWelfarePolicy)
POST_SORTS = ("start_date", "end_date", "monthly_subsidy")
PLACEMENT_SORTS = ("start_date", "end_date")


def policy_on(day: date) -> PublicWelfarePolicy:
    """The placement rules in force on ``day`` (422 naming start_date when none is)."""
    return POLICY.in_force(day, field="start_date", label="公益性岗位")


# ---- posts ----------------------------------------------------------------------------------


async def create_post(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: PostCreate
) -> PublicWelfarePost:
    """公益性岗位开发: the developing employer must be registered and active."""
    principal.check_county(data.county_code)
    employer = await employers.get_by_credit_code(session=session, credit_code=data.credit_code)
    if employer is None or employer.status != EmployerStatus.active:
        raise InvalidField("credit_code", "开发单位未登记或已注销 (employer or agency not registered, or inactive)")
    post = PublicWelfarePost(**data.model_dump(), employer_name=employer.name)
    session.add(post)
    await session.flush()
    await outbox.add(
        session, PUBLIC_WELFARE_POST_CREATED, PublicWelfarePostCreated.model_validate(post, from_attributes=True)
    )
    return post


async def get_post_or_404(*, session: AsyncSession, post_id: str) -> PublicWelfarePost:
    return await fetch_or_404(
        session, PublicWelfarePost, post_id, f"公益性岗位 {post_id} 不存在 (public-welfare post not found)"
    )


async def occupied(*, session: AsyncSession, post_ids: list[str]) -> dict[str, int]:
    """Active placements per post."""
    if not post_ids:
        return {}
    rows = await session.exec(
        select(PublicWelfarePlacement.post_id, func.count())
        .where(col(PublicWelfarePlacement.post_id).in_(post_ids),
               PublicWelfarePlacement.status == PlacementStatus.active)
        .group_by(col(PublicWelfarePlacement.post_id))
    )
    return {post_id: int(n) for post_id, n in rows.all()}


async def list_posts(
    *, session: AsyncSession, page: PageParams, county_code: str | None, credit_code: str | None,
    dates: DateRange, active_on: date | None, sort: str,
) -> tuple[list[PublicWelfarePost], int]:
    """Posts filtered by county, developing employer, start date range and programme day."""
    query = select(PublicWelfarePost).where(*dates.clauses(col(PublicWelfarePost.start_date)))
    query = query.where(*equals(
        (PublicWelfarePost.county_code, county_code),
        (PublicWelfarePost.credit_code, credit_code),
    ))
    if active_on:
        query = query.where(col(PublicWelfarePost.start_date) <= active_on,
                            col(PublicWelfarePost.end_date) >= active_on)
    columns = {key: col(getattr(PublicWelfarePost, key)) for key in POST_SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(PublicWelfarePost.id))), page)


# ---- placements -----------------------------------------------------------------------------


def _check_term(post: PublicWelfarePost, data: PlacementCreate, rules: PublicWelfarePolicy) -> None:
    if not post.start_date <= data.start_date <= post.end_date:
        raise InvalidField("start_date", f"安置日期不在岗位开发期 {post.start_date}～{post.end_date} 内 "
                                         "(start date outside the post's programme period)")
    if data.end_date > post.end_date:
        raise InvalidField("end_date", f"协议期满日期晚于岗位开发期终止日期 {post.end_date} "
                                       "(the term runs past the post's programme period)")


async def _eligible_groups(
    *, session: AsyncSession, id_number: str, on: date, rules: PublicWelfarePolicy
) -> list[KeyGroup]:
    groups = await key_groups.groups_on(session=session, id_number=id_number, on=on)
    eligible = [g for g in rules.eligible_groups if g in groups]
    if not eligible:
        names = "、".join(KEY_GROUP_NAMES[g] for g in rules.eligible_groups)
        raise InvalidField("id_number", f"该人员在 {on} 不属于可安置的重点群体（{names}）"
                                        f"(not a member of an eligible key group on the start date)")
    return eligible


def _days(first: date, last: date) -> int:
    return (last - first).days + 1


def _check_retirement_and_term(
    *, earlier: list[PublicWelfarePlacement], data: PlacementCreate, rules: PublicWelfarePolicy,
    groups: list[KeyGroup],
) -> None:
    """The cumulative term from the first placement, the exception near retirement, and no term past retirement."""
    retires = retirement_day(data.id_number, data.female_original_age)
    limit = describe_retirement_age(data.id_number, data.female_original_age)
    if data.end_date >= retires:
        raise InvalidField("end_date", f"该人员于 {retires} 达到法定退休年龄 {limit}，协议期满日期不得晚于 "
                                       f"{retires - timedelta(days=1)} (the term reaches the statutory retirement "
                                       f"age on {retires})")
    first = min([p.start_date for p in earlier] + [data.start_date])
    near_from = add_months(retires, -12 * rules.near_retirement_years)
    if first > near_from and KeyGroup.hard_to_employ in groups:
        return  # 距法定退休年龄不足5年的就业困难人员: until retirement age
    allowance = (add_months(first, rules.max_term_months) - first).days
    used = sum(_days(p.start_date, p.ended_date or p.end_date) for p in earlier)
    if used + _days(data.start_date, data.end_date) > allowance:
        left = allowance - used
        latest = (f"协议期满日期不得晚于 {data.start_date + timedelta(days=left - 1)}" if left > 0
                  else "已累计安置满期限，不能再安置")
        raise InvalidField("end_date", f"公益性岗位安置期限自首次安置（{first}）起累计最长 {rules.max_term_months} "
                                       f"个月（{allowance} 天），已安置 {used} 天，{latest} (cumulative term over "
                                       f"{rules.max_term_months} months from the first placement; {rules.source})")


async def _placements_of(*, session: AsyncSession, id_number: str) -> list[PublicWelfarePlacement]:
    return list((await session.exec(
        select(PublicWelfarePlacement).where(PublicWelfarePlacement.id_number == id_number)
        .order_by(col(PublicWelfarePlacement.start_date))
    )).all())


async def _check_free(
    *, session: AsyncSession, post: PublicWelfarePost, data: PlacementCreate, mine: list[PublicWelfarePlacement]
) -> None:
    """One post at a time per person, no overlap with an earlier placement, and a free position."""
    for current in mine:
        if current.status == PlacementStatus.active:
            raise Conflict(f"该人员已在公益性岗位 {current.post_id} 在岗（安置 {current.id}，"
                           f"自 {current.start_date}），须先办理退出 "
                           "(already placed on a post; end that placement first)",
                           field_name="id_number", existing_id=current.id, post_id=current.post_id)
        if current.ended_date is not None and current.start_date <= data.end_date \
                and current.ended_date >= data.start_date:
            raise Conflict(f"与该人员 {current.start_date}～{current.ended_date} 的安置 {current.id} 时间重叠 "
                           "(overlaps an earlier placement)", field_name="start_date", existing_id=current.id)
    taken = (await occupied(session=session, post_ids=[post.id])).get(post.id, 0)
    if taken >= post.positions:
        raise Conflict(f"岗位已满：{post.positions} 个岗位均已安置 (all {post.positions} positions are filled)",
                       field_name="post_id", positions=post.positions, occupied_positions=taken)


async def place(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, post_id: str, data: PlacementCreate
) -> PublicWelfarePlacement:
    """公益性岗位安置 of an eligible key-group member."""
    post = await get_post_or_404(session=session, post_id=post_id)
    principal.check_county(post.county_code)
    rules = policy_on(data.start_date)
    _check_term(post, data, rules)
    problem = working_age_problem(data.id_number, data.start_date, "id_number",
                                  female_original_age=data.female_original_age)
    if problem is not None:
        raise problem
    seeker = await job_seekers.get_by_id_number(session=session, id_number=data.id_number)
    if seeker is None:
        raise InvalidField("id_number", "该人员未办理求职登记，无重点群体认定 (not a registered job seeker)")
    groups = await _eligible_groups(session=session, id_number=data.id_number, on=data.start_date, rules=rules)
    await lock_key(session, data.id_number)
    await lock_key(session, f"public_welfare_post:{post.id}")
    mine = await _placements_of(session=session, id_number=data.id_number)
    await _check_free(session=session, post=post, data=data, mine=mine)
    _check_retirement_and_term(earlier=mine, data=data, rules=rules, groups=groups)
    placement = PublicWelfarePlacement(
        post_id=post.id, id_number=data.id_number, name=seeker.name, credit_code=post.credit_code,
        county_code=post.county_code, groups=[str(g) for g in groups], start_date=data.start_date,
        end_date=data.end_date,
    )
    session.add(placement)
    await flush_or_conflict(
        session, Conflict("该人员已在公益性岗位在岗 (already placed on a post)", field_name="id_number")
    )
    await outbox.add(session, PUBLIC_WELFARE_PLACEMENT_STARTED, PublicWelfarePlacementStarted(
        **placement.model_dump(exclude={"status", "ended_date", "end_reason", "created_at"}),
        monthly_subsidy=post.monthly_subsidy, policy_source=rules.source))
    return placement


async def get_placement_or_404(*, session: AsyncSession, post_id: str, placement_id: str) -> PublicWelfarePlacement:
    placement = await session.get(PublicWelfarePlacement, placement_id)
    if placement is None or placement.post_id != post_id:
        raise NotFound(f"安置记录 {placement_id} 不存在 (placement not found on this post)")
    return placement


async def end_placement(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, post_id: str, placement_id: str,
    data: PlacementEnd,
) -> PublicWelfarePlacement:
    """公益性岗位退出: on or before the end of the agreed term."""
    placement = await get_placement_or_404(session=session, post_id=post_id, placement_id=placement_id)
    principal.check_county(placement.county_code)
    if placement.status != PlacementStatus.active:
        raise Conflict(f"安置已于 {placement.ended_date} 退出 (placement already ended; status {placement.status})",
                       field_name="status", current_status=placement.status)
    if data.ended_date < placement.start_date:
        raise InvalidField("ended_date", f"退出日期早于安置日期 {placement.start_date} (before the start date)")
    if data.ended_date > placement.end_date:
        raise InvalidField("ended_date", f"退出日期晚于协议期满日期 {placement.end_date} (after the agreed term)")
    placement.status = PlacementStatus.ended
    placement.ended_date = data.ended_date
    placement.end_reason = data.reason
    session.add(placement)
    await outbox.add(session, PUBLIC_WELFARE_PLACEMENT_ENDED, PublicWelfarePlacementEnded(
        id=placement.id, post_id=placement.post_id, id_number=placement.id_number,
        credit_code=placement.credit_code, county_code=placement.county_code,
        ended_date=data.ended_date, reason=data.reason))
    return placement


async def list_placements(
    *, session: AsyncSession, page: PageParams, post_id: str, status: PlacementStatus | None, dates: DateRange,
    sort: str,
) -> tuple[list[PublicWelfarePlacement], int]:
    """Placements on one post, filtered by status and start date range."""
    query = select(PublicWelfarePlacement).where(PublicWelfarePlacement.post_id == post_id,
                                                 *dates.clauses(col(PublicWelfarePlacement.start_date)))
    if status:
        query = query.where(PublicWelfarePlacement.status == status)
    columns = {key: col(getattr(PublicWelfarePlacement, key)) for key in PLACEMENT_SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(PublicWelfarePlacement.id))), page)
