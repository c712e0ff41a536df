"""培训报名 enrolments on courses, their attendance 考勤, completion 结业 and withdrawal 退出."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Column, ForeignKey, Index, Numeric, String, text
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.corrections import Cancellation, Correction
from hrss_shared.money import Money
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import IdNumber, not_null
from training.courses.models import MAX_HOURS
from training.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class EnrolmentStatus(StrEnum):
    enrolled = "enrolled"  # 在训
    completed = "completed"  # 已结业
    withdrawn = "withdrawn"  # 已退出
    cancelled = "cancelled"  # 已撤销（登记有误）


class CompletionResult(StrEnum):
    passed = "passed"  # 合格
    failed = "failed"  # 不合格


STATUS_NAMES = {EnrolmentStatus.enrolled: "在训", EnrolmentStatus.completed: "已结业",
                EnrolmentStatus.withdrawn: "已退出", EnrolmentStatus.cancelled: "已撤销"}
# Enrolments in these states hold a seat of the course; a withdrawal frees it.
SEAT_STATUSES = (EnrolmentStatus.enrolled, EnrolmentStatus.completed)


class CompletionPolicy(PolicyVersion):
    """policy/completion.toml: the share of the course hours attended that a 合格 (passed) result needs."""

    illustrative: bool = Field(
        False, description="true: the value is the platform's own example, from no official document"
    )
    required_attendance_share: Decimal = Field(gt=0, le=1, description="合格所需出勤学时占课程总学时的比例")
    note: str | None = None

    def required_hours(self, course_hours: int) -> int:
        """The fewest whole hours attended that reach the share of ``course_hours``."""
        return math.ceil(self.required_attendance_share * course_hours)


class EnrolmentCreate(BaseModel):
    course_id: str = Field(min_length=1, max_length=36, description="课程 id")
    id_number: IdNumber = Field(description="学员公民身份号码")
    name: PersonName = Field(description="学员姓名")


class AttendanceRecord(BaseModel):
    hours: int = Field(gt=0, le=MAX_HOURS, description="本次出勤学时 hours attended, added to those recorded before")


class Completion(BaseModel):
    result: CompletionResult = Field(description="结业结果 passed 合格 / failed 不合格")


class Withdrawal(BaseModel):
    reason: Annotated[str, short_text(200, label="退出原因")] = Field(description="退出原因")


class EnrolmentCorrection(Correction):
    """更正: only the fields sent change; the reason is required."""

    name: PersonName | None = Field(default=None, description="学员姓名")
    attended_hours: int | None = Field(default=None, ge=0, le=MAX_HOURS,
                                       description="更正后的累计出勤学时 (the total, not an addition)")
    result: CompletionResult | None = Field(default=None, description="更正后的结业结果（仅已结业的报名）")

    _not_null = field_validator("name", "attended_hours", "result", mode="before")(not_null)


EnrolmentCancellation = Cancellation


class EnrolmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    course_id: str
    institution_id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    occupation_code: str
    occupation_name: str
    course_hours: int = Field(description="课程总学时")
    attended_hours: int = Field(description="累计出勤学时")
    status: EnrolmentStatus = Field(description="enrolled 在训 / completed 已结业 / withdrawn 已退出 / "
                                                "cancelled 已撤销")
    result: CompletionResult | None = Field(description="结业结果 passed 合格 / failed 不合格")
    enrolled_date: date
    completed_date: date | None
    withdrawn_date: date | None
    withdraw_reason: str | None
    cancelled_date: date | None = None
    cancel_reason: str | None = None
    corrections: int = Field(default=0, description="更正次数")
    voucher_id: str | None = Field(default=None, description="抵用的电子培训券 id")
    voucher_amount: Money | None = Field(default=None, description="培训券抵用金额 = min(面额, 每人培训费)")
    trainee_pays: Money | None = Field(default=None, description="抵用培训券后学员仍需自付的金额")
    created_at: datetime
    updated_at: datetime | None


class Enrolment(Base, table=True):
    __tablename__ = "enrolments"
    # One enrolment per person and course (a withdrawn one aside), enforced by the database as well.
    __table_args__ = (
        Index("uq_enrolment_person_course", "course_id", "id_number", unique=True,
              sqlite_where=text("status NOT IN ('withdrawn', 'cancelled')"),
              postgresql_where=text("status NOT IN ('withdrawn', 'cancelled')")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    course_id: str = DbField(sa_column=Column(String(36), ForeignKey("courses.id"), nullable=False, index=True))
    institution_id: str = DbField(max_length=36, index=True)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    occupation_code: str = DbField(max_length=10)
    occupation_name: str = DbField(max_length=100)
    course_hours: int
    attended_hours: int = 0
    status: str = DbField(default=EnrolmentStatus.enrolled, max_length=10, index=True)
    result: str | None = DbField(default=None, max_length=10)
    enrolled_date: date = DbField(index=True)
    completed_date: date | None = None
    withdrawn_date: date | None = None
    withdraw_reason: str | None = DbField(default=None, max_length=200)
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    corrections: int = DbField(default=0, sa_column_kwargs={"server_default": "0"})
    voucher_id: str | None = DbField(default=None, max_length=36)
    voucher_amount: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    trainee_pays: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
