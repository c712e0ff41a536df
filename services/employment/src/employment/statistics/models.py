"""就业统计 statistics: response schemas only (the figures are SQL aggregates over other domains' tables)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from employment.key_groups.models import KeyGroup
from hrss_shared.money import Money


class UnemploymentFigures(BaseModel):
    registered_unemployed: int = Field(
        description="年末登记失业人数: persons whose unemployment registration was open on 31 December "
        "(registered on or before it and not closed on or before it)"
    )
    new_registrations: int = Field(description="年内新增失业登记数: unemployment registrations dated in the year")
    employed: int = Field(
        default=0, description="年末从业人员数: persons with an employment registration open at the end of "
        "31 December (started on or before it, not ended on or before it), in the employer's county")
    registered_unemployment_rate: Decimal | None = Field(
        default=None, description="城镇登记失业率（%）= 年末登记失业人数 ÷（年末从业人员数 + 年末登记失业人数）× 100, "
        "to two places (plan target ≤ 3.5%); null when both are 0")


class KeyGroupFigures(BaseModel):
    group: KeyGroup
    group_name: str
    members: int = Field(description="年内在册人数: persons whose membership overlaps the year")
    employed: int = Field(
        description="其中就业人数: of those, persons with an employment registration overlapping their "
        "membership within the year"
    )


class Granted(BaseModel):
    count: int = Field(description="笔数")
    amount: Money = Field(description="金额（元）")


class AreaStatistics(BaseModel):
    county_code: str = Field(description="县（市、区）代码; 330800 for the city total")
    county_name: str
    new_urban_employment: int = Field(
        description="城镇新增就业（人次）= new_urban_employment_gross − natural_attrition "
        "(see the endpoint's description)")
    new_urban_employment_gross: int = Field(description="城镇累计新就业人次 before natural attrition")
    natural_attrition: int = Field(
        description="自然减员人次: employment ended in the year at the statutory retirement age")
    reemployed_unemployed: int = Field(
        description="失业人员再就业人次: employment registrations starting in the year while the person's unemployment "
        "registration was open (registered on or before the start, not closed before it), in the unemployment "
        "registration's county")
    hard_to_employ_employed: int = Field(
        description="就业困难人员就业人次: employment registrations starting in the year while the person was "
        "certified 就业困难人员 (the certification in force on the start date), in the certification's county")
    unemployment: UnemploymentFigures
    key_groups: list[KeyGroupFigures] = Field(description="重点群体就业, one entry per key group")
    public_welfare_placements: int = Field(
        description="公益性岗位安置人次: placements whose start date (上岗日期) falls in the year"
    )
    startup_loans: Granted = Field(
        description="创业担保贷款发放: loans disbursed (放款) in the year, and the approved amounts disbursed"
    )
    startup_subsidies: Granted = Field(
        description="创业补贴发放 (重点人群乡村创业一次性补贴): subsidies granted in the year (granted on application)"
    )


class Statistics(BaseModel):
    year: int
    counties: list[AreaStatistics] = Field(description="各县（市、区）; only the asked (or the client's) county")
    city: AreaStatistics | None = Field(description="全市合计 (330800); null when one county was asked for")
