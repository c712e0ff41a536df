"""就业登记 employment registrations and 失业登记 unemployment registrations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Index, text
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_contracts.employment import (
    CLOSURE_REASON_DESCRIPTION,
    SEPARATION_REASON_NAMES,
    ClosureReason,
    SeparationReason,
)
from hrss_shared import clock
from hrss_shared.corrections import Correction
from hrss_shared.listing import SupportedDate
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber, not_null


def _uuid() -> str:
    return str(uuid.uuid4())


class EmploymentStatus(StrEnum):
    active = "active"
    terminated = "terminated"


class UnemploymentStatus(StrEnum):
    open = "open"
    closed = "closed"
    cancelled = "cancelled"  # 撤销: recorded wrongly, never held


FEMALE_ORIGINAL_AGE_DESCRIPTION = (
    "女性原法定退休年龄 a woman's original statutory retirement age: 50 (女工人) or 55 (女干部、管理岗位、灵活就业); "
    "omitted: 55. Sets her retirement age (hrss_shared.reference.retirement)")


class EmploymentRegistrationCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码")
    name: PersonName = Field(description="姓名")
    credit_code: CreditCode = Field(description="用人单位统一社会信用代码")
    start_date: SupportedDate = Field(description="用工起始日期")
    occupation: Annotated[str, short_text(100)] | None = Field(default=None, description="岗位/工种")
    female_original_age: Literal[50, 55] | None = Field(default=None, description=FEMALE_ORIGINAL_AGE_DESCRIPTION)


class Termination(BaseModel):
    end_date: SupportedDate = Field(description="终止日期")
    reason: Annotated[str, short_text(200)] = Field(description="终止原因")


class EmploymentRegistrationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    credit_code: str
    employer_name: str
    county_code: str
    start_date: date
    end_date: date | None
    occupation: str | None
    status: EmploymentStatus
    termination_reason: str | None
    created_at: datetime


class EmploymentRegistration(Base, table=True):
    __tablename__ = "employment_registrations"
    # One active registration per person and employer, enforced by the database as well.
    __table_args__ = (
        Index(
            "uq_employment_active_person_employer", "id_number", "credit_code", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    start_date: date = DbField(index=True)
    end_date: date | None = None
    occupation: str | None = DbField(default=None, max_length=100)
    status: str = DbField(default=EmploymentStatus.active, max_length=12, index=True)
    termination_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)


SEPARATION_DESCRIPTION = "失业原因代码（决定失业保险金资格：本人辞职不符合条件）: " + ", ".join(
    f"{code.value} {name}" for code, name in SEPARATION_REASON_NAMES.items())


class UnemploymentRegistrationCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码")
    name: PersonName = Field(description="姓名")
    county_code: CountyCode = Field(description="登记地县（市、区）代码")
    registered_date: SupportedDate = Field(description="失业登记日期")
    reason: Annotated[str, short_text(200)] | None = Field(default=None, description="失业原因")
    separation_reason: SeparationReason | None = Field(default=None, description=SEPARATION_DESCRIPTION)
    female_original_age: Literal[50, 55] | None = Field(default=None, description=FEMALE_ORIGINAL_AGE_DESCRIPTION)

    @field_validator("registered_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        return _not_future(value)


def _not_future(value: date) -> date:
    if value > clock.today():
        raise ValueError(f"失业登记日期不能晚于今天 (registration date {value} is in the future)")
    return value


class Closure(BaseModel):
    end_date: SupportedDate = Field(description="注销日期")
    reason: Annotated[str, short_text(200)] = Field(description="注销原因说明 (free text, kept as the note)")
    reason_code: ClosureReason | None = Field(default=None, description=CLOSURE_REASON_DESCRIPTION)


class UnemploymentCorrection(Correction):
    """失业登记更正: the fields recorded wrongly (left out: unchanged)."""

    name: PersonName | None = Field(default=None, description="姓名")
    county_code: CountyCode | None = Field(default=None, description="登记地县（市、区）代码")
    registered_date: SupportedDate | None = Field(default=None, description="失业登记日期")
    separation_reason: SeparationReason | None = Field(default=None, description=SEPARATION_DESCRIPTION)

    _not_null = field_validator("name", "county_code", "registered_date", "separation_reason", mode="before")(not_null)

    @field_validator("registered_date")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        return None if value is None else _not_future(value)


class UnemploymentRegistrationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    registered_date: date
    end_date: date | None
    reason: str | None
    separation_reason: SeparationReason | None = Field(default=None, description=SEPARATION_DESCRIPTION)
    status: UnemploymentStatus
    close_reason: str | None
    close_reason_code: ClosureReason | None = Field(default=None, description=CLOSURE_REASON_DESCRIPTION)
    female_original_age: int | None = None
    cancel_reason: str | None = None
    created_at: datetime


class UnemploymentRegistration(Base, table=True):
    __tablename__ = "unemployment_registrations"
    __table_args__ = (
        Index(
            "uq_unemployment_open_person", "id_number", unique=True,
            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'"),
        ),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    registered_date: date = DbField(index=True)
    end_date: date | None = None
    reason: str | None = DbField(default=None, max_length=200)
    separation_reason: str | None = DbField(default=None, max_length=30)
    status: str = DbField(default=UnemploymentStatus.open, max_length=12, index=True)
    close_reason: str | None = DbField(default=None, max_length=200)
    close_reason_code: str | None = DbField(default=None, max_length=20)
    female_original_age: int | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)


class UnemploymentRegistrationPolicy(PolicyVersion):
    """policy/unemployment_registration.toml: when the daily job closes a registration for lack of contact."""

    no_contact_months: int = Field(ge=1, le=24)
    illustrative: bool = False
