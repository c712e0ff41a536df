"""劳动纠纷调解 labour disputes: parties, type, channel (基层调解 or 仲裁), outcome and dates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import OrgName, PersonName
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from labour_relations.common import Reason
from labour_relations.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class DisputeType(StrEnum):
    remuneration = "remuneration"  # 劳动报酬
    contract = "contract"  # 劳动合同
    social_insurance = "social_insurance"  # 社会保险
    work_injury = "work_injury"  # 工伤
    other = "other"  # 其他


class Channel(StrEnum):
    grassroots_mediation = "grassroots_mediation"  # 基层调解（乡镇街道、企业调解组织）
    arbitration = "arbitration"  # 劳动人事争议仲裁


class DisputeStatus(StrEnum):
    open = "open"  # 受理中
    concluded = "concluded"  # 已办结
    cancelled = "cancelled"  # 撤销（登记错误）


class Outcome(StrEnum):
    mediated = "mediated"  # 调解成功
    awarded = "awarded"  # 仲裁裁决（仅仲裁）
    withdrawn = "withdrawn"  # 申请人撤回
    failed = "failed"  # 调解不成


class Applicant(BaseModel):
    id_number: IdNumber = Field(description="申请人公民身份号码")
    name: PersonName = Field(description="申请人姓名")


class ApplicantPublic(BaseModel):
    id_number: PersonIdNumber
    name: str


def _distinct(value: list[Applicant]) -> list[Applicant]:
    ids = [a.id_number for a in value]
    if len(set(ids)) != len(ids):
        raise ValueError("申请人重复 (an applicant appears twice)")
    return value


class DisputeCreate(BaseModel):
    applicants: list[Applicant] = Field(min_length=1, max_length=200, description="申请人（劳动者）")
    credit_code: CreditCode = Field(description="用人单位统一社会信用代码")
    employer_name: OrgName = Field(description="用人单位名称")
    county_code: CountyCode = Field(description="县（市、区）代码")
    type: DisputeType = Field(description="纠纷类型")
    channel: Channel = Field(description="处理渠道 grassroots_mediation 基层调解 / arbitration 仲裁")
    filed_date: SupportedDate = Field(description="受理日期（不晚于今天）")

    _applicants = field_validator("applicants")(_distinct)


class DisputeConclude(BaseModel):
    outcome: Outcome = Field(description="mediated 调解成功 / awarded 仲裁裁决（仅仲裁渠道）/ withdrawn 撤回 / faile"
                                         "d 调解不成")
    concluded_date: SupportedDate | None = Field(default=None, description="办结日期（默认今天；不早于受理日期）")


class DisputeCorrection(BaseModel):
    """更正登记错误: only the fields given change; the reason is required."""

    reason: Reason = Field(description="更正原因")
    employer_name: OrgName | None = None
    type: DisputeType | None = None
    channel: Channel | None = None

    @model_validator(mode="after")
    def _something(self) -> DisputeCorrection:
        if not {k for k in self.model_fields_set - {"reason"} if getattr(self, k) is not None}:
            raise ValueError("至少更正一个字段 (give at least one field to correct: employer_name, type, channel)")
        return self


class DisputeCancel(BaseModel):
    reason: Reason = Field(description="撤销原因")


class DisputePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    applicants: list[ApplicantPublic]
    credit_code: str
    employer_name: str
    county_code: str
    type: DisputeType
    channel: Channel
    status: DisputeStatus = Field(description="open 受理中 / concluded 已办结 / cancelled 撤销")
    outcome: Outcome | None
    filed_date: date
    concluded_date: date | None
    cancelled_date: date | None
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime | None


class Dispute(Base, table=True):
    __tablename__ = "disputes"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    applicants: list[dict[str, Any]] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    type: str = DbField(max_length=20, index=True)
    channel: str = DbField(max_length=25, index=True)
    status: str = DbField(default=DisputeStatus.open, max_length=10, index=True)
    outcome: str | None = DbField(default=None, max_length=10)
    filed_date: date = DbField(index=True)
    concluded_date: date | None = None
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=500)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None
