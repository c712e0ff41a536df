"""/v1/arrears — 单位欠缴."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from social_insurance.arrears import service
from social_insurance.arrears.models import ArrearsPublic, ArrearsStatus
from social_insurance.deps import Reader, county_filter

router = APIRouter(prefix="/v1/arrears", tags=["arrears 单位欠缴"])


@router.get("", summary="单位欠缴列表 List employer arrears", description=service.__doc__ or "")
async def list_arrears(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="单位所在县（市、区）代码")] = None,
    id_number: Annotated[IdNumber | None, Query(description="欠缴人员公民身份号码")] = None,
    status: Annotated[ArrearsStatus | None, Query(description="open 欠缴中 / resolved 已补缴到位")] = None,
    raised: DateRange = date_range_param("raised_date 欠缴判定日期"),
    sort: str = sort_param(*service.SORTS, default="-month"),
) -> Page[ArrearsPublic]:
    rows, count = await service.list_arrears(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=status, id_number=id_number, raised=raised, sort=sort)
    return page_of(ArrearsPublic, rows, count, page)


@router.get("/{arrears_id}", summary="查询单位欠缴 Get an arrears record")
async def get_arrears(arrears_id: str, session: SessionDep, principal: Reader) -> ArrearsPublic:
    record = await service.get_or_404(session=session, arrears_id=arrears_id)
    principal.check_county(record.county_code)
    return ArrearsPublic.model_validate(record)
