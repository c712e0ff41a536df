"""Events of employment and unemployment registrations on ``hrss.employment``."""

from datetime import date

from pydantic import BaseModel

EMPLOYMENT_REGISTERED = "hrss.employment.employment.registered.v1"
EMPLOYMENT_TERMINATED = "hrss.employment.employment.terminated.v1"
UNEMPLOYMENT_REGISTERED = "hrss.employment.unemployment.registered.v1"
UNEMPLOYMENT_CLOSED = "hrss.employment.unemployment.closed.v1"


class EmploymentRegistered(BaseModel):
    """就业登记 a person started work with an employer."""

    id: str
    id_number: str
    name: str
    credit_code: str
    employer_name: str
    county_code: str
    start_date: date
    occupation: str | None = None


class EmploymentTerminated(BaseModel):
    """解除/终止劳动关系登记 an employment registration ended."""

    id: str
    id_number: str
    credit_code: str
    end_date: date
    reason: str


class UnemploymentRegistered(BaseModel):
    """失业登记 a person registered as unemployed."""

    id: str
    id_number: str
    name: str
    county_code: str
    registered_date: date
    reason: str | None = None


class UnemploymentClosed(BaseModel):
    """失业登记注销 an unemployment registration was closed (e.g. on re-employment)."""

    id: str
    id_number: str
    end_date: date
    reason: str
