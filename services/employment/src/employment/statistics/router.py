"""/v1/statistics — statistics 就业统计."""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, county_filter
from employment.statistics import service
from employment.statistics.models import Statistics
from hrss_shared.app import SessionDep
from hrss_shared.validators import CountyCode

router = APIRouter(prefix="/v1/statistics", tags=["statistics 就业统计"])


@router.get(
    "",
    summary="年度就业统计（城镇新增就业、登记失业、重点群体就业、公益性岗位安置、创业担保贷款与创业补贴）",
    description=(service.__doc__ or "") + "\nA county bureau's client sees its own county only (no city total).",
)
async def get_statistics(
    session: SessionDep, principal: Reader,
    year: Annotated[int, Query(ge=1990, le=2100, description="统计年度 year")],
    county_code: Annotated[
        CountyCode | None, Query(description="县（市、区）代码; omitted: every county and the city total")
    ] = None,
) -> Statistics:
    return await service.yearly(session=session, year=year, county=county_filter(principal, county_code))
