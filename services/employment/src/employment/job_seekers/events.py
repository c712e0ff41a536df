"""Events the job-seeker domain publishes on ``hrss.employment``."""

from datetime import date

from pydantic import BaseModel

JOB_SEEKER_REGISTERED = "hrss.employment.job_seeker.registered.v1"
JOB_SEEKER_UPDATED = "hrss.employment.job_seeker.updated.v1"


class JobSeekerRegistered(BaseModel):
    """求职登记 a person registered as a job seeker."""

    id_number: str
    name: str
    phone: str | None = None
    county_code: str
    education: str | None = None
    graduation_year: int | None = None
    registered_date: date
    occupation_wishes: list[str] = []


class JobSeekerUpdated(BaseModel):
    """求职信息变更: the job seeker's details after the change, and which fields changed."""

    id: int
    id_number: str
    phone: str | None = None
    county_code: str
    education: str | None = None
    graduation_year: int | None = None
    occupation_wishes: list[str] = []
    changed: list[str]
    previous_county_code: str | None = None
