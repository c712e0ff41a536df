"""批量写入 bulk paths: the row of ``POST /v1/bulk/contributions`` (enrolments and cards take the single-record
request models, ``EnrolmentCreate`` and ``CardCreate``).

A row is validated like the single-record request (FastAPI's 422 names ``rows.<n>.<field>``); the rules that depend
on the database or the policy in force refuse a row instead, reported in the answer's ``refused`` list.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from hrss_shared.listing import SupportedDate
from hrss_shared.money import NonNegativeMoney
from hrss_shared.validators import CreditCode, IdNumber
from social_insurance.common import TYPES_DESCRIPTION, InsuranceType, Month


class ContributionRow(BaseModel):
    """One month of one insurance type for a person; the base is clamped and the amounts computed as
    ``POST /v1/contributions`` does when it is given no amounts."""

    id_number: IdNumber = Field(description="公民身份号码")
    insurance_type: InsuranceType = Field(description=TYPES_DESCRIPTION)
    month: Month = Field(description="费款所属期 YYYY-MM")
    credit_code: CreditCode | None = Field(
        default=None, description="缴费单位统一社会信用代码（灵活就业人员、城乡居民养老不填）")
    declared_base: NonNegativeMoney | None = Field(
        default=None, description="申报缴费工资（元，字符串），按当年缴费基数上下限核定；城乡居民养老不填，其余必填")
    personal_amount: NonNegativeMoney | None = Field(
        default=None, description="城乡居民养老所选缴费档次的个人缴费（元）；其余险种不填（按费率计算）")
    paid_date: SupportedDate | None = Field(default=None, description="缴费记账日期（不填为今天）")
