"""岗位发布 job postings by registered employers, and the 人岗匹配 match results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import Numeric
from sqlmodel import Column
from sqlmodel import Field as DbField

from employment.db import Base
from employment.job_seekers.models import Education
from employment.key_groups.models import KeyGroup
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import free_text, short_text
from hrss_shared.validators import CountyCode, CreditCode

CENT = Decimal("0.01")
MAX_YUAN = Decimal("9999999999.99")


def _yuan(value: Decimal) -> Decimal:
    """Money in yuan with at most two places, serialised with exactly two."""
    if not value.is_finite():
        raise ValueError("金额须为有限数值 (amount must be a finite number)")
    if value < 0:
        raise ValueError("金额不能为负数 (amount must not be negative)")
    if value > MAX_YUAN:
        raise ValueError(f"金额超出上限 {MAX_YUAN} 元 (amount above {MAX_YUAN} yuan)")
    if value != value.quantize(CENT):
        raise ValueError("金额最多两位小数（元、角、分） (at most two decimal places, in yuan)")
    return value.quantize(CENT)


Yuan = Annotated[Decimal, AfterValidator(_yuan)]


class PostingStatus(StrEnum):
    open = "open"  # 招聘中
    closed = "closed"  # 已关闭
    filled = "filled"  # 已招满


class ClosingStatus(StrEnum):
    """The states closing a posting can leave it in."""

    closed = "closed"
    filled = "filled"


class JobPostingCreate(BaseModel):
    credit_code: CreditCode = Field(description="用人单位统一社会信用代码 (registered, active employer)")
    occupation: Annotated[str, short_text(100)] = Field(description="岗位工种/职业 occupation")
    title: Annotated[str, short_text(200)] = Field(description="岗位名称")
    count: int = Field(ge=1, le=100000, description="招聘人数 number of openings")
    min_monthly_wage: Yuan = Field(description="月薪下限（元） minimum monthly wage in yuan")
    max_monthly_wage: Yuan = Field(description="月薪上限（元） maximum monthly wage in yuan, not below the minimum")
    required_level: int | None = Field(
        default=None, ge=1, le=5,
        description="技能等级要求 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师; a smaller number is a higher skill)",
    )
    county_code: CountyCode = Field(description="工作地县（市、区）代码")
    closing_date: SupportedDate = Field(description="截止日期 (today or later)")
    education: Education | None = Field(default=None, description="学历要求")
    description: Annotated[str, free_text(4000)] | None = Field(default=None, description="岗位描述")

    @field_validator("max_monthly_wage")
    @classmethod
    def _wage_range(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        low = info.data.get("min_monthly_wage")
        if low is not None and value < low:
            raise ValueError(f"月薪上限低于下限 {low} 元 (maximum below the minimum monthly wage {low})")
        return value


class JobPostingClose(BaseModel):
    status: ClosingStatus = Field(default=ClosingStatus.closed, description="closed 关闭 or filled 已招满")
    reason: Annotated[str, short_text(200)] | None = Field(default=None, description="关闭原因")


class JobPostingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    credit_code: str
    employer_name: str
    occupation: str
    title: str
    count: int
    min_monthly_wage: Yuan
    max_monthly_wage: Yuan
    required_level: int | None
    county_code: str
    closing_date: date
    education: Education | None
    description: str | None
    status: PostingStatus
    published_date: date
    closed_date: date | None
    close_reason: str | None
    created_at: datetime


class JobPosting(Base, table=True):
    __tablename__ = "job_postings"

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    occupation: str = DbField(max_length=100, index=True)
    title: str = DbField(max_length=200)
    count: int
    min_monthly_wage: Decimal = DbField(sa_column=Column(Numeric(12, 2), nullable=False))
    max_monthly_wage: Decimal = DbField(sa_column=Column(Numeric(12, 2), nullable=False))
    required_level: int | None = None
    county_code: str = DbField(max_length=6, index=True)
    closing_date: date = DbField(index=True)
    education: str | None = DbField(default=None, max_length=20)
    description: str | None = DbField(default=None, max_length=4000)
    status: str = DbField(default=PostingStatus.open, max_length=10, index=True)
    published_date: date
    closed_date: date | None = None
    close_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)


# ---- 人岗匹配 match results ------------------------------------------------------------------


class MatchCriterion(StrEnum):
    occupation_wish = "occupation_wish"  # 求职意向工种相符
    occupation_certified = "occupation_certified"  # 持有该工种技能等级证书
    skill_level = "skill_level"  # 技能等级达到岗位要求
    same_county = "same_county"  # 同一县（市、区）
    key_group = "key_group"  # 重点群体优先


class MatchReason(BaseModel):
    criterion: MatchCriterion = Field(description="匹配项")
    points: int = Field(description="该项得分 (weight from the matching policy in force)")
    detail: str = Field(description="说明")


class SeekerMatch(BaseModel):
    """A job seeker ranked for a posting; id_number is masked without pii:read."""

    id_number: PersonIdNumber
    name: str
    county_code: str
    score: int = Field(description="匹配得分 (sum of the reasons' points)")
    skill_level: int | None = Field(description="该工种最高技能等级 (best certified level in the posting's occupation)")
    key_groups: list[KeyGroup] = Field(description="当日有效的重点群体认定")
    reasons: list[MatchReason]


class SeekerMatches(BaseModel):
    posting_id: str
    as_of: SupportedDate = Field(description="匹配日期")
    policy_effective_from: SupportedDate = Field(description="所用匹配权重的生效日期")
    count: int = Field(description="候选人数 candidates scored (before the limit)")
    limit: int
    data: list[SeekerMatch]


class PostingMatch(BaseModel):
    """An open posting ranked for a job seeker."""

    id: str
    credit_code: str
    employer_name: str
    title: str
    occupation: str
    county_code: str
    min_monthly_wage: Yuan
    max_monthly_wage: Yuan
    required_level: int | None
    closing_date: date
    score: int
    reasons: list[MatchReason]


class PostingMatches(BaseModel):
    id_number: PersonIdNumber
    as_of: date
    policy_effective_from: date
    count: int = Field(description="候选岗位数 open postings scored (before the limit)")
    limit: int
    data: list[PostingMatch]
