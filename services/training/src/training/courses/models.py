"""培训课程 courses run by accredited institutions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import Column, ForeignKey, Numeric, String
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money
from hrss_shared.validators import CountyCode
from training.common import Fee, OccupationCode, OccupationName, not_before
from training.db import Base

MAX_HOURS = 5000  # 学时: far above the longest 企业新型学徒制 programme, inside every database's integer range
MAX_CAPACITY = 10000


def _uuid() -> str:
    return str(uuid.uuid4())


class CourseKind(StrEnum):
    employment_skills = "employment_skills"  # 就业技能培训
    on_the_job_upgrade = "on_the_job_upgrade"  # 岗位技能提升培训
    entrepreneurship = "entrepreneurship"  # 创业培训
    apprenticeship = "apprenticeship"  # 企业新型学徒制


KIND_NAMES = {
    CourseKind.employment_skills: "就业技能培训", CourseKind.on_the_job_upgrade: "岗位技能提升培训",
    CourseKind.entrepreneurship: "创业培训", CourseKind.apprenticeship: "企业新型学徒制",
}


class CourseCreate(BaseModel):
    institution_id: str = Field(min_length=1, max_length=36,
                                description="培训机构 id (an active, accredited institution)")
    occupation_code: OccupationCode = Field(description="职业编码（《国家职业分类大典》，如 6-29-03-01）")
    occupation_name: OccupationName = Field(description="职业名称")
    kind: CourseKind = Field(description="培训类型 employment_skills 就业技能培训 / on_the_job_upgrade "
                                         "岗位技能提升培训 / entrepreneurship 创业培训 / apprenticeship 企业新型学徒制")
    target_level: int | None = Field(default=None, ge=1, le=5, validate_default=True, description=(
        "培训目标等级 1-5（5 = 五级/初级工 … 1 = 一级/高级技师）; required except for 创业培训 entrepreneurship"))
    hours: int = Field(gt=0, le=MAX_HOURS, description="培训总学时")
    fee_per_trainee: Fee = Field(
        description="每人培训费（元，精确到分）as a decimal string, e.g. \"1280.00\"; 0 = free")
    capacity: int = Field(gt=0, le=MAX_CAPACITY, description="招生人数（名额）")
    start_date: SupportedDate = Field(description="开班日期")
    end_date: SupportedDate = Field(description="结业日期 (not before start_date)")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")

    _dates = field_validator("end_date")(not_before("start_date"))

    @field_validator("target_level")
    @classmethod
    def _level(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("kind")
        if value is None and kind is not None and kind != CourseKind.entrepreneurship:
            raise ValueError(f"{KIND_NAMES[kind]}须填写培训目标等级 1-5 "
                             "(target_level is required except for entrepreneurship courses)")
        return value


class CoursePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    institution_id: str
    institution_name: str
    credit_code: str
    occupation_code: str
    occupation_name: str
    kind: CourseKind
    target_level: int | None
    hours: int
    fee_per_trainee: Money
    capacity: int
    enrolled: int = Field(description="已占名额 seats taken (enrolled and completed trainees)")
    seats_left: int = Field(description="剩余名额")
    start_date: date
    end_date: date
    county_code: str
    created_at: datetime


class Course(Base, table=True):
    __tablename__ = "courses"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    institution_id: str = DbField(sa_column=Column(String(36), ForeignKey("institutions.id"), nullable=False,
                                                   index=True))
    institution_name: str = DbField(max_length=200)
    credit_code: str = DbField(max_length=18, index=True)
    occupation_code: str = DbField(max_length=10, index=True)
    occupation_name: str = DbField(max_length=100)
    kind: str = DbField(max_length=20, index=True)
    target_level: int | None = None
    hours: int
    fee_per_trainee: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    capacity: int
    start_date: date = DbField(index=True)
    end_date: date
    county_code: str = DbField(max_length=6, index=True)
    created_at: datetime = DbField(default_factory=clock.now)
