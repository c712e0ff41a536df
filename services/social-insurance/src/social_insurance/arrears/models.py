"""单位欠缴 employer contribution arrears: one record per employer and month."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Column
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from social_insurance.db import Base


class ArrearsStatus(StrEnum):
    open = "open"  # 欠缴中
    resolved = "resolved"  # 已补缴到位


class ArrearsPolicy(PolicyVersion):
    """policy/arrears.toml: how many consecutive unpaid months make arrears."""

    illustrative: bool = False
    consecutive_months: int = Field(ge=1, le=24, description="连续欠缴月数（及以上）即为单位欠缴")


class PersonOwed(BaseModel):
    id_number: PersonIdNumber
    insurance_type: str
    months: list[str] = Field(description="欠缴月份 YYYY-MM")


class ArrearsPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="欠缴记录 id = 信用代码-月份")
    credit_code: str
    county_code: str | None
    month: str = Field(description="欠缴判定月份（形成欠缴的最近未缴月份）")
    consecutive_months: int = Field(description="最长连续欠缴月数")
    persons: list[PersonOwed] = Field(description="欠缴人员、险种及月份")
    person_count: int
    status: ArrearsStatus = Field(description="open 欠缴中 / resolved 已补缴到位")
    raised_date: date
    resolved_date: date | None
    policy_source: str
    illustrative: bool = Field(description="true: 连续欠缴月数为平台示例规则，无官方文号")


class Arrears(Base, table=True):
    __tablename__ = "arrears"

    id: str = DbField(primary_key=True, max_length=40)  # one per employer and month: f"{credit_code}-{month}"
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str | None = DbField(default=None, max_length=6, index=True)
    month: str = DbField(max_length=7, index=True)
    consecutive_months: int
    persons: list[dict[str, Any]] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    person_count: int
    status: str = DbField(default=ArrearsStatus.open, max_length=10, index=True)
    raised_date: date = DbField(index=True)
    resolved_date: date | None = None
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
