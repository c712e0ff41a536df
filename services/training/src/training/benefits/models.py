"""人才政策兑现 talent benefits, their payment ledger, and the facts they depend on, learnt from other services'
events: employment registrations (``hrss.employment``) and paid contribution months (``hrss.social-insurance``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import IdNumber
from training.db import Base
from training.recognitions.models import Degree

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _uuid() -> str:
    return str(uuid.uuid4())


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_at(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class BenefitKind(StrEnum):
    graduate_living_allowance = "graduate_living_allowance"  # 大学生生活补贴
    rental_subsidy = "rental_subsidy"  # 租房补贴
    housing_subsidy = "housing_subsidy"  # 购房补贴


KIND_NAMES = {BenefitKind.graduate_living_allowance: "大学生生活补贴", BenefitKind.rental_subsidy: "租房补贴",
              BenefitKind.housing_subsidy: "购房补贴"}


class BenefitStatus(StrEnum):
    active = "active"  # 兑现中
    stopped = "stopped"  # 已停发
    cancelled = "cancelled"  # 已撤销


class StopReason(StrEnum):
    employment_ended = "employment_ended"  # 在衢就业结束
    contributions_lapsed = "contributions_lapsed"  # 社保断缴超过规定月数
    cancelled = "cancelled"  # 撤销


class DegreeAmount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    degree: Degree
    amount: Decimal = Field(gt=0)
    months: int = Field(ge=1, le=120)
    source: str
    illustrative: bool = False


class TierAmount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: str = Field(pattern="^[A-E]$")
    amount: Decimal = Field(gt=0)
    months: int = Field(ge=1, le=120)
    source: str
    illustrative: bool = False


class BenefitPolicy(PolicyVersion):
    """policy/talent_benefits.toml."""

    illustrative: bool = False
    min_paid_months: int = Field(ge=0, le=120, description="申请时须已缴纳社会保险的月数")
    lapse_months: int = Field(ge=0, le=24, description="断缴超过该月数即停发")
    graduate_years: int = Field(ge=0, le=20, description="毕业后几年内可申请大学生生活补贴")
    graduate_living_allowance: list[DegreeAmount]
    rental_subsidy: list[TierAmount]
    housing_subsidy: list[TierAmount]


class BenefitApply(BaseModel):
    id_number: IdNumber = Field(description="申请人公民身份号码")
    name: PersonName = Field(description="姓名")
    kind: BenefitKind = Field(description="graduate_living_allowance 大学生生活补贴（按学历）/ rental_subsidy 租房补贴"
                                          "（按人才层次）/ housing_subsidy 购房补贴（按人才层次）")
    degree: Degree | None = Field(default=None, description="学历（大学生生活补贴）")
    graduation_date: SupportedDate | None = Field(default=None, description="毕业日期（大学生生活补贴）")

    @model_validator(mode="after")
    def _graduate(self) -> BenefitApply:
        if self.kind == BenefitKind.graduate_living_allowance and (self.degree is None or self.graduation_date is None):
            raise ValueError("大学生生活补贴须填写 degree 与 graduation_date "
                             "(a graduate allowance needs the degree and the graduation date)")
        return self


class PaymentCreate(BaseModel):
    period: str = Field(pattern=MONTH_PATTERN, description="所属期 YYYY-MM")
    paid_date: SupportedDate = Field(description="发放日期")


class Cancellation(BaseModel):
    reason: Annotated[str, short_text(200, label="撤销原因")] = Field(description="撤销原因")


class PaymentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    period: str
    amount: Money
    paid_date: date
    after_stop: bool = Field(description="true: 停发后发放 (a period at or after the stop: a supervision alert)")


class BenefitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    credit_code: str = Field(description="申请时的在衢就业单位")
    kind: BenefitKind
    degree: Degree | None
    graduation_date: date | None
    tier: str | None
    recognition_id: str | None
    amount_per_period: Money
    periods: int
    first_period: str
    last_period: str
    status: BenefitStatus = Field(description="active 兑现中 / stopped 已停发 / cancelled 已撤销")
    stop_period: str | None = Field(description="停发起始期 YYYY-MM")
    stop_reason: StopReason | None
    granted_date: date
    policy_source: str
    illustrative: bool
    payments: list[PaymentPublic] = Field(default_factory=list, description="发放台账")
    created_at: datetime
    updated_at: datetime | None


class TalentBenefit(Base, table=True):
    __tablename__ = "talent_benefits"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    credit_code: str = DbField(max_length=18, index=True)
    kind: str = DbField(max_length=30, index=True)
    degree: str | None = DbField(default=None, max_length=12)
    graduation_date: date | None = None
    tier: str | None = DbField(default=None, max_length=1)
    recognition_id: str | None = DbField(default=None, max_length=36)
    amount_per_period: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    periods: int
    first_period: str = DbField(max_length=7)
    status: str = DbField(default=BenefitStatus.active, max_length=10, index=True)
    stop_period: str | None = DbField(default=None, max_length=7)
    stop_reason: str | None = DbField(default=None, max_length=30)
    granted_date: date = DbField(index=True)
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    @property
    def last_period(self) -> str:
        return month_at(month_index(self.first_period) + self.periods - 1)


class TalentBenefitPayment(Base, table=True):
    __tablename__ = "talent_benefit_payments"
    __table_args__ = (UniqueConstraint("benefit_id", "period", name="uq_talent_benefit_payment_period"),)

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    benefit_id: str = DbField(max_length=36, index=True)
    id_number: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    period: str = DbField(max_length=7)
    amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    paid_date: date = DbField(index=True)
    after_stop: bool = False
    created_at: datetime = DbField(default_factory=clock.now)


class KnownEmployment(Base, table=True):
    """A person's employment registration as ``hrss.employment`` told it (one row per registration)."""

    __tablename__ = "talent_known_employments"

    registration_id: str = DbField(primary_key=True, max_length=64)
    id_number: str = DbField(max_length=18, index=True)
    credit_code: str = DbField(max_length=18)
    county_code: str = DbField(max_length=6)
    start_date: date
    end_date: date | None = None


class KnownPaidMonth(Base, table=True):
    """A paid contribution month as ``hrss.social-insurance`` told it (one row per contribution record)."""

    __tablename__ = "talent_known_paid_months"

    contribution_id: str = DbField(primary_key=True, max_length=64)
    id_number: str = DbField(max_length=18, index=True)
    month: str = DbField(max_length=7)
    insurance_type: str = DbField(max_length=30)
