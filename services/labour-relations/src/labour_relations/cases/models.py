"""欠薪案件 wage-arrears cases (举报投诉): intake, 立案, investigation, mediation, resolution, closure or transfer to
arbitration, on a working-day deadline."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import JSON, Column, Numeric
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.money import Money, NonNegativeMoney, PositiveMoney
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import OrgName, PersonName, free_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from labour_relations.common import Reason
from labour_relations.db import Base

MAX_COMPLAINANTS = 200
EvidenceNotes = Annotated[str, free_text(4000, label="证据材料说明")]


def _uuid() -> str:
    return str(uuid.uuid4())


class CaseStatus(StrEnum):
    registered = "registered"  # 登记（投诉受理登记，未立案）
    accepted = "accepted"  # 立案
    investigating = "investigating"  # 调查
    mediating = "mediating"  # 调解
    resolved = "resolved"  # 处理完毕（追回欠薪）
    closed = "closed"  # 结案
    transferred = "transferred"  # 移送劳动人事争议仲裁
    cancelled = "cancelled"  # 撤销（登记错误）


STATUS_NAMES = {CaseStatus.registered: "登记", CaseStatus.accepted: "立案", CaseStatus.investigating: "调查",
                CaseStatus.mediating: "调解", CaseStatus.resolved: "处理完毕", CaseStatus.closed: "结案",
                CaseStatus.transferred: "移送仲裁", CaseStatus.cancelled: "撤销"}
# The deadline runs from 立案 until 结案 or transfer.
RUNNING = frozenset({CaseStatus.accepted, CaseStatus.investigating, CaseStatus.mediating, CaseStatus.resolved})
CONCLUDED = frozenset({CaseStatus.closed, CaseStatus.transferred})


class CasePolicy(PolicyVersion):
    """policy/cases.toml."""

    deadline_workdays: int = Field(gt=0)
    extension_workdays: int = Field(gt=0)
    group_case_workers: int = Field(gt=1)
    group_case_source: str
    group_case_illustrative: bool = False


class Complainant(BaseModel):
    id_number: IdNumber = Field(description="投诉人公民身份号码")
    name: PersonName = Field(description="投诉人姓名")


class ComplainantPublic(BaseModel):
    id_number: PersonIdNumber
    name: str


def _distinct_complainants(value: list[Complainant]) -> list[Complainant]:
    ids = [c.id_number for c in value]
    if len(set(ids)) != len(ids):
        raise ValueError("投诉人重复 (a complainant appears twice)")
    return value


class CaseCreate(BaseModel):
    credit_code: CreditCode = Field(description="被投诉单位统一社会信用代码")
    employer_name: OrgName = Field(description="被投诉单位名称")
    county_code: CountyCode = Field(description="案件所在县（市、区）代码")
    project_id: str | None = Field(default=None, min_length=1, max_length=36, description="涉及的在建工程项目 id（可"
                                                                                          "选）")
    complainants: list[Complainant] = Field(min_length=1, max_length=MAX_COMPLAINANTS, description="投诉人")
    workers_affected: int = Field(ge=1, le=100_000, description="涉及劳动者人数（不少于投诉人数；10人以上为群体性欠"
                                                                "薪）")
    amount_owed: PositiveMoney = Field(description="欠薪金额（元，精确到分）as a decimal string")
    evidence_notes: EvidenceNotes | None = Field(default=None, description="证据材料说明")
    filed_date: SupportedDate = Field(description="投诉登记日期（不晚于今天）")

    _complainants = field_validator("complainants")(_distinct_complainants)

    @model_validator(mode="after")
    def _enough_workers(self) -> CaseCreate:
        if self.workers_affected < len(self.complainants):
            raise ValueError(f"workers_affected: 涉及人数 {self.workers_affected} 少于投诉人数 "
                             f"{len(self.complainants)} (workers affected must be at least the number of complainants)")
        return self


class Accept(BaseModel):
    accepted_date: SupportedDate | None = Field(default=None, description="立案日期（默认今天；不早于登记日期，不晚"
                                                                          "于今天）")


class Resolve(BaseModel):
    amount_recovered: NonNegativeMoney = Field(description="追回金额（元），不超过欠薪金额")
    resolved_date: SupportedDate | None = Field(default=None, description="处理完毕日期（默认今天）")


class Conclude(BaseModel):
    """结案 or 移送仲裁."""

    concluded_date: SupportedDate | None = Field(default=None, description="结案/移送日期（默认今天；不早于立案日期）")
    note: Annotated[str, free_text(1000, label="说明")] | None = Field(default=None, description="说明")


class Extend(BaseModel):
    reason: Reason = Field(description="延长理由（情况复杂，经负责人批准）")


class Cancel(BaseModel):
    reason: Reason = Field(description="撤销原因")


class CaseCorrection(BaseModel):
    """更正登记错误: only the fields given change; the reason is required."""

    reason: Reason = Field(description="更正原因")
    employer_name: OrgName | None = None
    workers_affected: int | None = Field(default=None, ge=1, le=100_000)
    amount_owed: PositiveMoney | None = None
    evidence_notes: EvidenceNotes | None = None

    @model_validator(mode="after")
    def _something(self) -> CaseCorrection:
        if not self.model_fields_set - {"reason"}:
            raise ValueError("至少更正一个字段 (give at least one field to correct: employer_name, workers_affected, "
                             "amount_owed, evidence_notes)")
        return self


class CasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    credit_code: str
    employer_name: str
    county_code: str
    project_id: str | None
    complainants: list[ComplainantPublic]
    workers_affected: int
    amount_owed: Money
    amount_recovered: Money | None
    evidence_notes: str | None
    group_case: bool = Field(description="群体性欠薪（涉及人数达到政策标准）")
    status: CaseStatus = Field(description="registered 登记 / accepted 立案 / investigating 调查 / mediating 调解 / "
                                           "resolved 处理完毕 / closed 结案 / transferred 移送仲裁 / cancelled 撤销")
    filed_date: date
    accepted_date: date | None
    base_deadline_date: date | None = Field(description="法定期限：立案后第60个工作日")
    deadline_date: date | None = Field(description="办结期限（延长后为延长的期限）")
    deadline_provisional: bool = Field(description="true: 期限所跨年度尚无国务院放假安排，暂按周末和法定节假日计算，"
                                                   "数据补充后自动重算")
    provisional_years: list[int]
    extended: bool
    extension_reason: str | None
    extended_date: date | None
    investigation_date: date | None
    mediation_date: date | None
    resolved_date: date | None
    concluded_date: date | None = Field(description="结案或移送仲裁日期")
    on_time: bool | None = Field(description="按期办结（结案/移送日期不晚于期限）")
    overdue: bool = Field(False, description="超期未办结（今天晚于期限且未结案）")
    working_days_left: int | None = Field(None, description="距期限剩余工作日（未结案时）")
    cancelled_date: date | None
    cancel_reason: str | None
    policy_source: str | None
    group_case_illustrative: bool = Field(description="true: 群体性欠薪人数标准为平台约定值，无官方文号")
    created_at: datetime
    updated_at: datetime | None


class ArrearsCase(Base, table=True):
    __tablename__ = "arrears_cases"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    credit_code: str = DbField(max_length=18, index=True)
    employer_name: str = DbField(max_length=200)
    county_code: str = DbField(max_length=6, index=True)
    project_id: str | None = DbField(default=None, max_length=36, index=True)
    complainants: list[dict[str, Any]] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    workers_affected: int
    amount_owed: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    amount_recovered: Decimal | None = DbField(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    evidence_notes: str | None = DbField(default=None, max_length=4000)
    group_case: bool = DbField(default=False, index=True)
    group_case_illustrative: bool = False
    status: str = DbField(default=CaseStatus.registered, max_length=15, index=True)
    filed_date: date = DbField(index=True)
    accepted_date: date | None = DbField(default=None, index=True)
    base_deadline_date: date | None = None
    deadline_date: date | None = DbField(default=None, index=True)
    deadline_provisional: bool = DbField(default=False, index=True)
    provisional_years: list[int] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    extended: bool = False
    extension_reason: str | None = DbField(default=None, max_length=500)
    extended_date: date | None = None
    investigation_date: date | None = None
    mediation_date: date | None = None
    resolved_date: date | None = None
    concluded_date: date | None = DbField(default=None, index=True)
    on_time: bool | None = None
    overdue_notified_date: date | None = None
    cancelled_date: date | None = None
    cancel_reason: str | None = DbField(default=None, max_length=500)
    policy_source: str | None = DbField(default=None, max_length=500)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    def is_overdue(self, today: date) -> bool:
        return self.status in RUNNING and self.deadline_date is not None and today > self.deadline_date
