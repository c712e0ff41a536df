"""Events of start-up bases on ``hrss.employment`` (subject = the operator's credit code)."""

from datetime import date

from pydantic import BaseModel

STARTUP_BASE_RECOGNISED = "hrss.employment.startup_base.recognised.v1"
STARTUP_BASE_REVOKED = "hrss.employment.startup_base.revoked.v1"


class StartupBaseRecognised(BaseModel):
    """创业孵化基地 / 返乡入乡创业基地认定."""

    id: str
    credit_code: str
    kind: str
    name: str
    county_code: str
    level: str | None = None
    recognised_date: date
    capacity: int


class StartupBaseRevoked(BaseModel):
    """撤销基地认定."""

    id: str
    credit_code: str
    kind: str
    county_code: str
    revoked_date: date
    reason: str
