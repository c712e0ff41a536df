"""重点人群乡村创业一次性补贴 one-time rural start-up subsidy for key-group members."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Column, Numeric, false
from sqlmodel import Field as DbField

from employment.db import Base
from employment.key_groups.models import KeyGroup
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.validators import CreditCode, IdNumber


class SubsidyPolicy(PolicyVersion):
    """policy/startup_subsidies.toml: the one-time amount in yuan and the key groups that qualify."""

    amount: Decimal = Field(gt=0)
    eligible_groups: list[KeyGroup] = Field(min_length=1)
    note: str | None = None


class SubsidyStatus(StrEnum):
    granted = "granted"  # 已发放


class SubsidyApply(BaseModel):
    id_number: IdNumber = Field(
        description="申请人公民身份号码 (a key-group member on the day before business_start_date)")
    credit_code: CreditCode = Field(description="所创办经营主体的统一社会信用代码 (registered in a Quzhou county)")
    business_start_date: SupportedDate = Field(description="经营主体创办（成立）日期")
    applied_date: SupportedDate = Field(description="申请日期")


class SubsidyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    credit_code: str
    business_name: str
    county_code: str
    business_start_date: date
    applied_date: date
    groups: list[KeyGroup] = Field(description="创办前一日所属的重点群体 key groups on the day before the business "
                                   "was registered")
    amount: Money
    status: SubsidyStatus
    policy_source: str
    illustrative: bool = Field(description="true: 补贴标准为示例值，未核实官方文件 (the policy of the amount is "
                                           "illustrative)")
    created_at: datetime


class StartupSubsidy(Base, table=True):
    __tablename__ = "startup_subsidies"

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    # Once per person ever, enforced by the database as well.
    id_number: str = DbField(max_length=18, unique=True, index=True)
    name: str = DbField(max_length=50)
    credit_code: str = DbField(max_length=18, index=True)
    business_name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    business_start_date: date
    applied_date: date = DbField(index=True)
    groups: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    status: str = DbField(default=SubsidyStatus.granted, max_length=10)
    policy_source: str = DbField(max_length=300)
    illustrative: bool = DbField(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = DbField(default_factory=clock.now)


class StartupSubsidyRefusal(Base, table=True):
    """重复申领记录: a refused second claim, kept (and published) for 政策监管 policy supervision."""

    __tablename__ = "startup_subsidy_refusals"

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    applied_date: date
    reason: str = DbField(max_length=300)
    earlier_grant_id: str = DbField(max_length=36)
    submitted_by: str = DbField(max_length=64)
    created_at: datetime = DbField(default_factory=clock.now)
