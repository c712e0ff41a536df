"""The person-centric 一卡通 view: one section per domain, each with its own ``as_of``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from hrss_shared.privacy import BirthDate, FreeData, PersonIdNumber, Phone
from hrss_shared.validators import IdNumber

AS_OF = "截至时间 time of the newest event this section reflects (null: nothing known yet)"


class IdentitySection(BaseModel):
    name: str | None
    county_code: str | None
    county_name: str | None
    birth_date: BirthDate = Field(description="出生日期 YYYY-MM-DD (masked to YYYY-**-** without pii:read)")
    phone: Phone | None
    as_of: datetime | None = Field(description=AS_OF)


class EmploymentItem(BaseModel):
    id: str
    credit_code: str | None = None
    employer_name: str | None = None
    county_code: str | None = None
    occupation: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str
    termination_reason: str | None = None


class UnemploymentItem(BaseModel):
    id: str
    county_code: str | None = None
    registered_date: date | None = None
    end_date: date | None = None
    status: str
    reason: str | None = None
    close_reason: str | None = None


class RecordItem(BaseModel):
    """A record of a domain as its events left it (key group, 131 service, loan …)."""

    id: str
    status: str = Field(description="the verb of its latest event, e.g. added, ended, approved")
    data: FreeData = Field(description="the fields of its events, merged (personal fields masked without pii:read)")
    updated_at: datetime


Records = dict[str, list[RecordItem]]


class EmploymentSection(BaseModel):
    """就业 from hrss.employment."""

    status: Literal["employed", "registered_unemployed", "not_employed"] = Field(
        description="就业状态: employed 在职 / registered_unemployed 登记失业 / not_employed 未就业"
    )
    job_seeker_registered_date: date | None = None
    employments: list[EmploymentItem] = Field(default_factory=list)
    unemployment_registrations: list[UnemploymentItem] = Field(default_factory=list)
    records: Records = Field(
        default_factory=dict,
        description="按类别的其他就业记录 other records by kind: key_group 重点群体, service_record 131服务, "
        "public_welfare_placement 公益性岗位安置, startup_loan 创业担保贷款, startup_subsidy 创业补贴 …",
    )
    as_of: datetime | None = Field(default=None, description=AS_OF)


class CertificateItem(BaseModel):
    id: str | None = None
    certificate_number: str
    occupation: str | None = None
    level: int | None = Field(default=None, description="技能等级 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师)")
    issued_date: date | None = None


class TrainingSection(BaseModel):
    """职业技能 from hrss.training."""

    certificates: list[CertificateItem] = Field(default_factory=list, description="技能等级证书")
    high_skill: bool = Field(default=False, description="高技能人才 (a certificate at level 3 三级/高级工 or above)")
    records: Records = Field(default_factory=dict, description="其他培训与人才记录 other training and talent records")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class RecordsSection(BaseModel):
    """A domain whose records are shown by kind (social insurance, labour relations)."""

    records: Records = Field(default_factory=dict)
    as_of: datetime | None = Field(default=None, description=AS_OF)


class PersonView(BaseModel):
    id_number: PersonIdNumber
    identity: IdentitySection
    employment: EmploymentSection = Field(description="就业 (hrss.employment)")
    training: TrainingSection = Field(description="职业技能 (hrss.training)")
    insurance: RecordsSection = Field(description="社会保险 (hrss.social-insurance)")
    labour: RecordsSection = Field(description="劳动关系 (hrss.labour-relations)")


class PersonLookup(BaseModel):
    """The body of a person look-up: the ID number travels in the body, not in the URL that proxies log."""

    id_number: IdNumber = Field(description="公民身份号码 (18 characters, GB 11643-1999)")
