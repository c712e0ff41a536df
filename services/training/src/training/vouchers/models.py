"""电子培训券 electronic training vouchers: issue, redemption against an enrolment, expiry and cancellation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, Index, Numeric, text
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.corrections import Correction
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import CountyCode, IdNumber, not_null
from training.common import Fee, OccupationCode, not_before
from training.courses.models import CourseKind
from training.db import Base

MAX_OCCUPATIONS = 50


def _uuid() -> str:
    return str(uuid.uuid4())


class VoucherKind(StrEnum):
    reemployment = "reemployment"  # 再就业培训券
    skill_upgrade = "skill_upgrade"  # 技能提升培训券
    entrepreneurship = "entrepreneurship"  # 创业培训券


class VoucherStatus(StrEnum):
    issued = "issued"  # 未使用
    redeemed = "redeemed"  # 已抵用
    expired = "expired"  # 已过期
    cancelled = "cancelled"  # 已撤销


KIND_NAMES = {VoucherKind.reemployment: "再就业培训券", VoucherKind.skill_upgrade: "技能提升培训券",
              VoucherKind.entrepreneurship: "创业培训券"}
STATUS_NAMES = {VoucherStatus.issued: "未使用", VoucherStatus.redeemed: "已抵用", VoucherStatus.expired: "已过期",
                VoucherStatus.cancelled: "已撤销"}


class VoucherPolicy(PolicyVersion):
    """policy/vouchers.toml: the re-employment voucher an unemployment registration gives."""

    illustrative: bool = Field(
        False, description="true: the values are the platform's own example, from no official document"
    )
    face_value: Decimal = Field(gt=0, description="面额（元）")
    validity_days: int = Field(ge=0, le=3660, description="有效天数：有效期止 = 失业登记日期 + 天数")
    eligible_course_kinds: list[CourseKind] = Field(min_length=1, description="可抵用的培训类型")
    note: str | None = None


def _distinct_kinds(value: list[CourseKind]) -> list[CourseKind]:
    if len(set(value)) != len(value):
        raise ValueError("培训类型重复 (course kinds must not repeat)")
    return value


def _distinct_codes(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError("职业编码重复 (occupation codes must not repeat)")
    return value


class VoucherCreate(BaseModel):
    id_number: IdNumber = Field(description="持券人公民身份号码")
    name: PersonName = Field(description="持券人姓名")
    county_code: CountyCode = Field(description="发券地县（市、区）代码")
    kind: VoucherKind = Field(description="券种 reemployment 再就业培训券 / skill_upgrade 技能提升培训券 / "
                                          "entrepreneurship 创业培训券")
    face_value: Fee = Field(description="面额（元，精确到分）as a decimal string, e.g. \"2000.00\"; greater than 0")
    eligible_course_kinds: list[CourseKind] = Field(
        min_length=1, max_length=len(CourseKind), description="可抵用的培训类型（课程培训类型的子集，至少一项）")
    eligible_occupation_codes: list[OccupationCode] = Field(
        default_factory=list, max_length=MAX_OCCUPATIONS, description="可抵用的职业编码（空 = 不限职业）")
    issue_date: SupportedDate = Field(description="发放日期")
    expiry_date: SupportedDate = Field(description="有效期止（含当日，不早于发放日期）")

    _kinds = field_validator("eligible_course_kinds")(_distinct_kinds)
    _codes = field_validator("eligible_occupation_codes")(_distinct_codes)
    _dates = field_validator("expiry_date")(not_before("issue_date"))

    @field_validator("face_value")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError(f"面额须大于0 (face value must be greater than 0, got {value})")
        return value


class Redemption(BaseModel):
    enrolment_id: str = Field(min_length=1, max_length=36, description="持券人本人的报名记录 id")


class VoucherCorrection(Correction):
    """更正 of an unused voucher: only the fields sent change; the reason is required."""

    face_value: PositiveMoney | None = Field(default=None, description="面额（元，精确到分，大于0）")
    expiry_date: SupportedDate | None = Field(default=None, description="有效期止（不早于发放日期）")

    _not_null = field_validator("face_value", "expiry_date", mode="before")(not_null)


class Cancellation(BaseModel):
    reason: Annotated[str, short_text(200, label="撤销原因")] = Field(description="撤销原因")


class VoucherPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    kind: VoucherKind
    face_value: Money
    eligible_course_kinds: list[CourseKind]
    eligible_occupation_codes: list[str] = Field(description="可抵用的职业编码（空 = 不限）")
    issue_date: date
    expiry_date: date = Field(description="有效期止（含当日）")
    status: VoucherStatus = Field(description="issued 未使用 / redeemed 已抵用 / expired 已过期 / cancelled 已撤销 "
                                              "(an unused voucher past its expiry date answers expired)")
    unemployment_registration_id: str | None = Field(description="依据的失业登记 id")
    policy_source: str | None = Field(description="面额与有效期的政策依据 (vouchers issued under the policy)")
    illustrative: bool = Field(description="true: the face value and validity are the platform's example values, "
                                           "from no official document")
    enrolment_id: str | None = Field(description="抵用的报名记录 id")
    course_id: str | None
    institution_id: str | None
    course_fee: Money | None = Field(description="抵用时的每人培训费")
    amount_applied: Money | None = Field(description="抵用金额 = min(面额, 培训费)")
    trainee_pays: Money | None = Field(description="学员仍需自付金额")
    redeemed_date: date | None
    expired_date: date | None
    cancelled_date: date | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class Voucher(Base, table=True):
    __tablename__ = "vouchers"
    # One voucher per unemployment spell (the registration id), enforced by the database as well.
    __table_args__ = (
        Index("uq_voucher_unemployment_registration", "unemployment_registration_id", unique=True,
              sqlite_where=text("unemployment_registration_id IS NOT NULL"),
              postgresql_where=text("unemployment_registration_id IS NOT NULL")),
        # One voucher per enrolment.
        Index("uq_voucher_enrolment", "enrolment_id", unique=True,
              sqlite_where=text("enrolment_id IS NOT NULL"), postgresql_where=text("enrolment_id IS NOT NULL")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    kind: str = DbField(max_length=20, index=True)
    face_value: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    eligible_course_kinds: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    eligible_occupation_codes: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    issue_date: date = DbField(index=True)
    expiry_date: date = DbField(index=True)
    status: str = DbField(default=VoucherStatus.issued, max_length=10, index=True)
    unemployment_registration_id: str | None = DbField(default=None, max_length=64)
    policy_source: str | None = DbField(default=None, max_length=500)
    illustrative: bool = False
    enrolment_id: str | None = DbField(default=None, max_length=36)
    course_id: str | None = DbField(default=None, max_length=36)
    institution_id: str | None = DbField(default=None, max_length=36)
    course_fee: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    amount_applied: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    trainee_pays: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    redeemed_date: date | None = None
    expired_date: date | None = None
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    def status_on(self, day: date) -> VoucherStatus:
        """The status as of ``day``: an unused voucher past its expiry date is expired even before the job ran."""
        if self.status == VoucherStatus.issued and day > self.expiry_date:
            return VoucherStatus.expired
        return VoucherStatus(self.status)
