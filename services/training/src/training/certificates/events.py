"""Events the certificate domain publishes on ``hrss.training`` (the contract consumers read)."""

from datetime import date

from pydantic import BaseModel, Field

from hrss_shared.validators import CountyCode, IdNumber

CERTIFICATE_ISSUED = "hrss.training.certificate.issued.v1"


class CertificateIssued(BaseModel):
    """技能等级认定 a skill-level certificate was issued (employment fills the skill profile from it)."""

    id: str = Field(min_length=1, max_length=64, description="证书记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    occupation: str = Field(min_length=1, max_length=100, description="职业（工种）")
    level: int = Field(ge=1, le=5, description="技能等级 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师; 高技能 ≤ 3)")
    certificate_number: str = Field(min_length=1, max_length=64, description="证书编号")
    issued_date: date = Field(description="发证日期")
    county_code: CountyCode | None = Field(default=None, description="认定地县（市、区）代码")
