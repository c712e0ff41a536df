"""用人单位 employers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared.validators import CountyCode, CreditCode


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
    pass


class EmployerPublic(EmployerBase):
    id: int
    status: EmployerStatus
    created_at: datetime


class Employer(Base, table=True):
    __tablename__ = "employers"

    id: int | None = DbField(default=None, primary_key=True)
    credit_code: str = DbField(max_length=18, unique=True, index=True)
    name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    industry: str | None = DbField(default=None, max_length=100)
    size: str | None = DbField(default=None, max_length=10)
    is_construction: bool = False
    status: str = DbField(default=EmployerStatus.active, max_length=10)
    created_at: datetime = DbField(default_factory=lambda: datetime.now(UTC))
