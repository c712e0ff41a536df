"""Events of 乡村创业一次性补贴 on ``hrss.employment`` (subject = the applicant's ID number)."""

from datetime import date

from pydantic import BaseModel

from hrss_shared.money import Money

STARTUP_SUBSIDY_GRANTED = "hrss.employment.startup_subsidy.granted.v1"


class StartupSubsidyGranted(BaseModel):
    """重点人群乡村创业一次性补贴 granted on application."""

    id: str
    id_number: str
    credit_code: str
    county_code: str
    business_start_date: date
    applied_date: date
    groups: list[str]
    amount: Money
    policy_source: str
