"""/v1/master-studios 技能大师工作室 and /v1/training-bases 培训基地."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, PageParams
from hrss_shared.validators import CountyCode, CreditCode
from training.common import OccupationCode
from training.deps import Reader, Writer, county_filter
from training.platforms import service
from training.platforms.models import (
    BaseKind,
    MasterStudioCreate,
    Platform,
    PlatformLevel,
    PlatformPublic,
    PlatformStatus,
    PlatformType,
    Revocation,
    TrainingBaseCreate,
)

studios = APIRouter(prefix="/v1/master-studios", tags=["master studios 技能大师工作室"])
bases = APIRouter(prefix="/v1/training-bases", tags=["training bases 培训基地"])

LevelQuery = Annotated[PlatformLevel | None, Query(description="national 国家级 / provincial 省级 / city 市级")]
StatusQuery = Annotated[PlatformStatus | None, Query(description="active 有效 / revoked 已撤销")]
CountyQuery = Annotated[CountyCode | None, Query(description="所在县（市、区）代码")]
CreditQuery = Annotated[CreditCode | None, Query(description="依托单位统一社会信用代码")]
OccupationQuery = Annotated[OccupationCode | None, Query(description="职业编码")]


def _page(rows: Sequence[Platform], count: int, page: PageParams) -> Page[PlatformPublic]:
    return Page[PlatformPublic](data=[PlatformPublic.model_validate(r) for r in rows], count=count, limit=page.limit,
                                offset=page.offset)


@studios.post("", status_code=201, summary="技能大师工作室认定 Recognise a master studio",
              description="级别 national 国家级 / provincial 省级 / city 市级；领办技能大师同一时间只领办一个有效的"
                          "工作室（409 指明已有的）；认定日期不晚于今天。"
                          "发布 hrss.training.master_studio.recognised.v1。")
async def recognise_studio(
    body: MasterStudioCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> PlatformPublic:
    return PlatformPublic.model_validate(
        await service.recognise(session=session, outbox=outbox, principal=principal, data=body))


@studios.get("", summary="技能大师工作室列表 List master studios",
             description="按县（市、区）、依托单位、级别、状态、职业编码和认定日期区间筛选，可排序。")
async def list_studios(
    session: SessionDep, principal: Reader, page: PageDep, county_code: CountyQuery = None,
    credit_code: CreditQuery = None, level: LevelQuery = None, status: StatusQuery = None,
    occupation_code: OccupationQuery = None,
    recognised: DateRange = date_range_param("recognised_date 认定日期"),
    sort: str = sort_param(*service.SORTS, default="-recognised_date"),
) -> Page[PlatformPublic]:
    rows, count = await service.list_platforms(
        session=session, page=page, platform_type=PlatformType.master_studio,
        county_code=county_filter(principal, county_code), credit_code=credit_code, level=level, kind=None,
        status=status, occupation_code=occupation_code, recognised=recognised, sort=sort)
    return _page(rows, count, page)


@studios.get("/{platform_id}", summary="查询技能大师工作室 Get a master studio")
async def get_studio(platform_id: str, session: SessionDep, principal: Reader) -> PlatformPublic:
    platform = await service.get_or_404(session=session, platform_type=PlatformType.master_studio,
                                        platform_id=platform_id)
    principal.check_county(platform.county_code)
    return PlatformPublic.model_validate(platform)


@studios.post("/{platform_id}/revoke", summary="撤销技能大师工作室 Revoke a master studio",
              description="撤销有效的工作室（原因、撤销日期不早于认定日期且不晚于今天）；已撤销的为 409。"
                          "发布 hrss.training.master_studio.revoked.v1。")
async def revoke_studio(
    platform_id: str, body: Revocation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> PlatformPublic:
    return PlatformPublic.model_validate(await service.revoke(
        session=session, outbox=outbox, principal=principal, platform_type=PlatformType.master_studio,
        platform_id=platform_id, data=body))


@bases.post("", status_code=201, summary="培训基地认定 Recognise a training base",
            description="类型 enterprise_high_skill_demo 企业高技能人才培训示范基地 / public_training 公共实训基地；"
                        "级别 national / provincial / city；同一单位同一类型同一时间只有一个有效基地"
                        "（409 指明已有的）；"
                        "认定日期不晚于今天。发布 hrss.training.training_base.recognised.v1。")
async def recognise_base(
    body: TrainingBaseCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> PlatformPublic:
    return PlatformPublic.model_validate(
        await service.recognise(session=session, outbox=outbox, principal=principal, data=body))


@bases.get("", summary="培训基地列表 List training bases",
           description="按县（市、区）、运营单位、类型、级别、状态、职业编码和认定日期区间筛选，可排序。")
async def list_bases(
    session: SessionDep, principal: Reader, page: PageDep, county_code: CountyQuery = None,
    credit_code: CreditQuery = None, level: LevelQuery = None,
    kind: Annotated[BaseKind | None, Query(description="enterprise_high_skill_demo / public_training")] = None,
    status: StatusQuery = None, occupation_code: OccupationQuery = None,
    recognised: DateRange = date_range_param("recognised_date 认定日期"),
    sort: str = sort_param(*service.SORTS, default="-recognised_date"),
) -> Page[PlatformPublic]:
    rows, count = await service.list_platforms(
        session=session, page=page, platform_type=PlatformType.training_base,
        county_code=county_filter(principal, county_code), credit_code=credit_code, level=level, kind=kind,
        status=status, occupation_code=occupation_code, recognised=recognised, sort=sort)
    return _page(rows, count, page)


@bases.get("/{platform_id}", summary="查询培训基地 Get a training base")
async def get_base(platform_id: str, session: SessionDep, principal: Reader) -> PlatformPublic:
    platform = await service.get_or_404(session=session, platform_type=PlatformType.training_base,
                                        platform_id=platform_id)
    principal.check_county(platform.county_code)
    return PlatformPublic.model_validate(platform)


@bases.post("/{platform_id}/revoke", summary="撤销培训基地 Revoke a training base",
            description="撤销有效的基地（原因、撤销日期不早于认定日期且不晚于今天）；已撤销的为 409。"
                        "发布 hrss.training.training_base.revoked.v1。")
async def revoke_base(
    platform_id: str, body: Revocation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> PlatformPublic:
    return PlatformPublic.model_validate(await service.revoke(
        session=session, outbox=outbox, principal=principal, platform_type=PlatformType.training_base,
        platform_id=platform_id, data=body))
