"""/v1/indicators — 规划指标 plan indicators: targets of the plan in force beside actuals from the read model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from gateway.indicators import service
from gateway.indicators.measures import MEASURES
from gateway.indicators.models import ByCounty, Indicators, Series
from hrss_shared.app import PROBLEMS, SessionDep, require
from hrss_shared.auth import Principal, county_filter
from hrss_shared.registry import GATEWAY
from hrss_shared.validators import CountyCode

router = APIRouter(prefix="/v1/indicators", tags=["indicators 规划指标"])
Reader = Annotated[Principal, Depends(require(f"{GATEWAY.scope_domain}:read"))]
YearQuery = Annotated[int, Query(ge=2000, le=2100, description="年度 (2000–2100)")]
CountyQuery = Annotated[CountyCode | None, Query(
    description="县（市、区）代码；不填为全市。县级客户端只能查询本县 (a county client is limited to its county)")]
CodeQuery = Annotated[str, Query(min_length=1, max_length=60, description="指标代码，如 new_urban_employment")]

DEFINITIONS = "\n".join(f"- **{m.name}** (`{m.code}`, {m.unit}): {m.definition}" for m in MEASURES.values())
RULES = (
    "目标来自规划数据文件（gateway/indicators/plans/*.toml，每个规划一个文件，含章节出处）；实绩由网关读模型"
    "（gateway-indicators-v1 消费组的事实表）按下列口径以 SQL 汇总。口径 period: `year` 当年、`plan_to_date` 规划"
    "起始年至该年累计、`year_end` 12月31日时点、`rate` 当年比率（百分数）。完成比例 share = actual ÷ target（仅 >= "
    "与 about 目标）。数据无法计量的目标为 `not_measured` 并说明原因，从不估算；无规划的年度给出实绩，状态 "
    "`no_target`（no target in force）。规划只定全市目标：按县查询时目标为 null。\n\n"
    "Targets are data (one TOML file per plan, each target citing the plan's section); actuals are SQL aggregates over "
    "the gateway's indicator facts, with the owning services' statistics definitions:\n\n" + DEFINITIONS)


@router.get("", summary="规划指标 Plan indicators for a year", description=RULES, responses=PROBLEMS)
async def get_indicators(session: SessionDep, principal: Reader, year: YearQuery,
                         county_code: CountyQuery = None) -> Indicators:
    return await service.indicators(session=session, year=year, county=county_filter(principal, county_code))


@router.get("/series", summary="指标年度序列 An indicator across its plan's years", description=RULES,
            responses=PROBLEMS)
async def get_series(session: SessionDep, principal: Reader, code: CodeQuery,
                     county_code: CountyQuery = None) -> Series:
    return await service.series(session=session, code=code, county=county_filter(principal, county_code))


@router.get("/by-county", summary="指标分县 An indicator in each county for a year", description=RULES,
            responses=PROBLEMS)
async def get_by_county(session: SessionDep, principal: Reader, year: YearQuery, code: CodeQuery,
                        county_code: CountyQuery = None) -> ByCounty:
    return await service.by_county(session=session, code=code, year=year,
                                   county=county_filter(principal, county_code))
