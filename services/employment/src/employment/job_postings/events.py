"""Events the job-posting domain publishes on ``hrss.employment`` (subject: the employer's credit code)."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

JOB_POSTING_PUBLISHED = "hrss.employment.job_posting.published.v1"
JOB_POSTING_CLOSED = "hrss.employment.job_posting.closed.v1"


class JobPostingPublished(BaseModel):
    """岗位发布 an employer published a job posting."""

    id: str
    credit_code: str
    employer_name: str
    occupation: str
    title: str
    count: int
    min_monthly_wage: Decimal
    max_monthly_wage: Decimal
    required_level: int | None = None
    county_code: str
    closing_date: date
    education: str | None = None
    published_date: date


class JobPostingClosed(BaseModel):
    """岗位关闭 a posting was closed (status ``closed``) or filled (status ``filled``)."""

    id: str
    credit_code: str
    county_code: str
    status: str
    closed_date: date
    reason: str | None = None
