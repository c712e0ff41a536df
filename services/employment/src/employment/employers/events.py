"""Events the employer domain publishes on ``hrss.employment``."""

from pydantic import BaseModel

EMPLOYER_REGISTERED = "hrss.employment.employer.registered.v1"


class EmployerRegistered(BaseModel):
    """用人单位登记 an employer was registered."""

    credit_code: str
    name: str
    county_code: str
    industry: str | None = None
    size: str | None = None
    is_construction: bool = False
