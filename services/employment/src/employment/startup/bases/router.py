"""/v1/startup-bases — 创业孵化基地 and 返乡入乡创业基地."""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.startup.bases import service
from employment.startup.bases.models import (
    BASE_KIND_NAMES,
    BaseKind,
    BaseLevel,
    BaseStatus,
    StartupBase,
    StartupBaseCreate,
    StartupBasePublic,
    StartupBaseRevoke,
)
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode

router = APIRouter(prefix="/v1/startup-bases", tags=["start-up bases 创业孵化基地、返乡入乡创业基地"])


def _public(base: StartupBase) -> StartupBasePublic:
    return StartupBasePublic(**base.model_dump(), kind_name=BASE_KIND_NAMES[BaseKind(base.kind)])


@router.post("", status_code=201, summary="创业基地认定 Recognise a start-up base",
             description="认定创业孵化基地（incubation）或返乡入乡创业基地（return_home）。同县同类同名的已认定基地只有一个。")
async def recognise(
    body: StartupBaseCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> StartupBasePublic:
    return _public(await service.recognise(session=session, outbox=outbox, principal=principal, data=body))


@router.get("", summary="创业基地列表 List start-up bases",
            description="按类型、县（市、区）、状态、级别、运营主体和认定日期筛选；"
                        "kind=return_home&status=recognised 的 count 即“30家返乡入乡创业基地”指标的实际数。")
async def list_bases(
    session: SessionDep, principal: Reader, page: PageDep,
    kind: Annotated[BaseKind | None, Query(description="incubation 创业孵化基地 / return_home 返乡入乡基地")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[BaseStatus | None, Query(description="recognised 已认定 / revoked 已撤销")] = None,
    level: Annotated[BaseLevel | None, Query(description="认定级别")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="运营主体统一社会信用代码")] = None,
    dates: DateRange = date_range_param("recognised_date 认定日期"),
    sort: str = sort_param(*service.SORTS, default="-recognised_date"),
) -> Page[StartupBasePublic]:
    rows, count = await service.list_bases(
        session=session, page=page, kind=kind, county_code=county_filter(principal, county_code), status=status,
        level=level, credit_code=credit_code, dates=dates, sort=sort,
    )
    return Page[StartupBasePublic](data=[_public(r) for r in rows], count=count, limit=page.limit,
                                   offset=page.offset)


@router.get("/{base_id}", summary="查询创业基地 Get a start-up base")
async def get_base(base_id: str, session: SessionDep, principal: Reader) -> StartupBasePublic:
    base = await service.get_or_404(session=session, base_id=base_id)
    principal.check_county(base.county_code)
    return _public(base)


@router.post("/{base_id}/revoke", summary="撤销基地认定 Revoke a start-up base")
async def revoke(
    base_id: str, body: StartupBaseRevoke, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> StartupBasePublic:
    base = await service.revoke(session=session, outbox=outbox, principal=principal, base_id=base_id, data=body)
    return _public(base)
