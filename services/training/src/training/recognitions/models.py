"""人才认定 talent recognition: an application placed in a tier by the policy's rules, reviewed, approved (with a
number and validity), refused, revoked, superseded by a higher tier, or cancelled when recorded in error."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.corrections import Correction
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import OrgName, PersonName, short_text
from hrss_shared.validators import CountyCode, CreditCode, IdNumber, not_null
from training.db import Base
from training.titles.models import TitleLevel


def _uuid() -> str:
    return str(uuid.uuid4())


class Degree(StrEnum):
    associate = "associate"  # 大专
    bachelor = "bachelor"  # 本科
    master = "master"  # 硕士研究生
    doctorate = "doctorate"  # 博士研究生


DEGREE_NAMES = {Degree.associate: "大专", Degree.bachelor: "本科", Degree.master: "硕士研究生",
                Degree.doctorate: "博士研究生"}
DEGREE_RANK = {Degree.associate: 1, Degree.bachelor: 2, Degree.master: 3, Degree.doctorate: 4}
TIERS = ("A", "B", "C", "D", "E")  # A is the highest


def tier_rank(tier: str) -> int:
    """0 for A (the highest) … 4 for E."""
    return TIERS.index(tier)


class RecognitionStatus(StrEnum):
    applied = "applied"  # 已申请（待审核）
    approved = "approved"  # 已认定
    refused = "refused"  # 不予认定
    revoked = "revoked"  # 已撤销认定
    superseded = "superseded"  # 已被更高层次取代
    cancelled = "cancelled"  # 已撤销（登记有误）


class Award(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str


class Criterion(BaseModel):
    """Every condition named must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str
    awards: list[str] = Field(default_factory=list, description="any of these awards")
    title_level_at_least: TitleLevel | None = None
    skill_level_at_most: int | None = Field(default=None, ge=1, le=5)
    degree_at_least: Degree | None = None
    age_at_most: int | None = Field(default=None, ge=16, le=100)


class Tier(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: str = Field(pattern="^[A-E]$")
    name: str
    criteria: list[Criterion] = Field(min_length=1)


class TierPolicy(PolicyVersion):
    """policy/talent_tiers.toml."""

    illustrative: bool = False
    validity_years: int = Field(ge=1, le=20)
    awards: list[Award]
    tiers: list[Tier]

    @model_validator(mode="after")
    def _consistent(self) -> TierPolicy:
        codes = {a.code for a in self.awards}
        for tier in self.tiers:
            for criterion in tier.criteria:
                unknown = set(criterion.awards) - codes
                if unknown:
                    raise ValueError(f"criterion {criterion.id} names unknown awards {sorted(unknown)}")
        if [t.tier for t in self.tiers] != sorted(t.tier for t in self.tiers):
            raise ValueError("tiers must be listed from A down")
        return self


class RecognitionApply(BaseModel):
    id_number: IdNumber = Field(description="申请人公民身份号码")
    name: PersonName = Field(description="姓名")
    county_code: CountyCode = Field(description="工作地县（市、区）代码")
    credit_code: CreditCode | None = Field(default=None, description="工作单位统一社会信用代码")
    highest_degree: Degree | None = Field(default=None, description="最高学历 associate 大专 / bachelor 本科 / "
                                                                    "master 硕士研究生 / doctorate 博士研究生")
    degree_institution: OrgName | None = Field(default=None, description="毕业院校")
    awards: list[str] = Field(default_factory=list, max_length=20,
                              description="荣誉与人才工程（policy/talent_tiers.toml 的 awards 代码）")

    @field_validator("awards")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("荣誉重复 (awards must not repeat)")
        return value

    @model_validator(mode="after")
    def _institution(self) -> RecognitionApply:
        if self.highest_degree is not None and self.degree_institution is None:
            raise ValueError("填写最高学历时须填写毕业院校 (degree_institution is required with highest_degree)")
        return self


class RecognitionCorrection(Correction):
    name: PersonName | None = Field(default=None, description="姓名")
    county_code: CountyCode | None = Field(default=None, description="工作地县（市、区）代码")
    credit_code: CreditCode | None = Field(default=None, description="工作单位统一社会信用代码")

    _not_null = field_validator("name", "county_code", "credit_code", mode="before")(not_null)


class Decision(BaseModel):
    reason: Annotated[str, short_text(200, label="原因")] = Field(description="原因")


class RecognitionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    id_number: PersonIdNumber
    name: str
    county_code: str
    credit_code: str | None
    highest_degree: Degree | None
    degree_institution: str | None
    awards: list[str]
    title_level: str | None = Field(description="申请时有效的最高职称级别 (read from the person's titles)")
    skill_level: int | None = Field(description="申请时有效的最高技能等级 (read from the person's certificates)")
    age: int = Field(description="申请日年龄")
    tier: str = Field(description="人才层次 A–E")
    tier_name: str
    criterion: str = Field(description="认定依据的条目")
    status: RecognitionStatus = Field(description="applied 已申请 / approved 已认定 / refused 不予认定 / revoked 已撤销"
                                                  "认定 / superseded 已被更高层次取代 / cancelled 已撤销（登记有误）")
    valid: bool = Field(description="今天是否为有效认定 (approved and within its validity)")
    applied_date: date
    recognition_number: str | None
    valid_from: date | None
    valid_until: date | None
    decided_date: date | None
    reason: str | None = Field(description="不予认定、撤销、取代或撤销登记的原因")
    superseded_id: str | None = Field(description="取代的较低层次认定 id")
    policy_source: str
    illustrative: bool
    created_at: datetime
    updated_at: datetime | None


class TalentRecognition(Base, table=True):
    __tablename__ = "talent_recognitions"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    name: str = DbField(max_length=50)
    county_code: str = DbField(max_length=6, index=True)
    credit_code: str | None = DbField(default=None, max_length=18, index=True)
    highest_degree: str | None = DbField(default=None, max_length=12)
    degree_institution: str | None = DbField(default=None, max_length=200)
    awards: list[str] = DbField(default_factory=list, sa_column=Column(JSON, nullable=False))
    title_level: str | None = DbField(default=None, max_length=20)
    skill_level: int | None = None
    age: int
    tier: str = DbField(max_length=1, index=True)
    tier_name: str = DbField(max_length=50)
    criterion: str = DbField(max_length=300)
    status: str = DbField(default=RecognitionStatus.applied, max_length=12, index=True)
    applied_date: date = DbField(index=True)
    recognition_number: str | None = DbField(default=None, max_length=40, unique=True)
    valid_from: date | None = DbField(default=None, index=True)
    valid_until: date | None = None
    decided_date: date | None = None
    reason: str | None = DbField(default=None, max_length=200)
    superseded_id: str | None = DbField(default=None, max_length=36)
    policy_source: str = DbField(max_length=500)
    illustrative: bool = False
    created_at: datetime = DbField(default_factory=clock.now)
    updated_at: datetime | None = None

    def valid_on(self, day: date) -> bool:
        return (self.status == RecognitionStatus.approved and self.valid_from is not None
                and self.valid_until is not None and self.valid_from <= day <= self.valid_until)

    @property
    def valid(self) -> bool:
        return self.valid_on(clock.today())
