"""重点群体实名制 key-group membership: 高校毕业生, 农民工, 退役军人, 残疾人, 就业困难人员, 低收入农户."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Index, text
from sqlmodel import Field as DbField

from employment.db import Base
from hrss_shared import clock
from hrss_shared.listing import SupportedDate
from hrss_shared.policy import PolicyVersion
from hrss_shared.privacy import PersonIdNumber
from hrss_shared.text import short_text


class KeyGroup(StrEnum):
    graduate = "graduate"  # 高校毕业生
    migrant_worker = "migrant_worker"  # 农民工
    veteran = "veteran"  # 退役军人
    disabled = "disabled"  # 残疾人
    hard_to_employ = "hard_to_employ"  # 就业困难人员
    low_income_rural = "low_income_rural"  # 低收入农户


KEY_GROUP_NAMES = {
    KeyGroup.graduate: "高校毕业生",
    KeyGroup.migrant_worker: "农民工",
    KeyGroup.veteran: "退役军人",
    KeyGroup.disabled: "残疾人",
    KeyGroup.hard_to_employ: "就业困难人员",
    KeyGroup.low_income_rural: "低收入农户",
}


class HardToEmployCategory(BaseModel):
    """One 就业困难人员 category of policy/hard_to_employ.toml, with the conditions the service checks itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z_]{2,30}$")
    name: str = Field(min_length=1)
    evidence: str = Field(min_length=1, description="认定所需证明材料")
    min_age_male: int | None = Field(default=None, ge=16, le=70)
    min_age_female: int | None = Field(default=None, ge=16, le=70)
    min_registered_months: int | None = Field(default=None, ge=1, le=120)


class HardToEmployPolicy(PolicyVersion):
    """policy/hard_to_employ.toml: the categories of 就业困难人员 in force."""

    categories: list[HardToEmployCategory] = Field(min_length=1)
    illustrative: bool = False
    note: str | None = None

    def category(self, code: str) -> HardToEmployCategory | None:
        return next((c for c in self.categories if c.code == code), None)


class MembershipCreate(BaseModel):
    group: KeyGroup = Field(description="重点群体类别")
    source: Annotated[str, short_text(100)] = Field(description="认定来源, e.g. 退役军人事务局, 残联, 民政")
    start_date: SupportedDate = Field(description="认定起始日期")
    end_date: SupportedDate | None = Field(default=None, description="认定终止日期 (open-ended when empty)")
    category: Annotated[str, short_text(30)] | None = Field(
        default=None, description="就业困难人员类别 (hard_to_employ only, required there): a code of "
        "policy/hard_to_employ.toml in force on start_date, e.g. older_unemployed 大龄失业人员, "
        "zero_employment_family 零就业家庭成员, long_term_unemployed 长期失业人员, minimum_living 低保/低边, "
        "disabled 持证残疾人, other_approved 其他",
    )
    evidence: Annotated[str, short_text(200)] | None = Field(
        default=None, description="认定证明材料 (hard_to_employ only, required there), e.g. 残疾人证号、低保证号",
    )

    @model_validator(mode="after")
    def _dates(self) -> MembershipCreate:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date 早于 start_date (end date before start date)")
        return self


class MembershipEnd(BaseModel):
    end_date: SupportedDate = Field(description="认定终止日期")


class MembershipPublic(BaseModel):
    id: str
    id_number: PersonIdNumber
    group: KeyGroup
    group_name: str
    source: str
    start_date: date
    end_date: date | None
    category: str | None = Field(default=None, description="就业困难人员类别代码")
    category_name: str | None = None
    evidence: str | None = None
    unemployment_registration_id: str | None = Field(
        default=None, description="认定所依据的失业登记 (hard_to_employ): the certification ends when it closes")
    policy_source: str | None = Field(default=None, description="认定类别的政策依据 (hard_to_employ)")
    illustrative: bool = Field(default=False, description="true: the policy version's source is not confirmed")
    created_at: datetime


class KeyGroupMembership(Base, table=True):
    __tablename__ = "key_group_memberships"
    # One open membership per person and group.
    __table_args__ = (
        Index("uq_key_group_open", "id_number", "group", unique=True,
              sqlite_where=text("end_date IS NULL"), postgresql_where=text("end_date IS NULL")),
    )

    id: str = DbField(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    id_number: str = DbField(max_length=18, index=True)
    group: str = DbField(max_length=20, index=True)
    source: str = DbField(max_length=100)
    start_date: date
    end_date: date | None = None
    county_code: str = DbField(max_length=6, index=True)
    category: str | None = DbField(default=None, max_length=30)
    evidence: str | None = DbField(default=None, max_length=200)
    unemployment_registration_id: str | None = DbField(default=None, max_length=36, index=True)
    created_at: datetime = DbField(default_factory=clock.now)
