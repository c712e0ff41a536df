"""/v1/job-seekers/{id_number}/key-groups and /v1/key-groups/{group} — 重点群体实名制."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import exists, func
from sqlmodel import col, select

from employment.deps import Reader, Writer, county_filter
from employment.job_seekers.models import JobSeeker
from employment.key_groups import service
from employment.key_groups.models import (
    KEY_GROUP_NAMES,
    KeyGroup,
    KeyGroupMembership,
    MembershipCreate,
    MembershipEnd,
    MembershipPublic,
)
from employment.registrations.models import EmploymentRegistration, EmploymentStatus, UnemploymentRegistration
from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.paging import Page, PageDep
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.validators import CountyCode, IdNumber

person_router = APIRouter(prefix="/v1/job-seekers/{id_number}/key-groups", tags=["key groups 重点群体实名制"])
group_router = APIRouter(prefix="/v1/key-groups", tags=["key groups 重点群体实名制"])


def _public(row: KeyGroupMembership) -> MembershipPublic:
    extra: dict[str, object] = {}
    if row.category is not None:
        rules = service.hard_to_employ_policy(row.start_date)
        category = rules.category(row.category)
        extra = {"category_name": category.name if category else None, "policy_source": rules.source,
                 "illustrative": rules.illustrative}
    return MembershipPublic(
        **row.model_dump(exclude={"county_code"}), group_name=KEY_GROUP_NAMES[KeyGroup(row.group)], **extra
    )


@person_router.post(
    "", status_code=201, summary="重点群体认定 Add a membership",
    description="就业困难人员（hard_to_employ）认定：须填写 policy/hard_to_employ.toml 中施行的类别（category）"
                "及证明材料（evidence），本人在法定劳动年龄内并在衢州市有未注销的失业登记（登记日期不晚于认定起始日期）；大龄失业人员"
                "另须达到年龄、连续登记失业满规定月数。认定随该失业登记注销（含就业登记后自动注销）而终止（终止日为注销日期），"
                "每日任务记录终止并发布 key_group.ended。其他重点群体不填类别和证明材料。类别的政策依据未确认时，"
                "answer 的 illustrative 为 true。",
)
async def add_membership(
    id_number: IdNumber, body: MembershipCreate, session: SessionDep, outbox: OutboxDep, principal: Writer,
) -> MembershipPublic:
    row = await service.add(session=session, outbox=outbox, principal=principal, id_number=id_number, data=body)
    return _public(row)


@person_router.get("", summary="个人重点群体认定 A person's memberships")
async def list_memberships(id_number: IdNumber, session: SessionDep, principal: Reader) -> list[MembershipPublic]:
    rows = await service.list_for_person(session=session, id_number=id_number)
    for row in rows:
        principal.check_county(row.county_code)
    return [_public(r) for r in rows]


@person_router.post("/{membership_id}/end", summary="终止认定 End a membership")
async def end_membership(
    id_number: IdNumber, membership_id: str, body: MembershipEnd, session: SessionDep, outbox: OutboxDep,
    principal: Writer,
) -> MembershipPublic:
    row = await service.end(session=session, outbox=outbox, principal=principal, id_number=id_number,
                            membership_id=membership_id, data=body)
    return _public(row)


class GroupMember(BaseModel):
    id_number: PersonIdNumber
    name: str | None
    county_code: str
    group: KeyGroup
    start_date: date
    end_date: date | None
    employment_status: str


@group_router.get("/{group}", summary="重点群体名单及就业状态 Members of a key group with their employment status")
async def list_group(
    group: KeyGroup, session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    on: Annotated[date | None, Query(description="认定有效日期 (default today)")] = None,
    employment_status: Annotated[str | None, Query(pattern="^(employed|not_employed)$")] = None,
) -> Page[GroupMember]:
    day = on or clock.today()
    employed = exists().where(
        col(EmploymentRegistration.id_number) == col(KeyGroupMembership.id_number),
        col(EmploymentRegistration.status) == EmploymentStatus.active,
    )
    query = (
        select(KeyGroupMembership, JobSeeker.name, employed.label("employed"))
        .join(JobSeeker, col(JobSeeker.id_number) == col(KeyGroupMembership.id_number), isouter=True)
        .join(UnemploymentRegistration, service.registration_join(), isouter=True)  # type: ignore[arg-type]
        .where(KeyGroupMembership.group == group, *service.in_force_on(day))  # type: ignore[arg-type]
    )
    county = county_filter(principal, county_code)
    if county:
        query = query.where(KeyGroupMembership.county_code == county)
    if employment_status == "employed":
        query = query.where(employed)
    elif employment_status == "not_employed":
        query = query.where(~employed)
    count = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (await session.exec(
        query.order_by(col(KeyGroupMembership.county_code), col(KeyGroupMembership.id_number))
        .limit(page.limit).offset(page.offset))).all()
    data = [
        GroupMember(id_number=m.id_number, name=name, county_code=m.county_code, group=KeyGroup(m.group),
                    start_date=m.start_date, end_date=m.end_date,
                    employment_status="employed" if is_employed else "not_employed")
        for m, name, is_employed in rows
    ]
    return Page[GroupMember](data=data, count=count, limit=page.limit, offset=page.offset)
