"""批量写入 bulk paths: the row models of ``POST /v1/bulk/enrolments``, ``/cards`` and ``/contributions``.

A row is validated like the single-record request (FastAPI's 422 names ``body.rows.<n>.<field>``); the rules that
depend on the database or the policy in force refuse a row instead, reported in the answer's ``refused`` list.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from hrss_shared.bulk import BulkReport
from hrss_shared.listing import SupportedDate
from hrss_shared.money import NonNegativeMoney
from hrss_shared.text import PersonName
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from social_insurance.common import TYPES_DESCRIPTION, InsuranceType, Month
from social_insurance.enrolments.models import EnrolmentCreate

MAX_ROWS = 20_000  # rows per request (a city chunk: one request per few thousand persons)


class EnrolmentRow(EnrolmentCreate):
    """One 参保登记 as ``POST /v1/enrolments`` takes it (recorded by hand: active from its start date)."""


class EnrolmentRows(BaseModel):
    rows: list[EnrolmentRow] = Field(min_length=1, max_length=MAX_ROWS, description="参保登记，每行一人一险种")


class CardRow(BaseModel):
    """One 社会保障卡 as ``POST /v1/cards`` takes it."""

    id_number: IdNumber = Field(description="持卡人公民身份号码")
    name: PersonName = Field(description="持卡人姓名")
    county_code: CountyCode = Field(description="发卡地县（市、区）代码")
    issued_date: SupportedDate | None = Field(default=None, description="发卡日期（不填为今天，不晚于今天）")


class CardRows(BaseModel):
    rows: list[CardRow] = Field(min_length=1, max_length=MAX_ROWS, description="发卡，每行一人")


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


class ContributionRows(BaseModel):
    rows: list[ContributionRow] = Field(min_length=1, max_length=MAX_ROWS,
                                        description="缴费，每行一人一险种一个月，可含多个单位、多个月份")


class Refusal(BaseModel):
    row: int = Field(ge=0, description="被拒行的序号（rows 中自 0 起，同 422 的 rows.<n>）")
    field: str | None = Field(default=None, description="出错字段")
    reason: str = Field(description="被拒原因")
    existing_id: str | None = Field(default=None, description="与之冲突的已有记录 id")


class SocialInsuranceBulkReport(BulkReport):
    """The bulk answer with the rows the rules refused (not written, no event)."""

    refused: list[Refusal] = Field(default_factory=list, description="按规则被拒的行（未写入、未发布事件）")
