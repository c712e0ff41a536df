"""职业技能等级证书 skill-level certificates and 专项职业能力证书 certificates of a specific vocational ability."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.corrections import Cancellation, Correction
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import OrgName, PersonName, short_text
from hrss_shared.validators import CountyCode, IdNumber, not_after_today, not_null
from training.common import OccupationCode, OccupationName
from training.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class SkillLevel(IntEnum):
    """国家职业技能标准 levels: 5 is the lowest, 1 the highest."""

    senior_technician = 1  # 一级/高级技师
    technician = 2  # 二级/技师
    senior = 3  # 三级/高级工
    intermediate = 4  # 四级/中级工
    junior = 5  # 五级/初级工


LEVEL_NAMES = {1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}
# 高技能人才: 取得高级工（三级）及以上 — 中办 国办《关于加强新时代高技能人才队伍建设的意见》(2022) defines
# high-skill talent as holders of 高级工, 技师 and 高级技师 certificates. A definition, not a policy amount.
HIGH_SKILL_LEVEL = 3


def is_high_skill(level: int) -> bool:
    """三级/高级工 and above (a smaller number is a higher level)."""
    return level <= HIGH_SKILL_LEVEL


class CertificateStatus(StrEnum):
    valid = "valid"  # 有效
    cancelled = "cancelled"  # 已撤销


CertificateNumber = Annotated[str, short_text(64, label="证书编号")]
AbilityName = Annotated[str, short_text(100, label="专项职业能力名称")]


class CertificateCreate(BaseModel):
    certificate_number: CertificateNumber = Field(description="证书编号（全国唯一）")
    id_number: IdNumber = Field(description="持证人公民身份号码")
    name: PersonName = Field(description="持证人姓名")
    county_code: CountyCode = Field(description="认定地县（市、区）代码")
    occupation_code: OccupationCode = Field(description="职业编码（《国家职业分类大典》，如 6-29-03-01）")
    occupation_name: OccupationName = Field(description="职业（工种）名称，如 电工")
    level: SkillLevel = Field(description="技能等级 5 五级/初级工, 4 四级/中级工, 3 三级/高级工, 2 二级/技师, "
                                          "1 一级/高级技师（三级及以上为高技能人才）")
    evaluation_org: OrgName = Field(description="评价机构（职业技能等级认定机构）")
    issued_date: SupportedDate = Field(description="发证日期（不晚于今天）")
    enrolment_id: str | None = Field(default=None, min_length=1, max_length=36,
                                     description="对应的培训报名记录 id（培训后评价时填写）")

    _issued = field_validator("issued_date")(not_after_today)


class CertificateCorrection(Correction):
    """更正: only the fields sent change; the reason is required."""

    name: PersonName | None = Field(default=None, description="持证人姓名")
    county_code: CountyCode | None = Field(default=None, description="认定地县（市、区）代码")
    occupation_code: OccupationCode | None = Field(default=None, description="职业编码")
    occupation_name: OccupationName | None = Field(default=None, description="职业（工种）名称")
    level: SkillLevel | None = Field(default=None, description="技能等级 1-5")
    evaluation_org: OrgName | None = Field(default=None, description="评价机构")
    issued_date: SupportedDate | None = Field(default=None, description="发证日期")

    _not_null = field_validator("name", "county_code", "occupation_code", "occupation_name", "level",
                                "evaluation_org", "issued_date", mode="before")(not_null)
    _issued = field_validator("issued_date")(not_after_today)


CertificateCancellation = Cancellation


class CertificatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    certificate_number: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    occupation_code: str
    occupation_name: str
    level: int = Field(description="技能等级 1-5 (5 五级/初级工 … 1 一级/高级技师)")
    level_name: str = Field(description="等级名称")
    high_skill: bool = Field(description="高技能人才（三级/高级工及以上）")
    evaluation_org: str
    issued_date: date
    enrolment_id: str | None
    status: CertificateStatus = Field(description="valid 有效 / cancelled 已撤销")
    cancelled_date: date | None
    cancel_reason: str | None
    corrections: int = Field(description="更正次数")
    created_at: datetime
    updated_at: datetime | None


class Certificate(Base, table=True):
    __tablename__ = "certificates"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    certificate_number: str = DbField(max_length=64, unique=True)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    occupation_code: str = DbField(max_length=10, index=True)
    occupation_name: str = DbField(max_length=100)
    level: int = DbField(index=True)
    evaluation_org: str = DbField(max_length=200)
    issued_date: date = DbField(index=True)
    enrolment_id: str | None = DbField(default=None, max_length=36)
    status: str = DbField(default=CertificateStatus.valid, max_length=10, index=True)
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    corrections: int = 0
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def high_skill(self) -> bool:
        return is_high_skill(self.level)


class SpecialCertificateCreate(BaseModel):
    certificate_number: CertificateNumber = Field(description="证书编号（全国唯一）")
    id_number: IdNumber = Field(description="持证人公民身份号码")
    name: PersonName = Field(description="持证人姓名")
    county_code: CountyCode = Field(description="考核地县（市、区）代码")
    ability_name: AbilityName = Field(description="专项职业能力名称，如 衢州鸭头制作、龙游发糕制作")
    evaluation_org: OrgName = Field(description="考核机构")
    issued_date: SupportedDate = Field(description="发证日期（不晚于今天）")

    _issued = field_validator("issued_date")(not_after_today)


class SpecialCertificatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    certificate_number: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    ability_name: str
    evaluation_org: str
    issued_date: date
    status: CertificateStatus = Field(description="valid 有效 / cancelled 已撤销")
    cancelled_date: date | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class SpecialCertificate(Base, table=True):
    __tablename__ = "special_certificates"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    certificate_number: str = DbField(max_length=64, unique=True)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    ability_name: str = DbField(max_length=100, index=True)
    evaluation_org: str = DbField(max_length=200)
    issued_date: date = DbField(index=True)
    status: str = DbField(default=CertificateStatus.valid, max_length=10, index=True)
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
