"""创业孵化基地 incubation bases and 返乡入乡创业基地 return-home start-up bases."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import Index, text
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.text import org_name, short_text
from hrss_shared.validators import CountyCode, CreditCode


class BaseKind(StrEnum):
    incubation = "incubation"  # 创业孵化基地
    return_home = "return_home"  # 返乡入乡创业基地


BASE_KIND_NAMES = {BaseKind.incubation: "创业孵化基地", BaseKind.return_home: "返乡入乡创业基地"}


class BaseLevel(StrEnum):
    national = "national"  # 国家级
    provincial = "provincial"  # 省级
    municipal = "municipal"  # 市级
    county = "county"  # 县级


class BaseStatus(StrEnum):
    recognised = "recognised"  # 已认定
    revoked = "revoked"  # 已撤销


class StartupBaseCreate(BaseModel):
    kind: BaseKind = Field(description="incubation 创业孵化基地 / return_home 返乡入乡创业基地")
    name: Annotated[str, org_name(200, label="基地名称")] = Field(description="基地名称")
    county_code: CountyCode = Field(description="基地所在县（市、区）代码")
    credit_code: CreditCode = Field(description="运营主体统一社会信用代码")
    level: BaseLevel | None = Field(
        default=None, description="认定级别 national 国家级 / provincial 省级 / municipal 市级 / county 县级"
    )
    recognised_date: SupportedDate = Field(description="认定日期")
    capacity: int = Field(ge=1, le=100000, description="可入驻（孵化）创业实体数 capacity in start-up entities")


class StartupBaseRevoke(BaseModel):
    revoked_date: SupportedDate = Field(description="撤销认定日期")
    reason: Annotated[str, short_text(200)] = Field(description="撤销原因")


class StartupBasePublic(BaseModel):
    id: str
    kind: BaseKind
    kind_name: str
    name: str
    county_code: str
    credit_code: str
    level: BaseLevel | None
    recognised_date: date
    capacity: int
    status: BaseStatus
    revoked_date: date | None
    revoke_reason: str | None
    created_at: datetime


class StartupBase(Base, table=True):
    __tablename__ = "startup_bases"
    # One recognised base of a kind with the same name in a county, enforced by the database as well.
    __table_args__ = (
        Index("uq_startup_base_recognised_name", "kind", "county_code", "name", unique=True,
              sqlite_where=text("status = 'recognised'"), postgresql_where=text("status = 'recognised'")),
    )

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    kind: str = DbField(max_length=20, index=True)
    name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    credit_code: str = DbField(max_length=18, index=True)
    level: str | None = DbField(default=None, max_length=12)
    recognised_date: date = DbField(index=True)
    capacity: int
    status: str = DbField(default=BaseStatus.recognised, max_length=12, index=True)
    revoked_date: date | None = None
    revoke_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
