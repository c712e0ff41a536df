"""/v1/statistics — 劳动关系提升护富行动 indicators for a year and county."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import col, select

from hrss_shared.app import SessionDep
from hrss_shared.listing import DateRange
from hrss_shared.validators import CountyCode
from labour_relations.cases import service as cases
from labour_relations.cases.models import ArrearsCase, CaseStatus
from labour_relations.common import Rate
from labour_relations.deps import Reader, county_filter
from labour_relations.disputes import service as disputes
from labour_relations.projects import service as projects
from labour_relations.warnings.models import ArrearsWarning

router = APIRouter(prefix="/v1/statistics", tags=["statistics 统计"])


class Targets(BaseModel):
    on_time_closure_rate: float = Field(100, description="欠薪案件按期结案率 100%")
    online_payment_rate: float = Field(100, description="在建工程项目在线发薪率 100%")
    grassroots_mediation_rate: float = Field(80, description="劳动纠纷基层调解率 ≥ 80%")
    group_cases: int = Field(0, description="群体性欠薪事件 零发生")


class Statistics(BaseModel):
    year: int
    county_code: str | None = Field(description="县（市、区）代码；null 为全市")
    cases_by_status: dict[str, int] = Field(description="当年登记的欠薪案件按当前状态计数")
    on_time_closure_rate: Rate = Field(description="按期结案率：当年结案/移送仲裁且不晚于期限的 ÷（当年结案/移送的 "
                                                   "+ 期限在当年"
                                                   "且已超期未结的）")
    online_payment_rate: Rate = Field(description="在线发薪率：当年（发放日期）经专用账户发放的工资记录 ÷ 全部已登记"
                                                  "工资记录")
    grassroots_mediation_rate: Rate = Field(description="基层调解率：当年受理的劳动纠纷中基层调解渠道的 ÷ 全部（不含"
                                                        "撤销）")
    group_cases: int = Field(description="当年登记的群体性欠薪案件数（不含撤销）")
    warnings_raised: int = Field(description="当年产生的欠薪预警数")
    targets: Targets = Field(description="规划目标（2021-2025 共同富裕行动方案）")


def _total(rows: list[Rate]) -> Rate:
    return rows[-1]  # the services answer the counties, then the total


@router.get("", summary="劳动关系统计 Labour-relations indicators",
            description="一年（可限一个县）的指标与规划目标：欠薪案件按状态计数（当年登记）；按期结案率 = 当年结案或"
                        "移送仲裁且"
                        "不晚于办结期限的案件 ÷（当年结案或移送仲裁的案件 + 办结期限在当年且已超期仍未结案的案件）× "
                        "100%，目标"
                        " 100%；在线发薪率 = 当年发放的工资记录中经农民工工资专用账户发放的 ÷ 全部已登记（未撤销）工"
                        "资记录 × "
                        "100%，目标 100%；基层调解率 = 当年受理的劳动纠纷中经基层调解组织处理的 ÷ 受理总数（不含撤销"
                        "）× 100%，"
                        "目标 ≥ 80%；群体性欠薪 = 当年登记、涉及10人以上的案件数（不含撤销），目标零发生；欠薪预警 "
                        "= 当年产生的"
                        "预警数。分母为0的比率为 null。")
async def statistics(
    session: SessionDep, principal: Reader,
    year: Annotated[int, Query(ge=2000, le=2099, description="年度")],
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码；不填为全市")] = None,
) -> Statistics:
    county = county_filter(principal, county_code)
    period = DateRange(date(year, 1, 1), date(year, 12, 31))
    in_year = [*period.clauses(col(ArrearsCase.filed_date))]
    if county is not None:
        in_year.append(col(ArrearsCase.county_code) == county)
    statuses = (await session.execute(select(ArrearsCase.status).where(*in_year))).scalars().all()
    group = (await session.execute(select(func.count()).select_from(ArrearsCase).where(
        *in_year, col(ArrearsCase.group_case).is_(True), col(ArrearsCase.status) != CaseStatus.cancelled))).scalar_one()
    warned = select(func.count()).select_from(ArrearsWarning).where(*period.clauses(col(ArrearsWarning.raised_date)))
    if county is not None:
        warned = warned.where(col(ArrearsWarning.county_code) == county)
    return Statistics(
        year=year, county_code=county, cases_by_status=cases.status_counts(statuses),
        on_time_closure_rate=_total(await cases.on_time_rates(session=session, county_code=county, period=period)),
        online_payment_rate=_total(await projects.online_rates(session=session, county_code=county, period=period)),
        grassroots_mediation_rate=_total(await disputes.mediation_rates(session=session, county_code=county,
                                                                        period=period)),
        group_cases=int(group), warnings_raised=int((await session.execute(warned)).scalar_one()),
        targets=Targets())
