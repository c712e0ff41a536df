"""规划指标 plan indicators: the compact fact table the indicator consumer keeps, and the API's answers.

``indicator_facts`` holds one row per record that some indicator counts (an employment registration, an
unemployment registration, a completed training, a certificate …), keyed by ``<kind>:<record id>`` so a
redelivered event changes nothing. Corrections update the row; cancellations void it (``void``, final), so every
indicator is one SQL aggregate over the rows of its kind. What each column means for each kind is listed in
:data:`KIND_COLUMNS`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Index
from sqlmodel import Field as SQLField

from gateway.db import Base

Status = Literal["measured", "not_measured", "no_target"]
Period = Literal["year", "plan_to_date", "year_end", "rate"]
Comparison = Literal[">=", "<=", "=", "about"]

# kind -> what the generic columns hold for it (documentation, and the test of the handlers)
KIND_COLUMNS: dict[str, str] = {
    "employment": "就业登记: subject id_number, county of the employer, start_date/end_date, retires_on = the day "
                  "the person reaches the statutory retirement age (a woman on the 55 table)",
    "unemployment": "失业登记: subject id_number, county, start_date = registered date, end_date = closure date",
    "training": "培训结业: subject id_number, county of the course, start_date = completed date, category = course "
                "kind, flag = 合格 (passed), status = enrolment status (completed / enrolled after a correction)",
    "certificate": "职业技能等级证书: subject id_number, county, start_date = issued date, level 1-5",
    "platform": "技能大师工作室 / 培训基地: subject credit code, county, start_date = recognised date, end_date = "
                "revoked date, category = master_studio / enterprise_high_skill_demo / public_training",
    "insurance": "参保登记: subject id_number, county, category = insurance type, status, start_date/end_date",
    "card": "社会保障卡: subject id_number, county, start_date = issued date, end_date = cancelled/replaced date",
    "arrears_case": "欠薪案件: subject credit code, county, status, start_date = filed date, end_date = concluded "
                    "date, due_date = deadline, flag = on time, category = group (10+ workers) or single",
    "payroll": "工资发放记录: subject credit code, county, start_date = paid date, flag = paid online",
    "dispute": "劳动纠纷: subject credit code, county, status, start_date = filed date, category = channel",
}


class IndicatorFact(Base, table=True):
    """One counted record of one kind (see :data:`KIND_COLUMNS`)."""

    __tablename__ = "indicator_facts"
    __table_args__ = (
        Index("ix_indicator_facts_kind_start", "kind", "start_date"),
        Index("ix_indicator_facts_kind_subject", "kind", "subject"),
    )

    key: str = SQLField(primary_key=True, max_length=90)
    kind: str = SQLField(max_length=20)
    record_id: str = SQLField(max_length=64)
    subject: str | None = SQLField(default=None, max_length=18)
    county_code: str | None = SQLField(default=None, max_length=6)
    category: str | None = SQLField(default=None, max_length=40)
    status: str | None = SQLField(default=None, max_length=20)
    level: int | None = None
    flag: bool | None = None
    start_date: date | None = None
    end_date: date | None = None
    due_date: date | None = None
    retires_on: date | None = None
    void: bool = False
    event_time: str = SQLField(max_length=40, description="time of the newest event applied (UTC ISO 8601)")


# ---- answers -------------------------------------------------------------------------------------------------


class PlanInfo(BaseModel):
    id: str = Field(description="规划标识，如 quzhou-2021-2025")
    title: str = Field(description="规划名称")
    period_start: int = Field(description="规划起始年度")
    period_end: int = Field(description="规划终止年度")
    source: str = Field(description="文号与印发日期")


class Indicator(BaseModel):
    code: str = Field(description="指标代码")
    name: str = Field(description="指标名称")
    unit: str = Field(description="单位（人次、人、家、张、元、%）")
    group: str = Field(description="分组（就业、技能、社保、收入、劳动关系）")
    period: Period = Field(description="口径: year 当年 / plan_to_date 规划期累计（起始年至该年）/ year_end 年末时点 / "
                                       "rate 当年比率")
    target: str | None = Field(description="规划目标值（十进制字符串）；按县查询或无目标时为 null")
    comparison: Comparison | None = Field(description="目标比较方式: >= 以上 / <= 以内 / = 等于 / about 左右")
    target_scope: str | None = Field(description="目标范围，如 “2021–2025 累计”、“每年”、“2025年末”")
    actual: str | None = Field(description="实绩（十进制字符串，比率为百分数）；无法计量时为 null")
    share: str | None = Field(description="完成比例 actual ÷ target（4位小数），仅 >= 与 about 目标")
    status: Status = Field(description="measured 已计量 / not_measured 数据无法计量 / no_target 无规划目标")
    reason: str | None = Field(description="未计量、无目标或无县级目标的原因")
    illustrative: bool = Field(description="true: 目标或实绩为示例值（未核实官方来源）")
    source: str = Field(description="目标出处（规划章节）与实绩口径 definition")


class Indicators(BaseModel):
    year: int
    county_code: str | None = Field(description="县（市、区）代码；null 为全市")
    plan: PlanInfo | None = Field(description="该年度有效的规划；无规划时为 null")
    indicators: list[Indicator]
    as_of: str | None = Field(description="读模型最新事件时间 (ISO 8601)；尚无数据时为 null")


class SeriesPoint(BaseModel):
    year: int
    actual: str | None = Field(description="实绩；未来年度为 null")
    target: str | None = Field(description="目标；按县为 null")


class Series(BaseModel):
    code: str
    name: str
    unit: str
    points: list[SeriesPoint]


class CountyActual(BaseModel):
    county_code: str
    county_name: str
    actual: str | None
    target: str | None = Field(description="县级目标；规划只定全市目标，故为 null")


class ByCounty(BaseModel):
    code: str
    name: str
    unit: str
    year: int
    counties: list[CountyActual]
