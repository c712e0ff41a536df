"""A person's insurance: enrolments, paid months per type, gaps (and benefits)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from hrss_shared.privacy import PersonIdNumber
from hrss_shared.validators import IdNumber
from social_insurance.benefits.models import BenefitPublic
from social_insurance.common import InsuranceType
from social_insurance.enrolments.models import EnrolmentPublic


class TypeSummary(BaseModel):
    insurance_type: InsuranceType
    months_paid: int = Field(description="累计缴费月数")
    paid_months: list[str] = Field(description="已缴费月份 YYYY-MM")
    gaps: list[str] = Field(description="参保期间内截至上月未缴费的月份（断缴）YYYY-MM")


class PersonInsurance(BaseModel):
    id_number: PersonIdNumber
    as_of: date = Field(description="统计日期（今天）；断缴计至上月")
    enrolments: list[EnrolmentPublic]
    types: list[TypeSummary] = Field(description="各险种缴费月数与断缴月份")
    benefits: list[BenefitPublic] = Field(description="失业保险金核定（含不符合条件的）")


class PersonLookup(BaseModel):
    id_number: IdNumber = Field(description="公民身份号码")
