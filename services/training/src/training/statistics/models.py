"""培训统计 statistics: response schemas only (the figures are SQL aggregates over the domains' tables)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hrss_shared.money import Money


class Amounted(BaseModel):
    count: int = Field(description="数量")
    amount: Money = Field(description="金额（元）")


class TrainingByKind(BaseModel):
    course_kind: str = Field(description="培训类型")
    course_kind_name: str
    completed: int = Field(description="结业人次: enrolments completed (合格 or 不合格) in the year")
    passed: int = Field(description="其中合格人次")


class CertificatesByLevel(BaseModel):
    level: int = Field(description="技能等级 1-5")
    level_name: str
    issued: int = Field(description="发证数: valid certificates issued in the year")


class VoucherFigures(BaseModel):
    issued: Amounted = Field(description="发放: vouchers issued in the year, with their face values")
    redeemed: Amounted = Field(description="抵用: vouchers redeemed in the year, with the amounts applied")
    expired: Amounted = Field(description="过期: unused vouchers whose expiry date fell in the year and has "
                                          "passed, with their face values")


class SubsidyFigures(BaseModel):
    kind: str = Field(description="training 职业技能培训补贴 / skill_upgrade 技能提升补贴")
    kind_name: str
    granted: Amounted = Field(description="核发: subsidies granted in the year and not revoked since")
    persons: int = Field(description="享受人数 (distinct persons)")


class PlatformFigures(BaseModel):
    new_master_studios: int = Field(description="新增技能大师工作室: recognised in the year (any level)")
    new_enterprise_high_skill_demo_bases: int = Field(
        description="新增企业高技能人才培训示范基地: recognised in the year (any level)")
    new_public_training_bases: int = Field(description="新增公共实训基地: recognised in the year (any level)")


class TierFigures(BaseModel):
    tier: str = Field(description="人才层次 A–E")
    new: int = Field(description="年内新认定: recognitions approved (valid from) in the year")
    valid_at_year_end: int = Field(description="年末有效: approved recognitions valid on 31 December (or today, "
                                               "for the current year)")


class TalentFigures(BaseModel):
    recognised_by_tier: list[TierFigures] = Field(description="人才认定，按层次")
    new_graduates_attracted: int = Field(
        description="新引进大学生（人）: persons granted a 大学生生活补贴 in the year "
                    "(every one employed by a Quzhou employer with paid contributions when granted)")
    benefits_paid: Amounted = Field(description="人才政策兑现发放: payments made in the year (count and amount)")
    benefit_persons_paid: int = Field(description="人才政策兑现享受人数: distinct persons paid in the year")
    skill_talent: int = Field(
        description="技能人才（人）: persons holding a valid skill-level certificate issued by the year's end")
    high_skill_talent: int = Field(
        description="高技能人才（人）: of those, holders of a level 3 (三级/高级工) or higher certificate")
    professional_technical_talent: int = Field(
        description="专业技术人才（人）: persons holding a valid professional title obtained by the year's end")


class AreaStatistics(BaseModel):
    county_code: str = Field(description="县（市、区）代码; 330800 for the city total")
    county_name: str
    training_person_times: int = Field(description="职业技能培训人次: enrolments completed in the year, every kind")
    training: list[TrainingByKind] = Field(description="按培训类型")
    certificates_issued: int = Field(description="职业技能等级证书发证数 (every level)")
    certificates_by_level: list[CertificatesByLevel]
    special_certificates_issued: int = Field(description="专项职业能力证书发证数 (counted apart from levels)")
    new_high_skill_talent: int = Field(
        description="新增高技能人才（人）: persons whose first valid certificate at 三级/高级工 or above was issued in "
                    "the year, counted in that certificate's county")
    vouchers: VoucherFigures
    subsidies: list[SubsidyFigures]
    platforms: PlatformFigures
    talent: TalentFigures = Field(description="人才服务 (a person with records in two counties counts in each; the "
                                              "city total counts each person once)")


class Statistics(BaseModel):
    year: int
    counties: list[AreaStatistics] = Field(description="各县（市、区）; only the asked (or the client's) county")
    city: AreaStatistics | None = Field(description="全市合计 (330800); null when one county was asked for")
