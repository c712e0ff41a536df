"""参保"一件事": the medical-insurance requests made and the grace-period policy."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field
from sqlmodel import Field as DbField

from hrss_shared import clock
from hrss_shared.policy import PolicyVersion
from social_insurance.common import InsuranceType
from social_insurance.db import Base


def _uuid() -> str:
    return str(uuid.uuid4())


class OneStopPolicy(PolicyVersion):
    """policy/one_stop.toml: the types an employment registration opens and the grace days (社会保险法 art. 58)."""

    grace_days: int = Field(ge=0, le=366, description="自用工之日起的参保宽限天数")
    opened_types: list[InsuranceType] = Field(min_length=1, description="就业登记开立的险种")


class MedicalRequest(Base, table=True):
    """医保参保申请 sent to the medical-insurance bureau: one per employment registration."""

    __tablename__ = "medical_requests"

    id: str = DbField(default_factory=_uuid, primary_key=True, max_length=36)
    employment_registration_id: str = DbField(max_length=64, unique=True)
    id_number: str = DbField(max_length=18, index=True)
    credit_code: str = DbField(max_length=18, index=True)
    county_code: str = DbField(max_length=6, index=True)
    start_date: date
    requested_date: date
    created_at: datetime = DbField(default_factory=clock.now)
