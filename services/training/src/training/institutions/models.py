"""培训机构 training institutions and their 培训资质认定 (the occupations they are accredited to train)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.text import OrgName
from hrss_shared.validators import CountyCode, CreditCode, not_null
from training.common import OccupationCode, OccupationName, not_before
from training.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class InstitutionKind(StrEnum):
    technical_school = "technical_school"  # 技工院校
    vocational_college = "vocational_college"  # 职业院校
    private_provider = "private_provider"  # 社会培训机构
    enterprise = "enterprise"  # 企业


class InstitutionStatus(StrEnum):
    active = "active"  # 正常
    suspended = "suspended"  # 暂停
    closed = "closed"  # 关闭（终止）


STATUS_NAMES = {InstitutionStatus.active: "正常", InstitutionStatus.suspended: "暂停",
                InstitutionStatus.closed: "关闭"}


class InstitutionCreate(BaseModel):
    credit_code: CreditCode = Field(description="统一社会信用代码 unified social credit code (GB 32100-2015)")
    name: OrgName = Field(description="机构名称")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    kind: InstitutionKind = Field(description="机构类型 technical_school 技工院校 / vocational_college 职业院校 / "
                                              "private_provider 社会培训机构 / enterprise 企业")


class InstitutionUpdate(BaseModel):
    """信息变更: only the fields sent change; a closed institution changes no more."""

    name: OrgName | None = Field(default=None, description="机构名称")
    status: InstitutionStatus | None = Field(
        default=None, description="状态 active 正常 / suspended 暂停 / closed 关闭 (closed is final)"
    )

    _not_null = field_validator("name", "status", mode="before")(not_null)

    @model_validator(mode="after")
    def _something(self) -> InstitutionUpdate:
        if not self.model_fields_set:
            raise ValueError("未提供需变更的字段 (no field to change; send name or status)")
        return self


class AccreditationCreate(BaseModel):
    occupation_code: OccupationCode = Field(description="职业编码（《国家职业分类大典》，如 6-29-03-01）")
    occupation_name: OccupationName = Field(description="职业名称，如 电工")
    valid_from: SupportedDate = Field(description="资质有效期起")
    valid_until: SupportedDate = Field(description="资质有效期止（含当日）")

    _dates = field_validator("valid_until")(not_before("valid_from"))


class AccreditationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    occupation_code: str
    occupation_name: str
    valid_from: date
    valid_until: date
    created_at: datetime


class InstitutionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    credit_code: str
    name: str
    county_code: str
    kind: InstitutionKind
    status: InstitutionStatus
    accreditations: list[AccreditationPublic] = Field(
        description="培训资质认定 accredited occupations with their validity, by occupation code and start"
    )
    created_at: datetime
    updated_at: datetime | None


class Institution(Base, table=True):
    __tablename__ = "institutions"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, unique=True, index=True)
    name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    kind: str = DbField(max_length=20, index=True)
    status: str = DbField(default=InstitutionStatus.active, max_length=10, index=True)
    created_at: datetime = DbField(default_factory=clock.now, index=True)
    updated_at: datetime | None = None


class Accreditation(Base, table=True):
    __tablename__ = "institution_accreditations"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    institution_id: str = DbField(sa_column=Column(String(36), ForeignKey("institutions.id"), nullable=False,
                                                   index=True))
    occupation_code: str = DbField(max_length=10, index=True)
    occupation_name: str = DbField(max_length=100)
    valid_from: date
    valid_until: date
    created_at: datetime = DbField(default_factory=clock.now)
