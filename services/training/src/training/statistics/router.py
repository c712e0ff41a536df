"""/v1/statistics — 培训统计."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import SessionDep
from hrss_shared.validators import CountyCode
from training.deps import Reader, county_filter
from training.statistics import service
from training.statistics.models import Statistics

router = APIRouter(prefix="/v1/statistics", tags=["statistics 培训统计"])


@router.get(
    "",
    summary="年度培训统计（培训人次、技能等级认定、新增高技能人才、电子培训券、培训补贴、技能大师工作室与培训基地）",
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
