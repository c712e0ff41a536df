"""职业技能培训补贴 and 技能提升补贴: grants (免申即享 or on application), refusals kept for 政策监管, revocations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Column, Index, Numeric, text
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.money import Money
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.validators import IdNumber
from training.courses.models import CourseKind
from training.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class SubsidyKind(StrEnum):
    training = "training"  # 职业技能培训补贴 (on a course completed as 合格)
    skill_upgrade = "skill_upgrade"  # 技能提升补贴 (on a skill-level certificate)


class SubsidyChannel(StrEnum):
    automatic = "automatic"  # 免申即享
    application = "application"  # 申请


class SubsidyStatus(StrEnum):
    granted = "granted"  # 已核发
    revoked = "revoked"  # 已撤销


class RefusalReason(StrEnum):
    duplicate = "duplicate"  # 重复申领
    higher_level_paid = "higher_level_paid"  # 已享受同职业更高等级补贴
    voucher_paid = "voucher_paid"  # 已使用培训券抵用


KIND_NAMES = {SubsidyKind.training: "职业技能培训补贴", SubsidyKind.skill_upgrade: "技能提升补贴"}
REASON_NAMES = {RefusalReason.duplicate: "重复申领", RefusalReason.higher_level_paid: "已享受同职业更高等级补贴",
                RefusalReason.voucher_paid: "已使用培训券抵用"}


class LevelAmount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    level: int = Field(ge=1, le=5)
    amount: Decimal = Field(gt=0)
    source: str
    illustrative: bool = False


class CourseAmount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    course_kind: CourseKind
    level: int | None = Field(default=None, ge=1, le=5)
    amount: Decimal = Field(gt=0)
    source: str
    illustrative: bool = False


class SubsidyPolicy(PolicyVersion):
    """policy/subsidies.toml: 免申即享 kinds, the voucher rule and the amounts, each with its source."""

    illustrative: bool = Field(False, description="true: the rules (not the amounts) are examples")
    automatic: list[SubsidyKind] = Field(description="免申即享 kinds, decided without an application")
    voucher_also_subsidised: bool = Field(description="培训券抵用的报名可否再享受职业技能培训补贴")
    skill_upgrade: list[LevelAmount]
    training: list[CourseAmount]
    note: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> SubsidyPolicy:
        if len({a.level for a in self.skill_upgrade}) != len(self.skill_upgrade):
            raise ValueError("skill_upgrade levels repeat")
        if len({(a.course_kind, a.level) for a in self.training}) != len(self.training):
            raise ValueError("training (course_kind, level) pairs repeat")
        return self

    def skill_upgrade_amount(self, level: int) -> LevelAmount | None:
        return next((a for a in self.skill_upgrade if a.level == level), None)

    def training_amount(self, course_kind: str, level: int | None) -> CourseAmount | None:
        return next((a for a in self.training if a.course_kind == course_kind and a.level == level), None)


class SubsidyClaim(BaseModel):
    """申请: the basis is a certificate (技能提升补贴) or an enrolment completed as 合格 (职业技能培训补贴)."""

    id_number: IdNumber = Field(description="申请人公民身份号码")
    kind: SubsidyKind = Field(description="补贴类型 training 职业技能培训补贴 / skill_upgrade 技能提升补贴")
    certificate_id: str | None = Field(default=None, min_length=1, max_length=36,
                                       description="技能提升补贴依据的证书记录 id")
    enrolment_id: str | None = Field(default=None, min_length=1, max_length=36,
                                     description="职业技能培训补贴依据的报名记录 id")

    @model_validator(mode="after")
    def _basis(self) -> SubsidyClaim:
        if self.kind == SubsidyKind.skill_upgrade and (self.certificate_id is None or self.enrolment_id is not None):
            raise ValueError("技能提升补贴须填写 certificate_id，且不填 enrolment_id "
                             "(a skill-upgrade claim names a certificate_id only)")
        if self.kind == SubsidyKind.training and (self.enrolment_id is None or self.certificate_id is not None):
            raise ValueError("职业技能培训补贴须填写 enrolment_id，且不填 certificate_id "
                             "(a training subsidy claim names an enrolment_id only)")
        return self


class SubsidyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    kind: SubsidyKind = Field(description="training 职业技能培训补贴 / skill_upgrade 技能提升补贴")
    occupation_code: str
    occupation_name: str
    level: int | None = Field(description="技能等级 1-5（创业培训无等级）")
    course_kind: str | None
    amount: Money
    channel: SubsidyChannel = Field(description="automatic 免申即享 / application 申请")
    certificate_id: str | None
    enrolment_id: str | None
    status: SubsidyStatus = Field(description="granted 已核发 / revoked 已撤销")
    granted_date: date
    revoked_date: date | None
    revoke_reason: str | None
    policy_source: str
    illustrative: bool = Field(description="true: the amount is the platform's example, from no official document")
    created_at: datetime


class Subsidy(Base, table=True):
    __tablename__ = "subsidies"
    __table_args__ = (
        # Paid at most once per person, kind, occupation and level: the database enforces it as well.
        Index("uq_subsidy_granted_once", "dedup_key", unique=True,
              sqlite_where=text("status = 'granted'"), postgresql_where=text("status = 'granted'")),
        # One automatic decision per basis version (a redelivered event decides nothing new).
        Index("uq_subsidy_basis", "basis_key", unique=True,
              sqlite_where=text("status = 'granted'"), postgresql_where=text("status = 'granted'")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    kind: str = DbField(max_length=20, index=True)
    occupation_code: str = DbField(max_length=10, index=True)
    occupation_name: str = DbField(max_length=100)
    level: int | None = None
    course_kind: str | None = DbField(default=None, max_length=30)
    amount: Decimal = DbField(sa_column=Column(Numeric(14, 2), nullable=False))
    channel: str = DbField(max_length=12)
    certificate_id: str | None = DbField(default=None, max_length=36, index=True)
    enrolment_id: str | None = DbField(default=None, max_length=36, index=True)
    status: str = DbField(default=SubsidyStatus.granted, max_length=10, index=True)
    granted_date: date = DbField(index=True)
    revoked_date: date | None = None
    revoke_reason: str | None = DbField(default=None, max_length=200)
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    dedup_key: str = DbField(max_length=120)
    basis_key: str = DbField(max_length=120)
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None


class SubsidyRefusalPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    county_code: str
    kind: SubsidyKind
    occupation_code: str
    level: int | None
    reason: RefusalReason = Field(description="duplicate 重复申领 / higher_level_paid 已享受同职业更高等级补贴 / "
                                              "voucher_paid 已使用培训券抵用")
    detail: str
    earlier_subsidy_id: str | None
    voucher_id: str | None
    certificate_id: str | None
    enrolment_id: str | None
    channel: SubsidyChannel
    refused_date: date
    created_at: datetime


class SubsidyRefusal(Base, table=True):
    """不予核发记录: kept and published, so 政策监管 sees every duplicate or ineligible attempt."""

    __tablename__ = "subsidy_refusals"
    __table_args__ = (
        Index("uq_subsidy_refusal_automatic", "basis_key", unique=True,
              sqlite_where=text("channel = 'automatic'"), postgresql_where=text("channel = 'automatic'")),
    )

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    kind: str = DbField(max_length=20)
    occupation_code: str = DbField(max_length=10)
    level: int | None = None
    reason: str = DbField(max_length=20, index=True)
    detail: str = DbField(max_length=500)
    earlier_subsidy_id: str | None = DbField(default=None, max_length=36)
    voucher_id: str | None = DbField(default=None, max_length=36)
    certificate_id: str | None = DbField(default=None, max_length=36)
    enrolment_id: str | None = DbField(default=None, max_length=36)
    channel: str = DbField(max_length=12)
    basis_key: str = DbField(max_length=120)
    refused_date: date = DbField(index=True)
    submitted_by: str | None = DbField(default=None, max_length=100)
    created_at: datetime = DbField(default_factory=clock.now)
