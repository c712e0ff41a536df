"""缴费 contributions: one month of one insurance type for a person, and the base and rate policy."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, Index, Numeric, text
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, NonNegativeMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import short_text
from hrss_shared.validators import CreditCode, IdNumber
from social_insurance.common import TYPES_DESCRIPTION, InsuranceType, Month
from social_insurance.db import Base

MAX_BULK_ROWS = 2000
Reason = Annotated[str, short_text(200, label="原因")]


def _uuid() -> str:
    return str(uuid.uuid4())


class ContributionStatus(StrEnum):
    posted = "posted"  # 已记账
    cancelled = "cancelled"  # 已撤销


class ContributionKind(StrEnum):
    regular = "regular"  # 正常缴费
    topup = "topup"  # 城乡居民养老提档补缴


class BaseAdjustment(StrEnum):
    floor = "floor"  # 低于下限，按下限核定
    ceiling = "ceiling"  # 高于上限，按上限核定


class BasePolicy(PolicyVersion):
    """policy/contribution_base.toml: the base floor and ceiling of a year and the rates."""

    illustrative: bool = False
    floor: Decimal = Field(gt=0, description="缴费基数下限（元/月）")
    ceiling: Decimal = Field(gt=0, description="缴费基数上限（元/月）")
    employee_pension_employer_rate: Decimal = Field(ge=0, lt=1)
    employee_pension_personal_rate: Decimal = Field(ge=0, lt=1)
    flexible_pension_rate: Decimal = Field(ge=0, lt=1)
    unemployment_employer_rate: Decimal = Field(ge=0, lt=1)
    unemployment_personal_rate: Decimal = Field(ge=0, lt=1)
    work_injury_default_rate: Decimal = Field(ge=0, lt=1)


class ContributionCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码")
    insurance_type: InsuranceType = Field(description=TYPES_DESCRIPTION)
    month: Month = Field(description="费款所属期 YYYY-MM")
    credit_code: CreditCode | None = Field(
        default=None, description="缴费单位统一社会信用代码（灵活就业人员、城乡居民养老不填）")
    declared_base: NonNegativeMoney | None = Field(
        default=None, description="申报缴费工资（元，字符串），按当年缴费基数上下限核定；城乡居民养老不填，其余必填")
    employer_amount: NonNegativeMoney | None = Field(
        default=None, description="单位缴费（元）；不填则按核定基数×单位费率计算（四舍五入到分）")
    personal_amount: NonNegativeMoney | None = Field(
        default=None, description="个人缴费（元）；不填则按核定基数×个人费率计算；城乡居民养老必填（所选缴费档次）")
    paid_date: SupportedDate | None = Field(default=None, description="缴费记账日期（不填为今天）")


class ContributionCorrection(BaseModel):
    """更正 a contribution recorded wrongly: the fields given replace the recorded ones; the base is clamped and
    amounts not given are computed again under the policy of the (new) month."""

    month: Month | None = Field(default=None, description="费款所属期 YYYY-MM")
    declared_base: NonNegativeMoney | None = Field(default=None, description="申报缴费工资（元）")
    employer_amount: NonNegativeMoney | None = Field(default=None, description="单位缴费（元）；不填则重新计算")
    personal_amount: NonNegativeMoney | None = Field(default=None, description="个人缴费（元）；不填则重新计算")
    paid_date: SupportedDate | None = Field(default=None, description="缴费记账日期")
    reason: Reason = Field(description="更正原因")


class ContributionCancellation(BaseModel):
    reason: Reason = Field(description="撤销原因（记录有误）")


class BulkPosting(BaseModel):
    credit_code: CreditCode = Field(description="缴费单位统一社会信用代码")
    month: Month = Field(description="费款所属期 YYYY-MM（全部行同一月份）")
    paid_date: SupportedDate | None = Field(default=None, description="缴费记账日期（不填为今天）")
    rows: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_BULK_ROWS,
        description="每行一人一险种：id_number, insurance_type, declared_base, 可选 employer_amount, personal_amount "
                    "（字段含义同单笔缴费）。每行单独校验与记账，一行被拒不影响其他行。",
        json_schema_extra={"items": {"type": "object", "examples": [
            {"id_number": "330802197505170013", "insurance_type": "employee_pension", "declared_base": "6800.00"}]}},
    )


class RowError(BaseModel):
    field: str | None = Field(description="出错字段")
    reason: str = Field(description="原因")


class BulkRowResult(BaseModel):
    row: int = Field(description="行号（自 1 起）")
    id_number: PersonIdNumber | None = Field(description="该行的公民身份号码（如可读）")
    insurance_type: str | None
    status: str = Field(description="accepted 已记账 / rejected 被拒")
    contribution_id: str | None = Field(description="已记账的缴费记录 id")
    errors: list[RowError] = Field(description="被拒原因，逐字段")


class BulkReport(BaseModel):
    credit_code: str
    month: str
    accepted: int = Field(description="已记账行数")
    rejected: int = Field(description="被拒行数")
    rows: list[BulkRowResult]


class ContributionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    county_code: str
    insurance_type: InsuranceType
    credit_code: str | None
    enrolment_id: str
    month: str = Field(description="费款所属期 YYYY-MM")
    kind: ContributionKind = Field(description="regular 正常缴费 / topup 提档补缴")
    declared_base: Money | None = Field(description="申报缴费工资")
    base: Money | None = Field(description="核定缴费基数（按当年上下限调整后）")
    base_adjustment: BaseAdjustment | None = Field(description="floor 按下限核定 / ceiling 按上限核定 / null 未调整")
    employer_amount: Money
    personal_amount: Money
    paid_date: date
    status: ContributionStatus = Field(description="posted 已记账 / cancelled 已撤销")
    cancelled_date: date | None
    correction_reason: str | None = Field(description="最近一次更正或撤销的原因")
    policy_source: str | None = Field(description="基数上下限与费率的政策依据")
    illustrative: bool = Field(description="true: 上下限为示例值，无官方文号")
    created_at: datetime


class Contribution(Base, table=True):
    __tablename__ = "contributions"
    __table_args__ = (
        # One posted regular contribution per person, type and month (a top-up sits beside it), in the database too.
        Index("uq_contribution_person_type_month", "id_number", "insurance_type", "month", "kind", unique=True,
              sqlite_where=text("status = 'posted'"), postgresql_where=text("status = 'posted'")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    insurance_type: str = DbField(max_length=20, index=True)
    credit_code: str | None = DbField(default=None, max_length=18, index=True)
    enrolment_id: str = DbField(max_length=36, index=True)
    month: str = DbField(max_length=7, index=True)
    kind: str = DbField(default=ContributionKind.regular, max_length=10,
                        sa_column_kwargs={"server_default": ContributionKind.regular.value})
    declared_base: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    base: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    base_adjustment: str | None = DbField(default=None, max_length=10)
    employer_amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    personal_amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    paid_date: date = DbField(index=True)
    status: str = DbField(default=ContributionStatus.posted, max_length=10, index=True)
    cancelled_date: date | None = None
    correction_reason: str | None = DbField(default=None, max_length=200)
    policy_source: str | None = DbField(default=None, max_length=500)
    illustrative: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
