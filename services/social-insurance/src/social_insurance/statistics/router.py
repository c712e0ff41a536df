"""/v1/statistics — 社保统计."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import SessionDep
from hrss_shared.validators import CountyCode
from social_insurance.deps import Reader, county_filter
from social_insurance.statistics import service
from social_insurance.statistics.models import Statistics

router = APIRouter(prefix="/v1/statistics", tags=["statistics 社保统计"])


@router.get(
    "",
    summary="年度社保统计（参保人数、社会保障卡、失业保险金、单位欠缴、参保空档）",
    description=(service.__doc__ or "") + "\nA county bureau's client sees its own county only (no city total).",
)
async def get_statistics(
    session: SessionDep, principal: Reader,
    year: Annotated[int, Query(ge=1990, le=2099, description="统计年度 year")],
    county_code: Annotated[
        CountyCode | None, Query(description="县（市、区）代码; omitted: every county and the city total")
    ] = None,
) -> Statistics:
    return await service.yearly(session=session, year=year, county=county_filter(principal, county_code))
