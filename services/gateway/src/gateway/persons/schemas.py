"""The person-centric 一卡通 view: one section per domain, each with its own ``as_of``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from gateway.alerts.models import AlertPublic
from hrss_contracts.social_insurance import CARD_NUMBER_PATTERN
from hrss_shared.money import Money
from hrss_shared.privacy import BirthDate, FreeData, PersonIdNumber, Phone
from hrss_shared.validators import IdNumber, validate_id_number

_CARD_NUMBER = re.compile(CARD_NUMBER_PATTERN)


def _id_or_card(value: str) -> str:
    """A social security card number as it is; anything else must be a valid ID number (its errors as IdNumber's)."""
    return value if _CARD_NUMBER.fullmatch(value) else validate_id_number(value)


PersonKey = Annotated[str, AfterValidator(_id_or_card), WithJsonSchema({
    "type": "string", "description": "公民身份号码 (18 characters) or 社会保障卡卡号 (Q + 8 digits)",
    "examples": ["330802199001011234", "Q00012345"]})]
AS_OF = "截至时间 time of the newest event this section reflects (null: nothing known yet)"


class LiveRead(BaseModel):
    """How a section was read with ``?fresh=true``: live from its owning service, or unavailable (then the section
    holds the read model's data as of ``as_of``)."""

    status: Literal["live", "unavailable"] = Field(description="live 实时读取 / unavailable 服务不可用（沿用读模型）")
    read_at: datetime = Field(description="读取时间")
    reason: str | None = Field(default=None, description="不可用的原因 why the owning service gave no answer")


LIVE = "实时读取情况 (only with ?fresh=true; null: the read model's data)"


class IdentitySection(BaseModel):
    name: str | None
    county_code: str | None
    county_name: str | None
    birth_date: BirthDate = Field(description="出生日期 YYYY-MM-DD (masked to YYYY-**-** without pii:read)")
    phone: Phone | None
    as_of: datetime | None = Field(description=AS_OF)


class EmploymentItem(BaseModel):
    id: str
    credit_code: str | None = None
    employer_name: str | None = None
    county_code: str | None = None
    occupation: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str
    termination_reason: str | None = None


class UnemploymentItem(BaseModel):
    id: str
    county_code: str | None = None
    registered_date: date | None = None
    end_date: date | None = None
    status: str
    reason: str | None = None
    close_reason: str | None = None


class RecordItem(BaseModel):
    """A record of a domain as its events left it (key group, 131 service, loan …)."""

    id: str
    status: str = Field(description="the verb of its latest event, e.g. added, ended, approved")
    data: FreeData = Field(description="the fields of its events, merged (personal fields masked without pii:read)")
    updated_at: datetime


Records = dict[str, list[RecordItem]]


class EmploymentSection(BaseModel):
    """就业 from hrss.employment."""

    status: Literal["employed", "registered_unemployed", "not_employed"] = Field(
        description="就业状态: employed 在职 / registered_unemployed 登记失业 / not_employed 未就业"
    )
    job_seeker_registered_date: date | None = None
    employments: list[EmploymentItem] = Field(default_factory=list)
    unemployment_registrations: list[UnemploymentItem] = Field(default_factory=list)
    records: Records = Field(
        default_factory=dict,
        description="按类别的其他就业记录 other records by kind: key_group 重点群体, service_record 131服务, "
        "public_welfare_placement 公益性岗位安置, startup_loan 创业担保贷款, startup_subsidy 创业补贴 …",
    )
    as_of: datetime | None = Field(default=None, description=AS_OF)
    live: LiveRead | None = Field(default=None, description=LIVE)


class CertificateItem(BaseModel):
    id: str | None = None
    certificate_number: str
    occupation: str | None = None
    level: int | None = Field(default=None, description="技能等级 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师)")
    issued_date: date | None = None


class TrainingEnrolmentItem(BaseModel):
    """培训报名 as its events left it (a cancellation is final)."""

    id: str
    status: str | None = Field(default=None, description="enrolled 在训 / completed 已结业 / withdrawn 退出 / "
                                                         "cancelled 已撤销")
    result: str | None = Field(default=None, description="结业结果 passed 合格 / failed 不合格")
    course_id: str | None = None
    occupation_code: str | None = None
    occupation_name: str | None = None
    course_kind: str | None = None
    credit_code: str | None = Field(default=None, description="培训机构统一社会信用代码")
    start_date: date | None = None
    end_date: date | None = None
    enrolled_date: date | None = None
    attended_hours: int | None = None
    course_hours: int | None = None
    completed_date: date | None = None
    withdrawn_date: date | None = None
    cancelled_date: date | None = None


class VoucherItem(BaseModel):
    """电子培训券 as its events left it (a cancellation is final)."""

    id: str
    status: str | None = Field(default=None, description="issued 未使用 / redeemed 已抵用 / expired 已过期 / "
                                                         "cancelled 已撤销")
    kind: str | None = Field(default=None, description="券种 reemployment / skill_upgrade / entrepreneurship")
    face_value: Money | None = Field(default=None, description="面额（元）")
    issue_date: date | None = None
    expiry_date: date | None = None
    enrolment_id: str | None = Field(default=None, description="抵用的报名记录 id")
    redeemed_date: date | None = None
    cancelled_date: date | None = None


class SubsidyItem(BaseModel):
    """培训补贴 granted, refused or revoked (a revocation is final)."""

    id: str
    status: str | None = Field(default=None, description="granted 已核发 / refused 不予核发 / revoked 已撤销")
    kind: str | None = Field(default=None, description="training 职业技能培训补贴 / skill_upgrade 技能提升补贴")
    occupation_code: str | None = None
    level: int | None = None
    amount: Money | None = Field(default=None, description="补贴金额（元）")
    channel: str | None = Field(default=None, description="automatic 免申即享 / application 申请")
    granted_date: date | None = None
    decided_date: date | None = Field(default=None, description="不予核发的决定日期")
    revoked_date: date | None = None
    reason: str | None = Field(default=None, description="不予核发或撤销的原因")


class TrainingSection(BaseModel):
    """职业技能 from hrss.training."""

    certificates: list[CertificateItem] = Field(default_factory=list, description="技能等级证书")
    high_skill: bool = Field(default=False, description="高技能人才 (a certificate at level 3 三级/高级工 or above)")
    enrolments: list[TrainingEnrolmentItem] = Field(default_factory=list, description="培训报名")
    vouchers: list[VoucherItem] = Field(default_factory=list, description="电子培训券")
    subsidies: list[SubsidyItem] = Field(default_factory=list, description="培训补贴")
    records: Records = Field(default_factory=dict, description="其他培训与人才记录 other training and talent records")
    as_of: datetime | None = Field(default=None, description=AS_OF)
    live: LiveRead | None = Field(default=None, description=LIVE)


class RecognitionItem(BaseModel):
    """人才认定 as its newest event left it (a cancellation is final)."""

    id: str
    tier: str | None = Field(default=None, description="人才层次 A 顶尖人才 / B 国家级领军人才 / C 省级领军人才 / "
                                                       "D 市级拔尖人才 / E 高级人才（青年人才）")
    status: str | None = Field(default=None, description="applied 已申请 / approved 已认定 / refused 不予认定 / "
                                                         "revoked 已撤销认定 / superseded 已被取代 / cancelled 已撤销")
    recognition_number: str | None = None
    valid_from: date | None = Field(default=None, description="有效期起")
    valid_until: date | None = Field(default=None, description="有效期止（含）")
    applied_date: date | None = None
    closed_date: date | None = Field(default=None, description="不予认定、撤销或被取代的日期")
    reason: str | None = None


class TitleItem(BaseModel):
    """职称 (a cancellation is final)."""

    id: str
    status: str | None = Field(default=None, description="granted 已取得 / cancelled 已撤销")
    series: str | None = Field(default=None, description="职称系列")
    level: str | None = Field(default=None, description="junior 初级 / intermediate 中级 / associate_senior 副高级 / "
                                                        "senior 正高级")
    specialty: str | None = None
    certificate_number: str | None = None
    issuing_body: str | None = None
    issued_date: date | None = None
    cancelled_date: date | None = None


class TalentBenefitItem(BaseModel):
    """人才政策兑现: its grant, its stop (final) and the periods paid, those at or after the stop apart."""

    id: str
    kind: str = Field(description="graduate_living_allowance 大学生生活补贴 / rental_subsidy 租房补贴 / "
                                  "housing_subsidy 购房补贴")
    status: str = Field(description="granted 兑现中 / stopped 已停发")
    credit_code: str | None = None
    tier: str | None = None
    degree: str | None = None
    amount_per_period: Money | None = Field(default=None, description="每期金额（元）")
    periods: int | None = None
    first_period: str | None = None
    granted_date: date | None = None
    stop_period: str | None = Field(default=None, description="停发起始期 YYYY-MM")
    stop_reason: str | None = None
    paid_periods: list[str] = Field(default_factory=list, description="已发放的期 YYYY-MM")
    paid_after_stop: list[str] = Field(default_factory=list, description="停发起始期及以后仍发放的期（政策监管预警）")


class TalentSection(BaseModel):
    """人才服务 from hrss.training: recognitions, professional titles, talent benefits."""

    recognitions: list[RecognitionItem] = Field(default_factory=list, description="人才认定")
    titles: list[TitleItem] = Field(default_factory=list, description="职称")
    benefits: list[TalentBenefitItem] = Field(default_factory=list, description="人才政策兑现")
    as_of: datetime | None = Field(default=None, description=AS_OF)
    live: LiveRead | None = Field(default=None, description=LIVE)


class EnrolmentItem(BaseModel):
    """A 参保登记 as its latest event left it (a correction replaces its fields; a cancellation is final)."""

    id: str
    insurance_type: str = Field(description="险种 employee_pension 企业职工基本养老 / resident_pension 城乡居民"
                                            "基本养老 / unemployment 失业 / work_injury 工伤")
    status: str = Field(description="pending 待生效 / active 参保缴费 / suspended 暂停缴费 / ended 终止 / "
                                    "cancelled 已撤销")
    credit_code: str | None = Field(default=None, description="参保单位统一社会信用代码（灵活就业、城乡居民为空）")
    flexible: bool = False
    county_code: str | None = None
    start_date: date | None = None
    end_date: date | None = None


class CoverageGapItem(BaseModel):
    """参保空档: a pending enrolment of the 参保一件事 past its grace days; closed once the enrolment is no longer
    pending."""

    id: str = Field(description="参保登记 id of the pending enrolment")
    insurance_type: str
    credit_code: str | None = None
    start_date: date
    due_date: date = Field(description="最迟参保日期")
    detected_date: date
    status: Literal["open", "closed"]


class BenefitItem(BaseModel):
    """失业保险金: the newest decision on an unemployment registration, its stop and the months paid."""

    id: str
    unemployment_registration_id: str | None = None
    eligible: bool | None = None
    status: str | None = Field(default=None, description="active 领取中 / not_eligible 不符合条件 / stopped 已停发")
    reason: str | None = Field(default=None, description="不符合条件的原因代码")
    months_entitled: int | None = None
    monthly_amount: Money | None = Field(default=None, description="月发放标准（元）")
    start_date: date | None = None
    end_date: date | None = None
    revision: int | None = Field(default=None, description="重新核定次数")
    stopped_date: date | None = None
    stop_reason: str | None = None
    paid_months: list[str] = Field(default_factory=list, description="已发放月份 YYYY-MM")
    paid_after_stop: list[str] = Field(default_factory=list, description="停发之后仍发放的月份（政策监管预警）")


class InsuranceSection(BaseModel):
    """社会保险 from hrss.social-insurance."""

    enrolments: list[EnrolmentItem] = Field(default_factory=list, description="参保登记")
    contribution_months: dict[str, list[str]] = Field(
        default_factory=dict, description="已缴费月份 by insurance type (YYYY-MM; a cancelled contribution's month is "
        "gone unless another contribution of the type pays it)")
    coverage_gaps: list[CoverageGapItem] = Field(default_factory=list, description="参保空档")
    benefits: list[BenefitItem] = Field(default_factory=list, description="失业保险金核定与停发")
    records: Records = Field(default_factory=dict, description="其他记录 medical_enrolment 医保参保申请, "
                                                               "pension_topup 提档补缴")
    as_of: datetime | None = Field(default=None, description=AS_OF)
    live: LiveRead | None = Field(default=None, description=LIVE)


class CardItem(BaseModel):
    card_number: str = Field(description="社会保障卡卡号")
    status: str = Field(description="active 正常 / lost 挂失 / cancelled 注销（含补换后的原卡）")
    services: list[str] = Field(default_factory=list, description="已开通的应用场景代码")
    county_code: str | None = None
    issued_date: date | None = None
    lost_date: date | None = None
    cancelled_date: date | None = None
    replaced_by: str | None = Field(default=None, description="补换后的新卡号")
    replaces_card_number: str | None = Field(default=None, description="补换前的原卡号")


class CardSection(BaseModel):
    """社会保障卡 from hrss.social-insurance: the valid card (active or lost) and every card the person had."""

    card: CardItem | None = Field(default=None, description="有效的社会保障卡（正常或挂失）")
    cards: list[CardItem] = Field(default_factory=list, description="全部社会保障卡，新的在前")
    as_of: datetime | None = Field(default=None, description=AS_OF)
    live: LiveRead | None = Field(default=None, description=LIVE)


class ArrearsCaseItem(BaseModel):
    """欠薪案件 in which the person is a complainant, as its newest event left it (a cancellation is final)."""

    id: str
    credit_code: str = Field(description="被投诉单位统一社会信用代码")
    employer_name: str | None = None
    county_code: str | None = None
    status: str = Field(description="registered 登记 / accepted 立案 / investigating 调查 / mediating 调解 / "
                                    "resolved 处理完毕 / closed 结案 / transferred 移送仲裁 / cancelled 撤销")
    filed_date: date
    accepted_date: date | None = None
    deadline_date: date | None = Field(default=None, description="办结期限")
    concluded_date: date | None = None
    amount_owed: Money = Field(description="欠薪金额（元）")
    amount_recovered: Money | None = Field(default=None, description="追回金额（元）")
    group_case: bool = Field(description="群体性欠薪")
    workers_affected: int


class LabourSection(BaseModel):
    """劳动关系 from hrss.labour-relations: the wage-arrears cases the person complained in."""

    arrears_cases: list[ArrearsCaseItem] = Field(default_factory=list, description="本人为投诉人的欠薪案件")
    records: Records = Field(default_factory=dict)
    as_of: datetime | None = Field(default=None, description=AS_OF)
    live: LiveRead | None = Field(default=None, description=LIVE)


class PersonView(BaseModel):
    id_number: PersonIdNumber
    identity: IdentitySection
    employment: EmploymentSection = Field(description="就业 (hrss.employment)")
    training: TrainingSection = Field(description="职业技能 (hrss.training)")
    talent: TalentSection = Field(description="人才服务 (hrss.training)")
    card: CardSection = Field(description="社会保障卡 (hrss.social-insurance)")
    insurance: InsuranceSection = Field(description="社会保险 (hrss.social-insurance)")
    labour: LabourSection = Field(description="劳动关系 (hrss.labour-relations)")
    alerts: list[AlertPublic] = Field(
        default_factory=list,
        description="关于本人的政策监管预警 (alerts naming the person, newest first; retracted ones left out)")


class PersonLookup(BaseModel):
    """The body of a person look-up: the ID number travels in the body, not in the URL that proxies log."""

    id_number: IdNumber = Field(description="公民身份号码 (18 characters, GB 11643-1999)")
