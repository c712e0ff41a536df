"""公益性岗位 public-welfare posts and the placements (安置) of key-group members on them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, ForeignKey, Index, Numeric, String, text
from sqlmodel import Field as DbField

from employment.db import Base
from employment.key_groups.models import KeyGroup
from employment.startup.common import not_before_start
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber


def _uuid() -> str:
    return str(uuid.uuid4())


class PublicWelfarePolicy(PolicyVersion):
    """policy/public_welfare.toml: the cumulative term, the exception near retirement and who may be placed."""

    max_term_months: int = Field(ge=1, le=120, description="累计安置期限（月），自首次安置起")
    near_retirement_years: int = Field(ge=0, le=15, description="距法定退休年龄不足该年数的就业困难人员可安置至退休")
    eligible_groups: list[KeyGroup] = Field(min_length=1)
    illustrative: bool = False
    note: str | None = None


class PlacementStatus(StrEnum):
    active = "active"  # 在岗
    ended = "ended"  # 已退出


# ---- posts ----------------------------------------------------------------------------------


class PostCreate(BaseModel):
    credit_code: CreditCode = Field(description="开发单位（用人单位）统一社会信用代码 (a registered employer)")
    title: Annotated[str, short_text(100)] = Field(description="岗位名称, e.g. 保洁、保安、护林员、社区协管")
    county_code: CountyCode = Field(description="岗位所在县（市、区）代码")
    monthly_subsidy: PositiveMoney = Field(description="岗位补贴（元/月）monthly subsidy in yuan, e.g. \"2280.00\"")
    positions: int = Field(ge=1, le=10000, description="岗位数量 number of positions")
    start_date: SupportedDate = Field(description="岗位开发（项目）起始日期")
    end_date: SupportedDate = Field(description="岗位开发（项目）终止日期")

    _dates = field_validator("end_date")(not_before_start)


class PostPublic(BaseModel):
    id: str
    credit_code: str
    employer_name: str
    title: str
    county_code: str
    monthly_subsidy: Money
    positions: int
    occupied_positions: int = Field(description="在岗人数 active placements")
    start_date: date
    end_date: date
    created_at: datetime


class PublicWelfarePost(Base, table=True):
    __tablename__ = "public_welfare_posts"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    title: str = DbField(max_length=100)
    county_code: str = DbField(max_length=6, index=True)
    monthly_subsidy: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    positions: int
    start_date: date = DbField(index=True)
    end_date: date
    created_at: datetime = DbField(default_factory=clock.now)


# ---- placements -----------------------------------------------------------------------------


class PlacementCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码 of the person placed (就业困难人员 or another key group)")
    start_date: SupportedDate = Field(description="安置（上岗）日期")
    end_date: SupportedDate = Field(description="协议期满日期 the last day of the agreed term")
    female_original_age: Literal[50, 55] | None = Field(
        default=None, description="女性原法定退休年龄 a woman's original statutory retirement age: 50 (女工人) or 55 "
        "(女干部、管理岗位、灵活就业); omitted: 55. Sets her retirement age (hrss_shared.reference.retirement)",
    )

    _dates = field_validator("end_date")(not_before_start)


class PlacementEnd(BaseModel):
    ended_date: SupportedDate = Field(description="退出日期 the last day on the post")
    reason: Annotated[str, short_text(200)] = Field(description="退出原因, e.g. 协议期满、实现市场就业、本人申请")


class PlacementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    post_id: str
    id_number: PersonIdNumber
    name: str
    credit_code: str
    county_code: str
    groups: list[KeyGroup] = Field(description="安置时所属重点群体 key groups on the start date")
    start_date: date
    end_date: date
    status: PlacementStatus
    ended_date: date | None
    end_reason: str | None
    created_at: datetime


class PublicWelfarePlacement(Base, table=True):
    __tablename__ = "public_welfare_placements"
    # One post at a time per person, enforced by the database as well.
    __table_args__ = (
        Index("uq_public_welfare_placement_active_person", "id_number", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    post_id: str = DbField(sa_column=Column(String(36), ForeignKey("public_welfare_posts.id"), nullable=False,
                                            index=True))
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    credit_code: str = DbField(max_length=18)
    county_code: str = DbField(max_length=6, index=True)
    groups: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    start_date: date = DbField(index=True)
    end_date: date
    status: str = DbField(default=PlacementStatus.active, max_length=10, index=True)
    ended_date: date | None = None
    end_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
