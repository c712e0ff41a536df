"""Events the employer domain publishes on ``hrss.employment``."""

from datetime import date

from pydantic import BaseModel

EMPLOYER_REGISTERED = "hrss.employment.employer.registered.v1"
EMPLOYER_UPDATED = "hrss.employment.employer.updated.v1"
EMPLOYER_DEACTIVATED = "hrss.employment.employer.deactivated.v1"


class EmployerRegistered(BaseModel):
    """用人单位登记 an employer was registered."""

    credit_code: str
    name: str
    county_code: str
    industry: str | None = None
    size: str | None = None
    is_construction: bool = False


class EmployerUpdated(BaseModel):
    """用人单位信息变更: the employer's details after the change, and which fields changed."""

    id: int
    credit_code: str
    name: str
    county_code: str
    industry: str | None = None
    size: str | None = None
    is_construction: bool = False
    changed: list[str]
    previous_county_code: str | None = None


class EmployerDeactivated(BaseModel):
    """用人单位注销 an employer was deactivated; it can take no new employment registrations."""

    id: int
    credit_code: str
    county_code: str
    deactivated_date: date
    reason: str
