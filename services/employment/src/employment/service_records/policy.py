"""The 131 service policy table (policy/service_131.toml), loaded at import so a bad file stops start-up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field

from employment.service_records.models import ServiceKind
from hrss_shared.policy import PolicyError, PolicyTable, PolicyVersion

POLICY_FILE = Path(__file__).resolve().parent.parent / "policy" / "service_131.toml"


class Service131Policy(PolicyVersion):
    days: int = Field(ge=1, le=366, description="登记失业后提供完整服务的时限（天）")
    career_guidance: int = Field(ge=0, description="职业指导次数")
    job_recommendation: int = Field(ge=0, description="岗位推荐次数")
    training_referral: int = Field(ge=0, description="培训推荐次数")

    def required(self) -> dict[ServiceKind, int]:
        return {kind: getattr(self, kind.value) for kind in ServiceKind}


SERVICE_131: PolicyTable[Service131Policy] = PolicyTable.load(POLICY_FILE, Service131Policy)


def policy_on(day: date, table: PolicyTable[Service131Policy] = SERVICE_131) -> Service131Policy | None:
    """The version in force on ``day``; None before the first version (no 131 obligation then)."""
    try:
        return table.at(day)
    except PolicyError:
        return None
