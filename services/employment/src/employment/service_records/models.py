"""失业人员“131”服务 records: 1 次职业指导, 3 次岗位推荐, 1 次培训推荐 for the registered unemployed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import Index, text
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import free_text, short_text
from hrss_shared.validators import IdNumber


class ServiceKind(StrEnum):
    career_guidance = "career_guidance"  # 职业指导
    job_recommendation = "job_recommendation"  # 岗位推荐
    training_referral = "training_referral"  # 培训推荐


SERVICE_KIND_NAMES = {
    ServiceKind.career_guidance: "职业指导",
    ServiceKind.job_recommendation: "岗位推荐",
    ServiceKind.training_referral: "培训推荐",
}


class ServiceRecordCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码 of the registered unemployed person")
    kind: ServiceKind = Field(description="服务类型 career_guidance 职业指导 / job_recommendation 岗位推荐 / "
                                          "training_referral 培训推荐")
    service_date: SupportedDate = Field(description="服务日期")
    staff: Annotated[str, short_text(50)] = Field(description="服务人员（经办人）")
    agency: Annotated[str, short_text(100)] | None = Field(default=None, description="服务机构")
    notes: Annotated[str, free_text(500)] | None = Field(default=None, description="服务内容备注")
    job_posting_id: Annotated[str, short_text(64)] | None = Field(
        default=None, description="推荐岗位 id (job_recommendation only)"
    )

    @field_validator("service_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > clock.today():
            raise ValueError(f"服务日期不能晚于今天 (service_date {value} is in the future)")
        return value

    @field_validator("job_posting_id")
    @classmethod
    def _only_for_recommendations(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("kind") not in (None, ServiceKind.job_recommendation):
            raise ValueError("仅岗位推荐可填写推荐岗位 (job_posting_id applies to job_recommendation only)")
        return value


class ServiceRecordPublic(BaseModel):
    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    unemployment_registration_id: str
    kind: ServiceKind
    kind_name: str
    service_date: date
    staff: str
    agency: str | None
    notes: str | None
    job_posting_id: str | None
    created_at: datetime


class ServiceRecord(Base, table=True):
    __tablename__ = "service_records"
    # A job posting is recommended to a person at most once per unemployment registration.
    __table_args__ = (
        Index(
            "uq_service_records_recommendation", "unemployment_registration_id", "job_posting_id", unique=True,
            sqlite_where=text("job_posting_id IS NOT NULL"), postgresql_where=text("job_posting_id IS NOT NULL"),
        ),
    )

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    unemployment_registration_id: str = DbField(max_length=36, index=True)
    kind: str = DbField(max_length=24, index=True)
    service_date: date = DbField(index=True)
    staff: str = DbField(max_length=50)
    agency: str | None = DbField(default=None, max_length=100)
    notes: str | None = DbField(default=None, max_length=500)
    job_posting_id: str | None = DbField(default=None, max_length=64)
    created_at: datetime = DbField(default_factory=clock.now)


class PackageItem(BaseModel):
    kind: ServiceKind
    kind_name: str
    required: int = Field(description="政策要求次数")
    received: int = Field(description="时限内已提供次数 received within the deadline (and by as_of)")
    missing: int = Field(description="尚缺次数")


class PackageSummary(BaseModel):
    """A person's 131 package progress for one unemployment registration."""

    id_number: PersonIdNumber
    name: str
    county_code: str
    unemployment_registration_id: str
    registered_date: date
    registration_status: str
    end_date: date | None
    as_of: date
    days: int | None = Field(description="服务时限（天） from the policy in force on registered_date")
    deadline_date: SupportedDate | None = Field(description="服务截止日期 registered_date + days")
    policy_source: str | None
    policy_illustrative: bool = Field(description="true: 该版本政策为示例值，未核实官方文件 (the policy version in "
                                      "force is illustrative: its official source was not found)")
    items: list[PackageItem]
    late_records: int = Field(description="超过截止日期后提供的服务次数 services after the deadline")
    complete: bool = Field(description="时限内已提供完整 131 服务")
    overdue: bool = Field(description="已过截止日期仍未完成 (registration still open on as_of)")


class OverdueRow(BaseModel):
    """One line of the 131 report: a registered unemployed person whose package is overdue."""

    id_number: PersonIdNumber
    name: str
    county_code: str
    unemployment_registration_id: str
    registered_date: date
    days: int
    deadline_date: date
    policy_illustrative: bool = Field(description="true: 适用的政策版本为示例值 (illustrative policy version)")
    missing: list[PackageItem] = Field(description="尚缺的服务 what is still missing")
