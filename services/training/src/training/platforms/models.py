"""技能大师工作室 master studios and 培训基地 training bases (企业高技能人才培训示范基地, 公共实训基地)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import OrgName, PersonName, short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber, not_after_today
from training.common import OccupationCode
from training.db import Base

MAX_OCCUPATIONS = 20


def _uuid() -> str:
    return str(uuid.uuid4())


class PlatformType(StrEnum):
    master_studio = "master_studio"  # 技能大师工作室
    training_base = "training_base"  # 培训基地


class BaseKind(StrEnum):
    enterprise_high_skill_demo = "enterprise_high_skill_demo"  # 企业高技能人才培训示范基地
    public_training = "public_training"  # 公共实训基地


class PlatformLevel(StrEnum):
    national = "national"  # 国家级
    provincial = "provincial"  # 省级
    city = "city"  # 市级


class PlatformStatus(StrEnum):
    active = "active"  # 有效
    revoked = "revoked"  # 已撤销


TYPE_NAMES = {PlatformType.master_studio: "技能大师工作室", PlatformType.training_base: "培训基地"}
BASE_KIND_NAMES = {BaseKind.enterprise_high_skill_demo: "企业高技能人才培训示范基地",
                   BaseKind.public_training: "公共实训基地"}


def _distinct(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError("职业编码重复 (occupation codes must not repeat)")
    return value


class _PlatformCreate(BaseModel):
    name: OrgName = Field(description="名称")
    level: PlatformLevel = Field(description="级别 national 国家级 / provincial 省级 / city 市级")
    credit_code: CreditCode = Field(description="依托单位（运营单位）统一社会信用代码")
    employer_name: OrgName = Field(description="依托单位（运营单位）名称")
    occupation_codes: list[OccupationCode] = Field(min_length=1, max_length=MAX_OCCUPATIONS,
                                                   description="职业编码（《国家职业分类大典》）")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    recognised_date: SupportedDate = Field(description="认定日期（不晚于今天）")

    _codes = field_validator("occupation_codes")(_distinct)
    _recognised = field_validator("recognised_date")(not_after_today)


class MasterStudioCreate(_PlatformCreate):
    lead_id_number: IdNumber = Field(description="领办技能大师公民身份号码")
    lead_name: PersonName = Field(description="领办技能大师姓名")


class TrainingBaseCreate(_PlatformCreate):
    kind: BaseKind = Field(description="基地类型 enterprise_high_skill_demo 企业高技能人才培训示范基地 / "
                                       "public_training 公共实训基地")


class Revocation(BaseModel):
    reason: Annotated[str, short_text(200, label="撤销原因")] = Field(description="撤销原因")
    revoked_date: SupportedDate = Field(description="撤销日期（不早于认定日期，不晚于今天）")

    _revoked = field_validator("revoked_date")(not_after_today)


class PlatformPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    platform_type: PlatformType
    kind: BaseKind | None = Field(description="培训基地类型 (training bases)")
    name: str
    level: PlatformLevel
    credit_code: str
    employer_name: str
    lead_id_number: PersonIdNumber | None = Field(description="领办技能大师公民身份号码 (master studios)")
    lead_name: str | None
    occupation_codes: list[str]
    county_code: str
    recognised_date: date
    status: PlatformStatus = Field(description="active 有效 / revoked 已撤销")
    revoked_date: date | None
    revoke_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class Platform(Base, table=True):
    __tablename__ = "platforms"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    platform_type: str = DbField(max_length=20, index=True)
    kind: str | None = DbField(default=None, max_length=40, index=True)
    name: str = DbField(max_length=200)
    level: str = DbField(max_length=12, index=True)
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    lead_id_number: str | None = DbField(default=None, max_length=18, index=True)
    lead_name: str | None = DbField(default=None, max_length=50)
    occupation_codes: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    county_code: str = DbField(max_length=6, index=True)
    recognised_date: date = DbField(index=True)
    status: str = DbField(default=PlatformStatus.active, max_length=10, index=True)
    revoked_date: date | None = None
    revoke_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
