"""失业保险金 unemployment benefit: the decision per unemployment registration and its monthly ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Index, Numeric
from sqlmodel import Field as DbField

from hrss_contracts.employment import SeparationReason
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from social_insurance.common import Month
from social_insurance.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class BenefitStatus(StrEnum):
    active = "active"  # 领取中
    ended = "ended"  # 期限届满（按今天计，不存储）
    stopped = "stopped"  # 已停发
    not_eligible = "not_eligible"  # 不符合条件


class Ineligibility(StrEnum):
    insufficient_contributions = "insufficient_contributions"  # 缴费不满1年
    voluntary_separation = "voluntary_separation"  # 本人意愿中断就业
    separation_reason_missing = "separation_reason_missing"  # 未登记失业原因
    retirement_age = "retirement_age"  # 已达法定退休年龄
    benefit_active = "benefit_active"  # 已在领取失业保险金


class StopReason(StrEnum):
    reemployed = "reemployed"  # 重新就业
    retirement_age = "retirement_age"  # 达到法定退休年龄
    pension_started = "pension_started"  # 开始领取基本养老金
    other = "other"  # 其他（应征服兵役、移居境外、被判刑收监、无正当理由拒不接受介绍工作等，失业保险条例第十五条）
    registration_cancelled = "registration_cancelled"  # 失业登记撤销（登记自始不成立）


STOP_NAMES = {StopReason.reemployed: "重新就业", StopReason.retirement_age: "达到法定退休年龄",
              StopReason.pension_started: "开始领取基本养老金", StopReason.other: "其他",
              StopReason.registration_cancelled: "失业登记撤销"}


class RecoveryCause(StrEnum):
    registration_cancelled = "registration_cancelled"  # 失业登记撤销: every month paid
    registration_date_corrected = "registration_date_corrected"  # 登记日期更正为更晚: the months before the start


class Duration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    min_contribution_months: int = Field(ge=1)
    months: int = Field(ge=1, le=24)


class BenefitPolicy(PolicyVersion):
    """policy/unemployment_benefit.toml: eligibility, durations (失业保险条例 art. 14, 17) and the monthly amount."""

    illustrative: bool = False
    min_contribution_months: int = Field(ge=1)
    max_months: int = Field(ge=1, le=60)
    monthly_amount: Decimal = Field(gt=0)
    involuntary_reasons: list[SeparationReason]
    female_original_retirement_age: int = Field(ge=50, le=55)
    durations: list[Duration] = Field(min_length=1)


class Stop(BaseModel):
    stopped_date: SupportedDate = Field(description="停发日期（自该日起不再享受），不早于领取起始日期、不晚于今天")
    reason: StopReason = Field(description="停发原因 pension_started 开始领取基本养老金 / reemployed 重新就业 / "
                                           "retirement_age 达到法定退休年龄 / other 其他")


class PaymentCreate(BaseModel):
    month: Month = Field(description="发放所属月份 YYYY-MM")
    amount: PositiveMoney | None = Field(default=None, description="发放金额（元）；不填为核定的月标准")
    paid_date: SupportedDate | None = Field(default=None, description="发放日期（不填为今天）")


class PaymentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    benefit_id: str
    id_number: PersonIdNumber
    month: str
    amount: Money
    paid_date: date
    after_stop: bool = Field(description="true: 停发之后月份的发放（政策监管预警）")
    recovery_required: bool = Field(description="true: 该月发放应追回（失业登记撤销，或登记日期更正后不在领取期内）")


class BenefitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    unemployment_registration_id: str
    registered_date: date
    separation_reason: str | None
    status: BenefitStatus = Field(description="active 领取中 / ended 期限届满 / stopped 已停发 / "
                                              "not_eligible 不符合条件")
    reason: Ineligibility | None = Field(description="不符合条件的原因代码")
    reason_text: str | None
    contribution_months: int = Field(description="计算期限的失业保险缴费月数")
    carried_over_months: int = Field(description="前次应领未领、合并计算的月数")
    months_entitled: int = Field(description="领取期限（月）")
    monthly_amount: Money | None
    start_date: date | None
    end_date: date | None = Field(description="领取期限届满日期")
    retirement_date: date | None = Field(description="达到法定退休年龄的日期")
    stopped_date: date | None
    stop_reason: StopReason | None
    months_paid: int = Field(description="已发放月数（停发后的发放不计）")
    amount_paid: Money = Field(description="已发放金额合计（含停发后的发放）")
    policy_source: str
    illustrative: bool = Field(description="true: 月标准为示例值，无官方文号")
    revision: int = Field(description="重新核定次数（缴费更正、撤销后）")
    registration_cancelled: bool = Field(description="true: 所依据的失业登记已撤销（自始不成立），失业保险金自领取起始"
                                                     "日期停发，已发放的应追回")
    registration_cancel_reason: str | None = Field(description="失业登记撤销理由")
    recovery_months: int = Field(description="应追回的发放月数 (months paid that are to be recovered, 追回)")
    recovery_amount: Money = Field(description="应追回金额合计（元）")
    created_at: datetime


class UnemploymentBenefit(Base, table=True):
    __tablename__ = "unemployment_benefits"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    unemployment_registration_id: str = DbField(max_length=64, unique=True)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    registered_date: date = DbField(index=True)
    separation_reason: str | None = DbField(default=None, max_length=30)
    status: str = DbField(max_length=15, index=True)
    reason: str | None = DbField(default=None, max_length=40)
    reason_text: str | None = DbField(default=None, max_length=500)
    contribution_months: int = 0
    carried_over_months: int = 0
    months_entitled: int = 0
    monthly_amount: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    start_date: date | None = None
    end_date: date | None = None
    retirement_date: date | None = None
    stopped_date: date | None = None
    stop_reason: str | None = DbField(default=None, max_length=30)
    months_paid: int = 0
    amount_paid: Decimal = DbField(default=Decimal("0.00"), sa_column=Column(Numeric(14, 2), nullable=False))
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    revision: int = 0
    registration_cancelled: bool = False
    registration_cancel_reason: str | None = DbField(default=None, max_length=200)
    recovery_months: int = 0
    recovery_amount: Decimal = DbField(default=Decimal("0.00"), sa_column=Column(Numeric(14, 2), nullable=False,
                                                                                server_default="0"))
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None


class BenefitPayment(Base, table=True):
    __tablename__ = "benefit_payments"
    __table_args__ = (Index("uq_benefit_payment_month", "benefit_id", "month", unique=True),)

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    benefit_id: str = DbField(max_length=36, index=True)
    id_number: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    month: str = DbField(max_length=7)
    amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    paid_date: date = DbField(index=True)
    after_stop: bool = False
    recovery_required: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
