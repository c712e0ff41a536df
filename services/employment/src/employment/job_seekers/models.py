"""求职登记 job seekers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import JSON, Column
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber, Phone
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import CountyCode, IdNumber, not_null


class Education(StrEnum):
    primary = "primary"
    junior_high = "junior_high"
    senior_high = "senior_high"
    vocational = "vocational"
    associate = "associate"
    bachelor = "bachelor"
    master = "master"
    doctorate = "doctorate"


OccupationWish = Annotated[str, short_text(100)]


class JobSeekerBase(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码 citizen ID number (GB 11643-1999)")
    name: PersonName = Field(description="姓名")
    phone: str | None = Field(default=None, pattern=r"^1[3-9]\d{9}$", description="手机号码")
    county_code: CountyCode = Field(description="户籍或常住县（市、区）代码")
    education: Education | None = Field(default=None, description="学历")
    graduation_year: int | None = Field(default=None, ge=1950, le=2100, description="毕业年份")
    registered_date: SupportedDate | None = Field(default=None, description="求职登记日期 (defaults to today)")
    occupation_wishes: list[OccupationWish] = Field(
        default_factory=list, max_length=10, description="求职意向（工种/岗位）"
    )


class JobSeekerCreate(JobSeekerBase):
    pass


class JobSeekerUpdate(BaseModel):
    """求职信息变更: only the fields sent change; ``phone``, ``education`` and ``graduation_year`` may be cleared."""

    phone: str | None = Field(default=None, pattern=r"^1[3-9]\d{9}$", description="手机号码")
    county_code: CountyCode | None = Field(default=None, description="户籍或常住县（市、区）代码")
    education: Education | None = Field(default=None, description="学历")
    graduation_year: int | None = Field(default=None, ge=1950, le=2100, description="毕业年份")
    occupation_wishes: list[OccupationWish] | None = Field(
        default=None, max_length=10, description="求职意向（工种/岗位）; [] clears them"
    )

    _not_null = field_validator("county_code", "occupation_wishes", mode="before")(not_null)

    @model_validator(mode="after")
    def _something(self) -> JobSeekerUpdate:
        if not self.model_fields_set:
            raise ValueError("未提供需变更的字段 (no field to change; send at least one of "
                             "phone, county_code, education, graduation_year, occupation_wishes)")
        return self


class SkillPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    occupation: str
    level: int = Field(description="技能等级 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师)")
    certificate_number: str
    issued_date: date


class JobSeekerPublic(BaseModel):
    """As returned: ID and phone numbers are masked for clients without pii:read."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    id_number: PersonIdNumber
    name: str
    phone: Phone | None
    county_code: str
    education: Education | None
    graduation_year: int | None
    registered_date: date
    occupation_wishes: list[str]
    skills: list[SkillPublic] = Field(default_factory=list, description="技能档案 (from training's certificate events)")
    created_at: datetime
    updated_at: datetime | None = None


class JobSeeker(Base, table=True):
    __tablename__ = "job_seekers"

    id: int | None = DbField(default=None, primary_key=True)
    id_number: str = DbField(max_length=18, unique=True, index=True)
    name: str = DbField(max_length=50)
    phone: str | None = DbField(default=None, max_length=11)
    county_code: str = DbField(max_length=6, index=True)
    education: str | None = DbField(default=None, max_length=20)
    graduation_year: int | None = None
    registered_date: date = DbField(index=True)
    occupation_wishes: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None


class JobSeekerSkill(Base, table=True):
    """技能档案: one row per skill certificate, filled from training's certificate events."""

    __tablename__ = "job_seeker_skills"

    id: int | None = DbField(default=None, primary_key=True)
    id_number: str = DbField(max_length=18, index=True)
    occupation: str = DbField(max_length=100, index=True)
    level: int = DbField(ge=1, le=5)
    certificate_number: str = DbField(max_length=64, unique=True)
    issued_date: date
    source_event_id: str = DbField(max_length=64)
