"""Events the job-seeker domain publishes on ``hrss.employment``."""

from datetime import date

from pydantic import BaseModel

JOB_SEEKER_REGISTERED = "hrss.employment.job_seeker.registered.v1"


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
