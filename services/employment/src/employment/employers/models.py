"""用人单位 employers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.text import OrgName, short_text
from hrss_shared.validators import CountyCode, CreditCode, not_null


class EmployerSize(StrEnum):
    micro = "micro"
    small = "small"
    medium = "medium"
    large = "large"


class EmployerStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class EmployerBase(BaseModel):
    credit_code: CreditCode = Field(description="统一社会信用代码 unified social credit code (GB 32100-2015)")
    name: str = Field(min_length=1, max_length=200, description="单位名称")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    industry: str | None = Field(default=None, max_length=100, description="行业")
    size: EmployerSize | None = Field(default=None, description="企业规模")
    is_construction: bool = Field(default=False, description="是否建筑施工企业")


class EmployerCreate(EmployerBase):
    name: OrgName = Field(description="单位名称")
    industry: Annotated[str, short_text(100)] | None = Field(default=None, description="行业")


class EmployerUpdate(BaseModel):
    """信息变更: only the fields sent change; ``industry`` and ``size`` may be cleared with null."""

    name: OrgName | None = Field(default=None, description="单位名称")
    county_code: CountyCode | None = Field(
        default=None, description="所在县（市、区）代码 (only clients without a county limit may move an employer)"
    )
    industry: Annotated[str, short_text(100)] | None = Field(default=None, description="行业")
    size: EmployerSize | None = Field(default=None, description="企业规模")
    is_construction: bool | None = Field(default=None, description="是否建筑施工企业")

    _not_null = field_validator("name", "county_code", "is_construction", mode="before")(not_null)

    @model_validator(mode="after")
    def _something(self) -> EmployerUpdate:
        if not self.model_fields_set:
            raise ValueError("未提供需变更的字段 (no field to change; send at least one of "
                             "name, county_code, industry, size, is_construction)")
        return self


class Deactivation(BaseModel):
    deactivated_date: SupportedDate = Field(description="注销（停业）日期")
    reason: Annotated[str, short_text(200)] = Field(description="注销原因")

    @field_validator("deactivated_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > clock.today():
            raise ValueError(f"注销日期不能晚于今天 (date {value} is in the future)")
        return value


class EmployerPublic(EmployerBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: EmployerStatus
    deactivated_date: date | None = None
    deactivation_reason: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class Employer(Base, table=True):
    __tablename__ = "employers"

    id: int | None = DbField(default=None, primary_key=True)
    credit_code: str = DbField(max_length=18, unique=True, index=True)
    name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    industry: str | None = DbField(default=None, max_length=100)
    size: str | None = DbField(default=None, max_length=10)
    is_construction: bool = False
    status: str = DbField(default=EmployerStatus.active, max_length=10, index=True)
    deactivated_date: date | None = None
    deactivation_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now, index=True)
    updated_at: datetime | None = None
