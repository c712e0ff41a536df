"""拖欠农民工工资失信联合惩戒名单 the dishonesty list: employers put on it by decision, and taken off when lifted."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.text import OrgName, short_text
from hrss_shared.validators import CountyCode, CreditCode
from labour_relations.common import Reason
from labour_relations.db import Base

DecisionReference = Annotated[str, short_text(100, label="决定文号")]


def _uuid() -> str:
    return str(uuid.uuid4())


class ListingStatus(StrEnum):
    listed = "listed"  # 在列
    removed = "removed"  # 已移出


class ListingCreate(BaseModel):
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    employer_name: OrgName = Field(description="单位名称")
    county_code: CountyCode = Field(description="县（市、区）代码")
    decision_reference: DecisionReference = Field(description="列入决定文号")
    decision_date: SupportedDate = Field(description="列入决定日期（不晚于今天）")
    reason: Reason | None = Field(default=None, description="列入事由")


class ListingRemove(BaseModel):
    removed_date: SupportedDate | None = Field(default=None, description="移出日期（默认今天；不早于列入决定日期）")
    reason: Reason = Field(description="移出原因（惩戒期满、信用修复等）")


class ListingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    credit_code: str
    employer_name: str
    county_code: str
    decision_reference: str
    decision_date: date
    reason: str | None
    status: ListingStatus = Field(description="listed 在列 / removed 已移出")
    removed_date: date | None
    removal_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class DishonestEmployer(Base, table=True):
    __tablename__ = "dishonest_employers"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    decision_reference: str = DbField(max_length=100)
    decision_date: date = DbField(index=True)
    reason: str | None = DbField(default=None, max_length=500)
    status: str = DbField(default=ListingStatus.listed, max_length=10, index=True)
    removed_date: date | None = None
    removal_reason: str | None = DbField(default=None, max_length=500)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
