"""城乡居民养老保险提档补缴 resident-pension top-up: the policy, the quote and its application."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, Numeric
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.money import Money, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.validators import IdNumber
from social_insurance.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class Grade(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal = Field(gt=0, description="缴费档次（元/年）")
    subsidy: Decimal = Field(ge=0, description="政府缴费补贴（元/年）")


class ResidentPensionPolicy(PolicyVersion):
    """policy/resident_pension.toml: grades and subsidies, credited rates, basic pension, divisor, top-up rules."""

    illustrative: bool = False
    divisor: int = Field(gt=0, description="个人账户养老金计发月数（139）")
    basic_pension: Decimal = Field(ge=0, description="基础养老金（元/月）")
    topup_min_age: int = Field(ge=16, le=70, description="可办理提档补缴的最低年龄")
    topup_age: int = Field(ge=16, le=70, description="领取待遇年龄（60）")
    topup_subsidised: bool = Field(description="补缴部分是否享受政府缴费补贴")
    rates: dict[int, Decimal] = Field(description="各年度个人账户记账利率")
    grades: list[Grade] = Field(min_length=1)

    def subsidy_for(self, paid: Decimal) -> Decimal:
        """The subsidy of the highest grade not above ``paid`` (0 below the lowest grade)."""
        eligible = [g.subsidy for g in self.grades if g.amount <= paid]
        return max(eligible) if eligible else Decimal("0.00")


class TopupRequest(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码")
    target_grade: PositiveMoney = Field(description="补缴至的缴费档次（元/年），须为现行档次之一")
    years: list[int] | None = Field(default=None, max_length=80,
                                    description="补缴的年度（不填为缴费低于目标档次的全部以往年度）")

    @field_validator("years")
    @classmethod
    def _distinct(cls, value: list[int] | None) -> list[int] | None:
        if value is not None:
            if len(set(value)) != len(value):
                raise ValueError("年度重复 (years must not repeat)")
            if any(not 1990 <= y <= 2099 for y in value):
                raise ValueError("年度超出范围 1990–2099 (years between 1990 and 2099)")
        return value


class TopupYear(BaseModel):
    year: int
    paid: Money = Field(description="该年已缴（元，含以往补缴）")
    target: Money = Field(description="目标档次（元）")
    cost: Money = Field(description="本次补缴金额（元）= 目标档次 − 已缴")
    subsidy: Money = Field(description="补缴部分的政府补贴（元；政策规定不补贴时为 0）")
    credited: Money = Field(description="记入个人账户（元）= 补缴 + 补贴")


class TopupQuote(BaseModel):
    id_number: PersonIdNumber
    quote_date: date
    age: int = Field(description="今天的周岁年龄")
    reaches_pension_age_on: date = Field(description="年满领取待遇年龄（60周岁）的日期")
    target_grade: Money
    years: list[TopupYear] = Field(description="逐年补缴明细")
    total_cost: Money = Field(description="补缴合计（元）")
    account_before: Money = Field(description="补缴前个人账户储存额（元，含政府补贴及记账利息，计息至上年末）")
    account_after: Money = Field(description="补缴后个人账户储存额（元）")
    basic_pension: Money = Field(description="基础养老金（元/月）")
    divisor: int = Field(description="计发月数")
    monthly_before: Money = Field(description="补缴前月养老金（元）= 基础养老金 + 个人账户储存额 ÷ 计发月数")
    monthly_after: Money = Field(description="补缴后月养老金（元）")
    policy_source: str
    illustrative: bool = Field(description="true: 档次、补贴、基础养老金等为示例值，无官方文号")


class TopupPublic(TopupQuote):
    model_config = ConfigDict(from_attributes=True)

    id: str
    contribution_ids: list[str] = Field(description="记账的补缴缴费记录 id（逐年）")
    created_at: datetime


class PensionTopup(Base, table=True):
    """An applied top-up: the quote as applied, and the contributions it recorded."""

    __tablename__ = "pension_topups"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    quote_date: date = DbField(index=True)
    target_grade: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    total_cost: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    quote: dict[str, Any] = DbField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    contribution_ids: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = DbField(default_factory=clock.now)
