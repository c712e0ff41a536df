"""社保统计 statistics: response schemas and the plan-targets policy."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hrss_shared.money import Money
from hrss_shared.policy import PolicyVersion


class PlanTargets(PolicyVersion):
    """policy/plan_targets.toml: the 2025 targets of 衢市人社发〔2021〕89号."""

    target_year: int
    pension_insured: int
    unemployment_insured: int
    work_injury_insured: int
    cards: int


class Insured(BaseModel):
    employee_pension: int = Field(description="企业职工基本养老保险年末参保人数")
    resident_pension: int = Field(description="城乡居民基本养老保险年末参保人数")
    pension: int = Field(description="基本养老保险年末参保人数（两项养老保险去重，对照目标 204 万人）")
    unemployment: int = Field(description="失业保险年末参保人数（对照目标 39 万人）")
    work_injury: int = Field(description="工伤保险年末参保人数（对照目标 62 万人）")


class AreaStatistics(BaseModel):
    county_code: str = Field(description="县（市、区）代码; 330800 for the city total")
    county_name: str
    insured: Insured
    cards_issued: int = Field(description="年内发卡数（含补换卡）")
    cards_valid: int = Field(description="年末持有效社会保障卡人数（对照目标 268 万张）")
    benefit_persons: int = Field(description="年内领取失业保险金人数")
    benefit_amount: Money = Field(description="年内发放失业保险金金额（元）")
    benefit_payments_after_stop: int = Field(description="年内停发后仍发放的笔数（政策监管）")
    arrears_employers: int = Field(description="年内发生欠缴的单位数")
    arrears_employers_open: int = Field(description="其中至今未补缴到位的单位数")
    coverage_gaps: int = Field(description="年内发现的参保空档（参保登记）数")
    coverage_gap_persons: int = Field(description="年内发现参保空档的人数")


class Targets(BaseModel):
    target_year: int
    pension_insured: int
    unemployment_insured: int
    work_injury_insured: int
    cards: int
    source: str


class Statistics(BaseModel):
    year: int
    counties: list[AreaStatistics] = Field(description="各县（市、区）; only the asked (or the client's) county")
    city: AreaStatistics | None = Field(description="全市合计 (330800); null when one county was asked for")
    targets: Targets = Field(description="行动方案 2025 年末目标（全市）")
