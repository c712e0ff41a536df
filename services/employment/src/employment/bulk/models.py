"""批量写入 bulk paths: the request rows (the single-record create models, so the same input rules hold) and the
answer (:class:`hrss_shared.bulk.BulkReport` with the rows the rules refused)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from employment.employers.models import EmployerCreate
from employment.job_seekers.models import JobSeekerCreate
from employment.registrations.models import EmploymentRegistrationCreate, UnemploymentRegistrationCreate
from hrss_shared.bulk import BulkReport

MAX_ROWS = 20_000  # rows per request (the city loader sends at most 10,000)


class EmployerRows(BaseModel):
    rows: list[EmployerCreate] = Field(min_length=1, max_length=MAX_ROWS, description="用人单位 employers")


class JobSeekerRows(BaseModel):
    rows: list[JobSeekerCreate] = Field(min_length=1, max_length=MAX_ROWS, description="求职登记 job seekers")


class EmploymentRegistrationRows(BaseModel):
    rows: list[EmploymentRegistrationCreate] = Field(
        min_length=1, max_length=MAX_ROWS, description="就业登记 employment registrations")


class UnemploymentRegistrationRows(BaseModel):
    rows: list[UnemploymentRegistrationCreate] = Field(
        min_length=1, max_length=MAX_ROWS, description="失业登记 unemployment registrations")


class Refusal(BaseModel):
    row: int = Field(ge=0, description="被拒绝行的序号，从 0 起 (index of the refused row in ``rows``)")
    reason: str = Field(description="拒绝原因 (the rule the row breaks, as the single-record path words it)")


class BulkLoadReport(BulkReport):
    """The bulk answer: ``received = written + skipped + len(refused)``."""

    refused: list[Refusal] = Field(default_factory=list, description="按规则拒绝、未写入的行 (rows refused)")
