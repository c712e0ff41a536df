"""The person-centric 一卡通 view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class IdentitySection(BaseModel):
    name: str | None
    county_code: str | None
    county_name: str | None
    birth_date: str = Field(description="出生日期 YYYY-MM-DD (masked to YYYY-**-** without pii:read)")
    phone: str | None
    as_of: datetime | None = Field(description="截至时间 time of the newest event this section reflects")


class EmploymentItem(BaseModel):
    id: str
    credit_code: str
    employer_name: str | None
    county_code: str | None
    occupation: str | None
    start_date: date | None
    end_date: date | None
    status: str
    termination_reason: str | None


class UnemploymentItem(BaseModel):
    id: str
    county_code: str | None
    registered_date: date | None
    end_date: date | None
    status: str
    reason: str | None
    close_reason: str | None


class RecordItem(BaseModel):
    """A record of the employment domain as its events left it (key group, 131 service, loan …)."""

    id: str
    status: str
    data: dict[str, Any]
    updated_at: datetime


class EmploymentSection(BaseModel):
    status: Literal["employed", "registered_unemployed", "not_employed"] = Field(
        description="就业状态: employed 在职 / registered_unemployed 登记失业 / not_employed 未就业"
    )
    job_seeker_registered_date: date | None
    employments: list[EmploymentItem]
    unemployment_registrations: list[UnemploymentItem]
    records: dict[str, list[RecordItem]] = Field(
        default_factory=dict,
        description="按类别的其他就业记录 other records by kind: key_group 重点群体, service_record 131服务, "
        "public_welfare_placement 公益性岗位安置, startup_loan 创业担保贷款, startup_subsidy 创业补贴 …",
    )
    as_of: datetime | None


class PersonView(BaseModel):
    id_number: str
    identity: IdentitySection
    employment: EmploymentSection
