"""职称 professional titles: 专业技术人才 of a series and level, counted toward talent recognition."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.corrections import Cancellation, Correction
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import OrgName, PersonName, short_text
from hrss_shared.validators import CountyCode, IdNumber, not_after_today, not_null
from training.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class TitleSeries(StrEnum):
    engineering = "engineering"  # 工程技术
    education = "education"  # 教师（中小学、高校、职业院校）
    health = "health"  # 卫生技术
    agriculture = "agriculture"  # 农业技术
    economics = "economics"  # 经济
    accounting = "accounting"  # 会计
    other = "other"  # 其他系列


class TitleLevel(StrEnum):
    junior = "junior"  # 初级
    intermediate = "intermediate"  # 中级
    associate_senior = "associate_senior"  # 副高级
    senior = "senior"  # 正高级


SERIES_NAMES = {TitleSeries.engineering: "工程技术", TitleSeries.education: "教师", TitleSeries.health: "卫生技术",
                TitleSeries.agriculture: "农业技术", TitleSeries.economics: "经济", TitleSeries.accounting: "会计",
                TitleSeries.other: "其他"}
LEVEL_NAMES = {TitleLevel.junior: "初级", TitleLevel.intermediate: "中级", TitleLevel.associate_senior: "副高级",
               TitleLevel.senior: "正高级"}
LEVEL_RANK = {TitleLevel.junior: 1, TitleLevel.intermediate: 2, TitleLevel.associate_senior: 3, TitleLevel.senior: 4}


class TitleStatus(StrEnum):
    valid = "valid"  # 有效
    cancelled = "cancelled"  # 已撤销


Specialty = Annotated[str, short_text(100, label="专业")]
CertificateNumber = Annotated[str, short_text(64, label="职称证书编号")]


class TitleCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码")
    name: PersonName = Field(description="姓名")
    county_code: CountyCode = Field(description="县（市、区）代码")
    series: TitleSeries = Field(description="职称系列 engineering 工程技术 / education 教师 / health 卫生技术 / "
                                            "agriculture 农业技术 / economics 经济 / accounting 会计 / other 其他")
    specialty: Specialty = Field(description="专业，如 电气工程")
    level: TitleLevel = Field(description="级别 junior 初级 / intermediate 中级 / associate_senior 副高级 / "
                                          "senior 正高级")
    certificate_number: CertificateNumber = Field(description="职称证书编号（唯一）")
    issuing_body: OrgName = Field(description="评审（发证）机构")
    issued_date: SupportedDate = Field(description="取得日期（不晚于今天）")

    _issued = field_validator("issued_date")(not_after_today)


class TitleCorrection(Correction):
    name: PersonName | None = Field(default=None, description="姓名")
    county_code: CountyCode | None = Field(default=None, description="县（市、区）代码")
    series: TitleSeries | None = Field(default=None, description="职称系列")
    specialty: Specialty | None = Field(default=None, description="专业")
    level: TitleLevel | None = Field(default=None, description="级别")
    issuing_body: OrgName | None = Field(default=None, description="评审（发证）机构")
    issued_date: SupportedDate | None = Field(default=None, description="取得日期")

    _not_null = field_validator("name", "county_code", "series", "specialty", "level", "issuing_body",
                                "issued_date", mode="before")(not_null)
    _issued = field_validator("issued_date")(not_after_today)


TitleCancellation = Cancellation


class TitlePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    series: TitleSeries
    specialty: str
    level: TitleLevel
    level_name: str
    certificate_number: str
    issuing_body: str
    issued_date: date
    status: TitleStatus = Field(description="valid 有效 / cancelled 已撤销")
    cancelled_date: date | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class ProfessionalTitle(Base, table=True):
    __tablename__ = "professional_titles"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    series: str = DbField(max_length=20, index=True)
    specialty: str = DbField(max_length=100)
    level: str = DbField(max_length=20, index=True)
    certificate_number: str = DbField(max_length=64, unique=True)
    issuing_body: str = DbField(max_length=200)
    issued_date: date = DbField(index=True)
    status: str = DbField(default=TitleStatus.valid, max_length=10, index=True)
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[TitleLevel(self.level)]
