"""/v1/startup-subsidies — 重点人群乡村创业一次性补贴."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.startup.subsidies import service
from employment.startup.subsidies.models import SubsidyApply, SubsidyPublic
from hrss_shared.app import OutboxDep, PresenterDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

router = APIRouter(prefix="/v1/startup-subsidies", tags=["start-up subsidies 乡村创业一次性补贴"])


def _public(row: Any) -> dict[str, Any]:
    return SubsidyPublic.model_validate(row, from_attributes=True).model_dump(mode="json")


@router.post("", status_code=201, response_model=SubsidyPublic,
             summary="乡村创业一次性补贴申请 Apply for (and be granted) the rural start-up subsidy",
             description="申请日处于有效认定的重点群体人员，在衢州市各县（市、区）登记经营主体创业的，按申请日施行的标准"
                         "（policy/startup_subsidies.toml）一次性发放；每人限享受一次（409 列明已享受的记录）。")
async def apply(
    body: SubsidyApply, session: SessionDep, outbox: OutboxDep, principal: Writer, present: PresenterDep
) -> Any:
    row = await service.apply(session=session, outbox=outbox, principal=principal, data=body)
    return await present(_public(row), principal=principal, session=session, subjects=[row.id_number])


@router.get("", response_model=Page[SubsidyPublic], summary="乡村创业一次性补贴发放名单 List grants")
async def list_grants(
    session: SessionDep, principal: Reader, page: PageDep, present: PresenterDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="经营主体统一社会信用代码")] = None,
    dates: DateRange = date_range_param("applied_date 申请日期"),
    sort: str = sort_param(*service.SORTS, default="-applied_date"),
) -> Any:
    rows, count = await service.list_grants(
        session=session, page=page, county_code=county_filter(principal, county_code), id_number=id_number,
        credit_code=credit_code, dates=dates, sort=sort,
    )
    body = {"data": [_public(r) for r in rows], "count": count, "limit": page.limit, "offset": page.offset}
    return await present(body, principal=principal, session=session, subjects=[r.id_number for r in rows])


@router.get("/{subsidy_id}", response_model=SubsidyPublic, summary="查询补贴发放记录 Get a grant")
async def get_grant(subsidy_id: str, session: SessionDep, principal: Reader, present: PresenterDep) -> Any:
    row = await service.get_or_404(session=session, subsidy_id=subsidy_id)
    principal.check_county(row.county_code)
    return await present(_public(row), principal=principal, session=session, subjects=[row.id_number])
