"""Contracts of ``hrss.training``: the events the training and talent service publishes."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from hrss_shared.events import Contract, EventData
from hrss_shared.validators import CountyCode, IdNumber


class CertificateIssued(EventData):
    """技能等级认定 a skill-level certificate was issued (employment fills the skill profile from it)."""

    id: str = Field(min_length=1, max_length=64, description="证书记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    occupation: str = Field(min_length=1, max_length=100, description="职业（工种）")
    level: int = Field(ge=1, le=5, description="技能等级 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师; 高技能 ≤ 3)")
    certificate_number: str = Field(min_length=1, max_length=64, description="证书编号")
    issued_date: date = Field(description="发证日期")
    county_code: CountyCode | None = Field(default=None, description="认定地县（市、区）代码")


CERTIFICATE_ISSUED = Contract(
    "hrss.training.certificate.issued.v1", CertificateIssued, subject="id_number",
    summary="技能等级认定发证 A skill-level certificate was issued",
)
