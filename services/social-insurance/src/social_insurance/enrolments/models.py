"""参保登记 enrolments per insurance type, and the policy of which types need an employer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Index, text
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import PersonName, short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from social_insurance.common import TYPES_DESCRIPTION, InsuranceType
from social_insurance.db import Base

Reason = Annotated[str, short_text(200, label="原因")]


def _uuid() -> str:
    return str(uuid.uuid4())


class EnrolmentStatus(StrEnum):
    pending = "pending"  # 待生效（参保"一件事"开立，待首次缴费）
    active = "active"  # 参保缴费
    suspended = "suspended"  # 暂停缴费
    ended = "ended"  # 终止
    cancelled = "cancelled"  # 已撤销（登记有误）


class Origin(StrEnum):
    manual = "manual"  # 窗口登记
    one_stop = "one_stop"  # 参保"一件事"（就业登记）


STATUS_NAMES = {EnrolmentStatus.pending: "待生效", EnrolmentStatus.active: "参保缴费",
                EnrolmentStatus.suspended: "暂停缴费", EnrolmentStatus.ended: "终止",
                EnrolmentStatus.cancelled: "已撤销"}
OPEN_STATUSES = (EnrolmentStatus.pending, EnrolmentStatus.active, EnrolmentStatus.suspended)
STATUS_DESCRIPTION = "状态 pending 待生效 / active 参保缴费 / suspended 暂停缴费 / ended 终止 / cancelled 已撤销"


class InsuranceTypesPolicy(PolicyVersion):
    """policy/insurance_types.toml: which types need an employer (社会保险法 art. 10, 20, 33, 44)."""

    employer_required: list[InsuranceType] = Field(description="须有参保单位的险种")
    employer_or_flexible: list[InsuranceType] = Field(description="须有参保单位，灵活就业人员可个人参保的险种")
    no_employer: list[InsuranceType] = Field(description="个人参保、无参保单位的险种")


class EnrolmentCreate(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码（社会保障号码）")
    name: PersonName = Field(description="姓名")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    insurance_type: InsuranceType = Field(description=TYPES_DESCRIPTION)
    credit_code: CreditCode | None = Field(
        default=None, description="参保单位统一社会信用代码：失业、工伤必填；企业职工养老除灵活就业外必填；"
                                  "城乡居民养老不填")
    flexible: bool = Field(default=False, description="灵活就业人员以个人身份参加企业职工基本养老保险（不填参保单位）")
    start_date: SupportedDate = Field(description="参保起始日期")


class Suspension(BaseModel):
    suspended_date: SupportedDate = Field(description="暂停日期")
    reason: Reason = Field(description="暂停原因")


class Resumption(BaseModel):
    resumed_date: SupportedDate = Field(description="恢复日期")


class Ending(BaseModel):
    end_date: SupportedDate = Field(description="终止日期（不早于参保起始日期）")
    reason: Reason = Field(description="终止原因")


class EnrolmentCorrection(BaseModel):
    """更正 an enrolment recorded wrongly: the fields given replace the recorded ones (the type cannot change:
    撤销 and enrol again)."""

    name: PersonName | None = Field(default=None, description="姓名")
    county_code: CountyCode | None = Field(default=None, description="参保地县（市、区）代码")
    credit_code: CreditCode | None = Field(default=None, description="参保单位统一社会信用代码")
    flexible: bool | None = Field(default=None, description="灵活就业人员个人参保")
    start_date: SupportedDate | None = Field(default=None, description="参保起始日期")
    reason: Reason = Field(description="更正原因")


class EnrolmentCancellation(BaseModel):
    reason: Reason = Field(description="撤销原因（登记有误）")


class EnrolmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    insurance_type: InsuranceType
    credit_code: str | None = Field(description="参保单位统一社会信用代码")
    flexible: bool = Field(description="灵活就业人员个人参保")
    status: EnrolmentStatus = Field(description=STATUS_DESCRIPTION)
    origin: Origin = Field(description="来源 manual 窗口登记 / one_stop 参保一件事")
    employment_registration_id: str | None = Field(description="依据的就业登记 id（参保一件事）")
    start_date: date
    end_date: date | None
    activated_date: date | None = Field(description="生效日期")
    suspended_date: date | None
    resumed_date: date | None
    end_reason: str | None
    gap_detected_date: date | None = Field(description="参保空档发现日期（待生效超过宽限期）")
    cancelled_date: date | None = Field(description="撤销日期")
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class Enrolment(Base, table=True):
    __tablename__ = "enrolments"
    __table_args__ = (
        # One active enrolment per person and insurance type, enforced by the database as well.
        Index("uq_enrolment_active_person_type", "id_number", "insurance_type", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        # The 参保"一件事" opens one enrolment per employment registration and type (redelivery changes nothing).
        Index("uq_enrolment_employment_type", "employment_registration_id", "insurance_type", unique=True,
              sqlite_where=text("employment_registration_id IS NOT NULL"),
              postgresql_where=text("employment_registration_id IS NOT NULL")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    insurance_type: str = DbField(max_length=20, index=True)
    credit_code: str | None = DbField(default=None, max_length=18, index=True)
    flexible: bool = False
    status: str = DbField(default=EnrolmentStatus.active, max_length=10, index=True)
    origin: str = DbField(default=Origin.manual, max_length=10)
    employment_registration_id: str | None = DbField(default=None, max_length=64)
    start_date: date = DbField(index=True)
    end_date: date | None = None
    activated_date: date | None = None
    suspended_date: date | None = None
    resumed_date: date | None = None
    end_reason: str | None = DbField(default=None, max_length=200)
    gap_detected_date: date | None = None
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=200)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
