"""Contracts of ``hrss.social-insurance``: the events the social-insurance service publishes.

Its domain (enrolment, contributions, benefits, cards) declares its contracts here as it is built.
Within a ``.v1`` type only additive changes; a breaking change is a new ``.v2`` type.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from hrss_shared.events import Contract, EventData
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

# ---- employer contribution arrears 单位欠缴 (subject: the employer's credit code) ----------------------


class PersonMonthsOwed(BaseModel):
    """One insured person's unpaid months in an arrears event."""

    model_config = ConfigDict(extra="ignore")  # additive fields within .v1

    id_number: IdNumber = Field(description="公民身份号码")
    insurance_type: str = Field(description="险种 employee_pension / unemployment / work_injury")
    months: list[str] = Field(min_length=1, description="欠缴月份 YYYY-MM, oldest first",
                              json_schema_extra={"items": {"pattern": MONTH_PATTERN}})


class ContributionArrearsRaised(EventData):
    """单位欠缴: an employer has two or more consecutive unpaid months for active enrolments.

    Published once per employer and month (``month`` is the latest unpaid month that made the arrears),
    naming every person and month owed; redelivery and re-running the check publish nothing new."""

    id: str = Field(min_length=1, max_length=64, description="欠缴记录 id (one per employer and month)")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    county_code: CountyCode | None = Field(default=None, description="单位所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="欠缴判定月份 YYYY-MM")
    consecutive_months: int = Field(ge=2, description="连续欠缴月数 (the longest run among the persons owed)")
    persons: list[PersonMonthsOwed] = Field(min_length=1, description="欠缴人员及月份")
    person_count: int = Field(ge=1, description="欠缴人数")


class ContributionArrearsResolved(EventData):
    """欠缴补缴到位: the employer paid up every month an arrears event named."""

    id: str = Field(min_length=1, max_length=64, description="欠缴记录 id of the raised event")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    county_code: CountyCode | None = Field(default=None, description="单位所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="欠缴判定月份 YYYY-MM of the raised event")
    resolved_on: date = Field(description="补缴到位日期")


CONTRIBUTION_ARREARS_RAISED = Contract(
    "hrss.social-insurance.arrears.raised.v1", ContributionArrearsRaised, subject="credit_code",
    summary="单位欠缴 An employer owes two or more consecutive months of contributions",
)
CONTRIBUTION_ARREARS_RESOLVED = Contract(
    "hrss.social-insurance.arrears.resolved.v1", ContributionArrearsResolved, subject="credit_code",
    summary="欠缴补缴到位 An employer paid up the months an arrears event named",
)
