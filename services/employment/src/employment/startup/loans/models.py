"""创业担保贷款 start-up guaranteed loans: application, approval, disbursement, repayment, default."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import JSON, Column, Index, Numeric, text
from sqlmodel import Field as DbField

from employment.db import Base
from employment.employers.models import EmployerSize
from employment.key_groups.models import KeyGroup
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber


class ApplicantKind(StrEnum):
    individual = "individual"  # 个人创业
    small_business = "small_business"  # 小微企业


APPLICANT_NAMES = {ApplicantKind.individual: "个人", ApplicantKind.small_business: "小微企业"}


class LoanStatus(StrEnum):
    applied = "applied"  # 已申请
    approved = "approved"  # 已审核通过
    rejected = "rejected"  # 未通过
    disbursed = "disbursed"  # 已放款
    repaid = "repaid"  # 已结清
    defaulted = "defaulted"  # 已逾期代偿


# A person holds at most one loan in these states.
ACTIVE_STATUSES = (LoanStatus.applied, LoanStatus.approved, LoanStatus.disbursed)


class SubsidyMethod(StrEnum):
    share_of_lpr = "share_of_lpr"  # 按合同签订日 LPR 的一定比例贴息 (interest_subsidy_share × LPR, at most the rate)
    above_borrower_rate = "above_borrower_rate"  # 借款人承担 LPR−N BP，其余财政贴息 (rate − (LPR − N BP))


class LprPolicy(PolicyVersion):
    """policy/lpr.toml: the one-year 贷款市场报价利率 (LPR, % a year) from each announcement day."""

    one_year: Decimal = Field(gt=0, lt=20)
    illustrative: bool = False
    note: str | None = None


class LoanPolicy(PolicyVersion):
    """policy/startup_loans.toml: caps in yuan and longest terms in months per applicant kind."""

    individual_cap: Decimal = Field(gt=0)
    small_business_cap: Decimal = Field(gt=0)
    individual_max_term_months: int = Field(ge=1, le=120)
    small_business_max_term_months: int = Field(ge=1, le=120)
    eligible_groups: list[KeyGroup] = Field(min_length=1)
    registered_unemployed_eligible: bool
    max_loans_per_person: int = Field(ge=1, le=20)
    small_business_sizes: list[EmployerSize] = Field(min_length=1)
    hiring_window_months: int = Field(ge=1, le=60)
    hiring_share: Decimal = Field(gt=0, le=1)
    hiring_share_large: Decimal = Field(gt=0, le=1)
    large_staff: int = Field(ge=1)
    interest_subsidy: str = Field(min_length=1)
    interest_subsidy_share: Decimal | None = Field(default=None, gt=0, le=1)
    illustrative: bool = False
    note: str | None = None
    # 贴息 computation (absent: the amount is not computed, only the rule stated).
    subsidy_method: SubsidyMethod | None = None
    borrower_rate_below_lpr_bp: int | None = Field(default=None, ge=0, le=1000)
    max_rate_above_lpr_bp: int | None = Field(default=None, ge=0, le=1000)
    subsidised_principal_cap_individual: Decimal | None = Field(default=None, gt=0)
    subsidised_principal_cap_small_business: Decimal | None = Field(default=None, gt=0)
    subsidy_period: Literal["quarter", "year"] = "quarter"
    day_count_basis: Literal[360, 365] = 360
    subsidy_source: str | None = None
    subsidy_illustrative: bool = True

    def subsidised_cap(self, kind: ApplicantKind) -> Decimal:
        """The principal on which interest is subsidised (the loan cap when the policy names none)."""
        named = (self.subsidised_principal_cap_individual if kind == ApplicantKind.individual
                 else self.subsidised_principal_cap_small_business)
        return named if named is not None else self.cap(kind)

    def share_for(self, staff: int) -> Decimal:
        """The hiring share a business of ``staff`` employees must reach."""
        return self.hiring_share_large if staff > self.large_staff else self.hiring_share

    def cap(self, kind: ApplicantKind) -> Decimal:
        return self.individual_cap if kind == ApplicantKind.individual else self.small_business_cap

    def max_term_months(self, kind: ApplicantKind) -> int:
        if kind == ApplicantKind.individual:
            return self.individual_max_term_months
        return self.small_business_max_term_months


class LoanApply(BaseModel):
    id_number: IdNumber = Field(description="借款人公民身份号码 (for a small business, its legal representative)")
    applicant_kind: ApplicantKind = Field(description="借款人类型 individual 个人 / small_business 小微企业")
    credit_code: CreditCode | None = Field(
        default=None, validate_default=True,
        description="统一社会信用代码: the registered small business (required), or an individual's own business",
    )
    county_code: CountyCode | None = Field(
        default=None, description="创业所在县（市、区）代码 (required for an individual; a small business's own county)"
    )
    amount: PositiveMoney = Field(description="申请金额（元）amount applied for, e.g. \"300000.00\"")
    term_months: int = Field(ge=1, le=120, description="贷款期限（月）")
    bank: Annotated[str, short_text(100)] = Field(description="经办银行")
    purpose: Annotated[str, short_text(200)] = Field(description="贷款用途")
    applied_date: SupportedDate = Field(description="申请日期")
    female_original_age: Literal[50, 55] | None = Field(
        default=None, description="女性原法定退休年龄 a woman's original statutory retirement age: 50 (女工人) or 55 "
        "(女干部、管理岗位、灵活就业); omitted: 55. Sets her retirement age (hrss_shared.reference.retirement)",
    )

    @field_validator("credit_code")
    @classmethod
    def _business_code(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("applicant_kind") == ApplicantKind.small_business:
            raise ValueError("小微企业贷款须填写统一社会信用代码 (required for a small-business loan)")
        return value


class LoanApprove(BaseModel):
    approved_amount: PositiveMoney = Field(description="核定金额（元）, no more than applied and the cap in force")
    approved_date: SupportedDate = Field(description="审核通过日期")


class LoanReject(BaseModel):
    rejected_date: SupportedDate = Field(description="审核不通过日期")
    reason: Annotated[str, short_text(200)] = Field(description="不通过原因")


class LoanDisburse(BaseModel):
    disbursed_date: SupportedDate = Field(description="放款日期（视为贷款合同签订日：LPR 与贴息政策按该日取）")
    interest_rate: Decimal | None = Field(
        default=None, gt=0, le=24, max_digits=6, decimal_places=4,
        description="贷款合同年利率（%），例如 \"4.2\"；不填则不计算贴息金额 (annual contract rate in percent)")


class LoanRepay(BaseModel):
    amount: PositiveMoney = Field(description="本次还款金额（元）")
    repaid_date: SupportedDate = Field(description="还款日期")


class LoanDefault(BaseModel):
    defaulted_date: SupportedDate = Field(description="逾期（代偿）认定日期")
    reason: Annotated[str, short_text(200)] = Field(description="逾期原因 / 代偿说明")


class LoanPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    applicant_kind: ApplicantKind
    credit_code: str | None
    county_code: str
    amount: Money
    term_months: int
    bank: str
    purpose: str
    applied_date: date
    status: LoanStatus
    allowed_actions: list[str] = Field(description="当前可办理的操作 transitions allowed from the current status")
    approved_amount: Money | None
    approved_date: date | None
    rejected_date: date | None
    disbursed_date: date | None
    repaid_amount: Money
    outstanding_amount: Money | None = Field(description="未还本金 (after disbursement)")
    last_repaid_date: date | None
    defaulted_date: date | None
    status_reason: str | None
    groups: list[KeyGroup] | None = Field(
        default=None, description="个人借款人申请日所属重点群体 (individual: the eligible key groups on the "
        "application date; empty when eligible as 登记失业人员 only)")
    registered_unemployed: bool | None = Field(default=None, description="个人借款人申请日为登记失业人员")
    staff: int | None = Field(default=None, description="小微企业申请日在职职工人数 (employment registrations)")
    key_group_hires: int | None = Field(
        default=None, description="小微企业申请前规定月数内新招用符合条件人员数 (hires in the policy's window)")
    policy_source: str
    interest_subsidy: str = Field(description="贴息规则 (the version in force on the approval, else application, date)")
    interest_subsidy_share: Decimal | None = Field(description="财政贴息占利息的比例, when the rule is a share")
    illustrative: bool = Field(description="true: the policy version's source is not confirmed, or a value the "
                                           "interest subsidy total uses (subsidy terms, LPR) is illustrative")
    interest_rate: Decimal | None = Field(default=None, description="贷款合同年利率（%）")
    interest_subsidy_total: Money | None = Field(
        default=None, description="贴息总额（元）: the whole subsidy schedule, the days after today projected with "
        "no further repayment; details at GET /v1/startup-loans/{id}/interest-subsidy")
    interest_subsidy_last_date: date | None = Field(default=None, description="最后一个贴息日 the last subsidised day")
    created_at: datetime
    updated_at: datetime | None


class SubsidySegment(BaseModel):
    start_date: date
    end_date: date
    days: int
    outstanding_principal: Money = Field(description="未还本金（元）")
    subsidised_principal: Money = Field(description="贴息本金（元）: the outstanding principal, at most the cap")
    amount: Money = Field(description="贴息金额（元）= 贴息本金 × 贴息利率 × 天数 ÷ 计息基准天数")
    projected: bool = Field(description="true: after today, assuming no further repayment")


class SubsidyPeriod(BaseModel):
    period: str = Field(description="贴息结算期 e.g. 2024Q1 (quarter) or 2024 (year)")
    start_date: date
    end_date: date
    days: int
    amount: Money
    projected: bool = Field(description="true: the period ends after today")
    segments: list[SubsidySegment]


class InterestSubsidyPublic(BaseModel):
    """创业担保贷款贴息测算 the interest subsidy of a loan, per settlement period."""

    loan_id: str
    computed: bool = Field(description="false: not computed, see reason")
    reason: str | None = Field(default=None, description="未计算原因 (not disbursed, no rate, or no rule)")
    as_of: date
    principal: Money | None = Field(description="核定（放款）本金（元）")
    interest_rate: Decimal | None = Field(description="合同年利率（%）")
    lpr: Decimal | None = Field(description="合同签订日（放款日）一年期 LPR（%）")
    lpr_source: str | None
    lpr_illustrative: bool | None
    method: SubsidyMethod | None
    subsidised_rate: Decimal | None = Field(description="财政贴息年利率（%）")
    borrower_rate: Decimal | None = Field(description="借款人承担年利率（%）")
    subsidised_principal_cap: Money | None = Field(description="贴息本金上限（元）: above it no subsidy")
    first_date: date | None = Field(description="第一个贴息日（放款日）")
    last_date: date | None = Field(description="最后一个贴息日: the day before full repayment or default, at most "
                                               "the last day of the contract term")
    period_kind: str | None = Field(description="quarter 按季 / year 按年")
    day_count_basis: int | None = Field(description="计息基准天数 (360: 日利率 = 年利率 ÷ 360)")
    periods: list[SubsidyPeriod]
    total: Money = Field(description="贴息合计（元）")
    total_to_date: Money = Field(description="截至今天的贴息（元） (periods and segments not projected)")
    policy_source: str
    subsidy_source: str | None
    illustrative: bool = Field(description="true: a value used (policy version, subsidy terms or the LPR) has no "
                                           "confirmed official source")


class LoanRepaymentRecord(Base, table=True):
    """一笔还款 one repayment, so the subsidy follows the outstanding principal day by day."""

    __tablename__ = "startup_loan_repayments"

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    loan_id: str = DbField(max_length=36, index=True)
    amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    repaid_date: date
    created_at: datetime = DbField(default_factory=clock.now)


class StartupLoan(Base, table=True):
    __tablename__ = "startup_loans"
    # One active loan (applied, approved or disbursed) per person, enforced by the database as well.
    __table_args__ = (
        Index("uq_startup_loan_active_person", "id_number", unique=True,
              sqlite_where=text("status IN ('applied', 'approved', 'disbursed')"),
              postgresql_where=text("status IN ('applied', 'approved', 'disbursed')")),
    )

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    applicant_kind: str = DbField(max_length=20)
    credit_code: str | None = DbField(default=None, max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    term_months: int
    bank: str = DbField(max_length=100)
    purpose: str = DbField(max_length=200)
    applied_date: date = DbField(index=True)
    status: str = DbField(default=LoanStatus.applied, max_length=12, index=True)
    approved_amount: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    approved_date: date | None = None
    rejected_date: date | None = None
    disbursed_date: date | None = None
    repaid_amount: Decimal = DbField(default=Decimal("0.00"), sa_column=Column(Numeric(14, 2), nullable=False))
    last_repaid_date: date | None = None
    defaulted_date: date | None = None
    status_reason: str | None = DbField(default=None, max_length=200)
    groups: list[str] | None = DbField(default=None, sa_column=Column(JSON, nullable=True))
    registered_unemployed: bool | None = None
    staff: int | None = None
    key_group_hires: int | None = None
    interest_rate: Decimal | None = DbField(default=None, sa_column=Column(Numeric(8, 4), nullable=True))
    policy_source: str = DbField(max_length=300)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    @property
    def outstanding_amount(self) -> Decimal | None:
        if self.approved_amount is None or self.disbursed_date is None:
            return None
        return self.approved_amount - self.repaid_amount
