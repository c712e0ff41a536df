"""/v1/startup-subsidies — 重点人群乡村创业一次性补贴."""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.startup.subsidies import service
from employment.startup.subsidies.models import SubsidyApply, SubsidyPublic
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

router = APIRouter(prefix="/v1/startup-subsidies", tags=["start-up subsidies 乡村创业一次性补贴"])


@router.post("", status_code=201,
             summary="乡村创业一次性补贴申请 Apply for (and be granted) the rural start-up subsidy",
             description="经营主体创办日期前一日处于有效认定的重点群体人员（重点群体身份以创办前一日为准），"
                         "在衢州市各县（市、区）登记经营主体创业的，按申请日施行的标准"
                         "（policy/startup_subsidies.toml）一次性发放；每人限享受一次（409 列明已享受的记录；"
                         "重复申领记录留存并发布 hrss.employment.startup_subsidy.refused.v1 供政策监管）。")
async def apply(
    body: SubsidyApply, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> SubsidyPublic:
    row = await service.apply(session=session, outbox=outbox, principal=principal, data=body)
    return SubsidyPublic.model_validate(row)


@router.get("", summary="乡村创业一次性补贴发放名单 List grants")
async def list_grants(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="经营主体统一社会信用代码")] = None,
    dates: DateRange = date_range_param("applied_date 申请日期"),
    sort: str = sort_param(*service.SORTS, default="-applied_date"),
) -> Page[SubsidyPublic]:
    rows, count = await service.list_grants(
        session=session, page=page, county_code=county_filter(principal, county_code), id_number=id_number,
        credit_code=credit_code, dates=dates, sort=sort,
    )
    return page_of(SubsidyPublic, rows, count, page)


@router.get("/{subsidy_id}", summary="查询补贴发放记录 Get a grant")
async def get_grant(subsidy_id: str, session: SessionDep, principal: Reader) -> SubsidyPublic:
    row = await service.get_or_404(session=session, subsidy_id=subsidy_id)
    principal.check_county(row.county_code)
    return SubsidyPublic.model_validate(row)
