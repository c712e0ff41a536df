"""Contracts of ``hrss.training``: the events the training and talent service publishes."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from hrss_shared.events import Contract, EventData
from hrss_shared.money import Money
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

# 《中华人民共和国职业分类大典》 occupation codes: a major group 1-8, then middle, minor and unit groups of two
# digits, e.g. 6-29-03-01.
OCCUPATION_CODE_PATTERN = r"^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$"


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
    # Added within .v1 (additive): events published before carry neither.
    occupation_code: str | None = Field(default=None, pattern=OCCUPATION_CODE_PATTERN,
                                        description="职业编码（国家职业分类大典），如 6-29-03-01")
    evaluation_org: str | None = Field(default=None, max_length=200, description="评价机构（职业技能等级认定机构）")


CERTIFICATE_ISSUED = Contract(
    "hrss.training.certificate.issued.v1", CertificateIssued, subject="id_number",
    summary="技能等级认定发证 A skill-level certificate was issued",
)


# Subjects: an institution's events (and its courses') carry its credit code, a trainee's events the ID number.
# Within a ``.v1`` type only additive changes; a breaking change is a new ``.v2`` type.

# ---- training institutions 培训机构 (subject: the institution's credit code) ------------------------


class InstitutionRegistered(EventData):
    """培训机构登记 a training institution was registered."""

    id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    credit_code: CreditCode = Field(description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200, description="机构名称")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    kind: str = Field(description="机构类型 technical_school 技工院校 / vocational_college 职业院校 / "
                                  "private_provider 社会培训机构 / enterprise 企业")
    status: str = Field(description="状态 active 正常 / suspended 暂停 / closed 关闭")


class InstitutionUpdated(EventData):
    """培训机构信息变更: the institution after the change, which fields changed and its status before."""

    id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    credit_code: CreditCode = Field(description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200, description="机构名称")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    kind: str = Field(description="机构类型")
    status: str = Field(description="变更后状态 active / suspended / closed")
    changed: list[str] = Field(description="变更的字段 the fields that changed")
    previous_status: str | None = Field(default=None, description="变更前状态 (only when the status changed)")


class InstitutionAccredited(EventData):
    """培训资质认定: an institution was accredited to train an occupation for a period."""

    id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    accreditation_id: str = Field(min_length=1, max_length=64, description="资质认定记录 id")
    credit_code: CreditCode = Field(description="统一社会信用代码")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码（国家职业分类大典）")
    occupation_name: str = Field(min_length=1, max_length=100, description="职业名称")
    valid_from: date = Field(description="有效期起")
    valid_until: date = Field(description="有效期止（含）")


INSTITUTION_REGISTERED = Contract(
    "hrss.training.institution.registered.v1", InstitutionRegistered, subject="credit_code",
    summary="培训机构登记 A training institution was registered",
)
INSTITUTION_UPDATED = Contract(
    "hrss.training.institution.updated.v1", InstitutionUpdated, subject="credit_code",
    summary="培训机构信息变更 A training institution's name or status changed",
)
INSTITUTION_ACCREDITED = Contract(
    "hrss.training.institution.accredited.v1", InstitutionAccredited, subject="credit_code",
    summary="培训资质认定 A training institution was accredited for an occupation",
)

# ---- courses 培训课程 (subject: the institution's credit code) --------------------------------------


class CoursePublished(EventData):
    """培训课程发布: an accredited institution published a course."""

    id: str = Field(min_length=1, max_length=64, description="课程 id")
    institution_id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    credit_code: CreditCode = Field(description="培训机构统一社会信用代码")
    institution_name: str = Field(min_length=1, max_length=200, description="培训机构名称")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码（国家职业分类大典）")
    occupation_name: str = Field(min_length=1, max_length=100, description="职业名称")
    kind: str = Field(description="培训类型 employment_skills 就业技能培训 / on_the_job_upgrade 岗位技能提升培训 / "
                                  "entrepreneurship 创业培训 / apprenticeship 企业新型学徒制")
    target_level: int | None = Field(default=None, ge=1, le=5, description="培训目标等级 1-5 (none: 创业培训)")
    hours: int = Field(gt=0, description="培训总学时")
    fee_per_trainee: Money = Field(description="每人培训费（元）")
    capacity: int = Field(gt=0, description="招生人数")
    start_date: date = Field(description="开班日期")
    end_date: date = Field(description="结业日期")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")


COURSE_PUBLISHED = Contract(
    "hrss.training.course.published.v1", CoursePublished, subject="credit_code",
    summary="培训课程发布 A training course was published",
)

# ---- enrolments 培训报名 (subject: the trainee's ID number) ------------------------------------------


class TrainingEnrolled(EventData):
    """培训报名: a person enrolled on a course."""

    id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    institution_id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    credit_code: CreditCode = Field(description="培训机构统一社会信用代码")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码")
    occupation_name: str = Field(min_length=1, max_length=100, description="职业名称")
    course_kind: str = Field(description="培训类型")
    start_date: date = Field(description="开班日期")
    end_date: date = Field(description="结业日期")
    enrolled_date: date = Field(description="报名日期")


class TrainingAttendanceRecorded(EventData):
    """培训考勤: attended hours were recorded for an enrolment."""

    id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")
    hours: int = Field(gt=0, description="本次记录学时")
    attended_hours: int = Field(ge=0, description="累计出勤学时")
    course_hours: int = Field(gt=0, description="课程总学时")
    recorded_date: date = Field(description="记录日期")


class TrainingCompleted(EventData):
    """培训结业: the trainee finished the course as 合格 (passed) or 不合格 (failed)."""

    id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    institution_id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码")
    occupation_name: str = Field(min_length=1, max_length=100, description="职业名称")
    course_kind: str = Field(description="培训类型")
    target_level: int | None = Field(default=None, ge=1, le=5, description="培训目标等级")
    result: str = Field(description="结业结果 passed 合格 / failed 不合格")
    attended_hours: int = Field(ge=0, description="累计出勤学时")
    course_hours: int = Field(gt=0, description="课程总学时")
    completed_date: date = Field(description="结业日期")
    policy_source: str = Field(description="出勤要求的政策依据 the attendance rule applied")


class TrainingWithdrawn(EventData):
    """退出培训: the trainee withdrew and the seat was freed."""

    id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")
    withdrawn_date: date = Field(description="退出日期")
    reason: str = Field(min_length=1, max_length=200, description="退出原因")


class TrainingEnrolmentCorrected(EventData):
    """培训报名更正: an enrolment recorded wrongly was corrected; the enrolment after the correction."""

    id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")
    status: str = Field(description="状态 enrolled 在训 / completed 已结业")
    attended_hours: int = Field(ge=0, description="累计出勤学时")
    result: str | None = Field(default=None, description="结业结果 passed 合格 / failed 不合格")
    changed: list[str] = Field(min_length=1, description="更正的字段")
    reason: str = Field(min_length=1, max_length=200, description="更正原因")


class TrainingEnrolmentCancelled(EventData):
    """培训报名撤销: an enrolment recorded in error was cancelled; its seat, its voucher and the subsidy decided on
    it follow."""

    id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="培训地县（市、区）代码")
    previous_status: str = Field(description="撤销前状态")
    voucher_id: str | None = Field(default=None, max_length=64, description="退回的培训券 id")
    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


ENROLMENT_ENROLLED = Contract(
    "hrss.training.enrolment.enrolled.v1", TrainingEnrolled, subject="id_number",
    summary="培训报名 A person enrolled on a training course",
)
ENROLMENT_ATTENDANCE_RECORDED = Contract(
    "hrss.training.enrolment.attendance_recorded.v1", TrainingAttendanceRecorded, subject="id_number",
    summary="培训考勤记录 Attended hours were recorded",
)
ENROLMENT_COMPLETED = Contract(
    "hrss.training.enrolment.completed.v1", TrainingCompleted, subject="id_number",
    summary="培训结业 A trainee completed a course (passed or failed)",
)
ENROLMENT_CORRECTED = Contract(
    "hrss.training.enrolment.corrected.v1", TrainingEnrolmentCorrected, subject="id_number",
    summary="培训报名更正 An enrolment was corrected",
)
ENROLMENT_CANCELLED = Contract(
    "hrss.training.enrolment.cancelled.v1", TrainingEnrolmentCancelled, subject="id_number",
    summary="培训报名撤销 An enrolment recorded in error was cancelled",
)
ENROLMENT_WITHDRAWN = Contract(
    "hrss.training.enrolment.withdrawn.v1", TrainingWithdrawn, subject="id_number",
    summary="退出培训 A trainee withdrew from a course",
)

# ---- electronic training vouchers 电子培训券 (subject: the holder's ID number) ---------------------


class VoucherEvent(EventData):
    """What every voucher event says of its voucher."""

    id: str = Field(min_length=1, max_length=64, description="培训券 id")
    id_number: IdNumber = Field(description="持券人公民身份号码")
    county_code: CountyCode = Field(description="发券地县（市、区）代码")
    kind: str = Field(description="券种 reemployment 再就业培训券 / skill_upgrade 技能提升培训券 / "
                                  "entrepreneurship 创业培训券")
    face_value: Money = Field(description="面额（元）")


class VoucherIssued(VoucherEvent):
    """电子培训券发放: a training voucher was issued to a person (by hand, or on an unemployment registration)."""

    name: str = Field(min_length=1, max_length=50, description="持券人姓名")
    eligible_course_kinds: list[str] = Field(min_length=1, description="可抵用的培训类型")
    eligible_occupation_codes: list[str] = Field(default_factory=list,
                                                 description="可抵用的职业编码（空 = 不限）")
    issue_date: date = Field(description="发放日期")
    expiry_date: date = Field(description="有效期止（含当日）")
    unemployment_registration_id: str | None = Field(
        default=None, max_length=64, description="依据的失业登记 id (vouchers issued on an unemployment registration)")
    policy_source: str | None = Field(default=None, description="面额与有效期的政策依据")
    illustrative: bool = Field(default=False, description="true: the policy values are examples from no official "
                                                          "document")


class VoucherRedeemed(VoucherEvent):
    """电子培训券抵用: a voucher was redeemed against one enrolment of its holder."""

    enrolment_id: str = Field(min_length=1, max_length=64, description="报名记录 id")
    course_id: str = Field(min_length=1, max_length=64, description="课程 id")
    institution_id: str = Field(min_length=1, max_length=64, description="培训机构 id")
    course_fee: Money = Field(description="每人培训费（元）")
    amount_applied: Money = Field(description="抵用金额 = min(面额, 培训费)")
    trainee_pays: Money = Field(description="学员仍需自付金额")
    redeemed_date: date = Field(description="抵用日期")


class VoucherExpired(VoucherEvent):
    """电子培训券过期: an unused voucher passed its expiry date."""

    expiry_date: date = Field(description="有效期止")
    expired_date: date = Field(description="确认过期的日期 the day the expiry was recorded")


class VoucherCancelled(VoucherEvent):
    """电子培训券撤销: an unused voucher was cancelled."""

    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


class VoucherCorrected(VoucherEvent):
    """电子培训券更正: an unused voucher recorded wrongly was corrected; its face value and dates after it."""

    issue_date: date = Field(description="发放日期")
    expiry_date: date = Field(description="有效期止（含当日）")
    changed: list[str] = Field(min_length=1, description="更正的字段")
    reason: str = Field(min_length=1, max_length=200, description="更正原因")


class VoucherReleased(VoucherEvent):
    """电子培训券退回: the enrolment a voucher paid for was cancelled, so the voucher is unused again (or expired,
    when its expiry date has passed)."""

    enrolment_id: str = Field(min_length=1, max_length=64, description="撤销的报名记录 id")
    status: str = Field(description="退回后状态 issued 未使用 / expired 已过期")
    released_date: date = Field(description="退回日期")


VOUCHER_ISSUED = Contract(
    "hrss.training.voucher.issued.v1", VoucherIssued, subject="id_number",
    summary="电子培训券发放 A training voucher was issued",
)
VOUCHER_REDEEMED = Contract(
    "hrss.training.voucher.redeemed.v1", VoucherRedeemed, subject="id_number",
    summary="电子培训券抵用 A training voucher was redeemed against an enrolment",
)
VOUCHER_EXPIRED = Contract(
    "hrss.training.voucher.expired.v1", VoucherExpired, subject="id_number",
    summary="电子培训券过期 An unused training voucher expired",
)
VOUCHER_CORRECTED = Contract(
    "hrss.training.voucher.corrected.v1", VoucherCorrected, subject="id_number",
    summary="电子培训券更正 An unused training voucher was corrected",
)
VOUCHER_RELEASED = Contract(
    "hrss.training.voucher.released.v1", VoucherReleased, subject="id_number",
    summary="电子培训券退回 A voucher was released by the cancellation of the enrolment it paid for",
)
VOUCHER_CANCELLED = Contract(
    "hrss.training.voucher.cancelled.v1", VoucherCancelled, subject="id_number",
    summary="电子培训券撤销 An unused training voucher was cancelled",
)


# ---- certificates 职业技能等级证书 and 专项职业能力证书 (subject: the holder's ID number) ------------------


class CertificateCorrected(EventData):
    """技能等级证书更正: a certificate recorded wrongly was corrected; the certificate after the correction."""

    id: str = Field(min_length=1, max_length=64, description="证书记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    certificate_number: str = Field(min_length=1, max_length=64, description="证书编号")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码")
    occupation: str = Field(min_length=1, max_length=100, description="职业（工种）名称")
    level: int = Field(ge=1, le=5, description="技能等级 1-5")
    issued_date: date = Field(description="发证日期")
    county_code: CountyCode = Field(description="认定地县（市、区）代码")
    evaluation_org: str = Field(min_length=1, max_length=200, description="评价机构")
    changed: list[str] = Field(min_length=1, description="更正的字段")
    reason: str = Field(min_length=1, max_length=200, description="更正原因")


class CertificateCancelled(EventData):
    """技能等级证书撤销: a certificate was cancelled (recorded in error, or revoked); what was derived from it
    (the skill profile entry, a subsidy) follows."""

    id: str = Field(min_length=1, max_length=64, description="证书记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    certificate_number: str = Field(min_length=1, max_length=64, description="证书编号")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码")
    level: int = Field(ge=1, le=5, description="技能等级 1-5")
    county_code: CountyCode = Field(description="认定地县（市、区）代码")
    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


class SpecialCertificateIssued(EventData):
    """专项职业能力证书: a certificate of a specific vocational ability (no level) was issued."""

    id: str = Field(min_length=1, max_length=64, description="证书记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(min_length=1, max_length=50, description="姓名")
    certificate_number: str = Field(min_length=1, max_length=64, description="证书编号")
    ability_name: str = Field(min_length=1, max_length=100, description="专项职业能力名称，如 衢州鸭头制作")
    evaluation_org: str = Field(min_length=1, max_length=200, description="考核机构")
    issued_date: date = Field(description="发证日期")
    county_code: CountyCode = Field(description="考核地县（市、区）代码")


class SpecialCertificateCancelled(EventData):
    """专项职业能力证书撤销."""

    id: str = Field(min_length=1, max_length=64, description="证书记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    certificate_number: str = Field(min_length=1, max_length=64, description="证书编号")
    county_code: CountyCode = Field(description="考核地县（市、区）代码")
    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


CERTIFICATE_CORRECTED = Contract(
    "hrss.training.certificate.corrected.v1", CertificateCorrected, subject="id_number",
    summary="技能等级证书更正 A skill-level certificate was corrected",
)
CERTIFICATE_CANCELLED = Contract(
    "hrss.training.certificate.cancelled.v1", CertificateCancelled, subject="id_number",
    summary="技能等级证书撤销 A skill-level certificate was cancelled",
)
SPECIAL_CERTIFICATE_ISSUED = Contract(
    "hrss.training.special_certificate.issued.v1", SpecialCertificateIssued, subject="id_number",
    summary="专项职业能力证书发证 A special vocational ability certificate was issued",
)
SPECIAL_CERTIFICATE_CANCELLED = Contract(
    "hrss.training.special_certificate.cancelled.v1", SpecialCertificateCancelled, subject="id_number",
    summary="专项职业能力证书撤销 A special vocational ability certificate was cancelled",
)

# ---- subsidies 职业技能培训补贴 / 技能提升补贴 (subject: the person's ID number) ----------------------------


class SubsidyEvent(EventData):
    """What every subsidy event says of its subsidy."""

    id: str = Field(min_length=1, max_length=64, description="补贴记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="县（市、区）代码")
    kind: str = Field(description="补贴类型 training 职业技能培训补贴 / skill_upgrade 技能提升补贴")
    occupation_code: str = Field(pattern=OCCUPATION_CODE_PATTERN, description="职业编码")
    level: int | None = Field(default=None, ge=1, le=5, description="技能等级 1-5 (none: 创业培训)")


class SubsidyGranted(SubsidyEvent):
    """培训补贴核发: a subsidy was granted, automatically (免申即享) or on an application."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    amount: Money = Field(description="补贴金额（元）")
    channel: str = Field(description="automatic 免申即享 / application 申请")
    certificate_id: str | None = Field(default=None, max_length=64, description="依据的证书记录 id")
    enrolment_id: str | None = Field(default=None, max_length=64, description="依据的报名记录 id")
    course_kind: str | None = Field(default=None, description="培训类型 (training subsidies)")
    granted_date: date = Field(description="核发日期")
    policy_source: str = Field(description="补贴标准的政策依据")
    illustrative: bool = Field(default=False, description="true: the amount is an example from no official document")


class SubsidyRefused(SubsidyEvent):
    """培训补贴不予核发: a claim (or an automatic decision) was refused; kept for 政策监管."""

    reason: str = Field(description="duplicate 重复申领 / higher_level_paid 已享受更高等级 / voucher_paid 已使用培训券")
    detail: str = Field(min_length=1, max_length=500, description="不予核发的说明")
    earlier_subsidy_id: str | None = Field(default=None, max_length=64, description="已享受的补贴记录 id")
    voucher_id: str | None = Field(default=None, max_length=64, description="已抵用的培训券 id")
    certificate_id: str | None = Field(default=None, max_length=64, description="依据的证书记录 id")
    enrolment_id: str | None = Field(default=None, max_length=64, description="依据的报名记录 id")
    channel: str = Field(description="automatic 免申即享 / application 申请")
    refused_date: date = Field(description="决定日期")


class SubsidyRevoked(SubsidyEvent):
    """培训补贴撤销: the certificate or enrolment a subsidy was granted on was cancelled or corrected."""

    amount: Money = Field(description="撤销的补贴金额（元）")
    revoked_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


SUBSIDY_GRANTED = Contract(
    "hrss.training.subsidy.granted.v1", SubsidyGranted, subject="id_number",
    summary="培训补贴核发 A training or skill-upgrade subsidy was granted",
)
SUBSIDY_REFUSED = Contract(
    "hrss.training.subsidy.refused.v1", SubsidyRefused, subject="id_number",
    summary="培训补贴不予核发 A subsidy claim was refused (duplicate, higher level paid, voucher used)",
)
SUBSIDY_REVOKED = Contract(
    "hrss.training.subsidy.revoked.v1", SubsidyRevoked, subject="id_number",
    summary="培训补贴撤销 A subsidy was revoked because its basis was cancelled or corrected",
)

# ---- platforms 技能大师工作室 and 培训基地 (subject: the employer's credit code) -----------------------------


class PlatformEvent(EventData):
    """What every platform event says of its platform."""

    id: str = Field(min_length=1, max_length=64, description="平台记录 id")
    credit_code: CreditCode = Field(description="依托单位（运营单位）统一社会信用代码")
    county_code: CountyCode = Field(description="所在县（市、区）代码")
    platform_type: str = Field(description="master_studio 技能大师工作室 / training_base 培训基地")
    base_kind: str | None = Field(default=None, description="培训基地类型 enterprise_high_skill_demo "
                                                            "企业高技能人才培训示范基地 / public_training 公共实训基地")
    level: str = Field(description="级别 national 国家级 / provincial 省级 / city 市级")


class PlatformRecognised(PlatformEvent):
    """技能大师工作室 / 培训基地认定."""

    name: str = Field(min_length=1, max_length=200, description="名称")
    employer_name: str = Field(min_length=1, max_length=200, description="依托单位名称")
    lead_id_number: IdNumber | None = Field(default=None, description="领办技能大师公民身份号码 (master studios)")
    lead_name: str | None = Field(default=None, max_length=50, description="领办技能大师姓名")
    occupation_codes: list[str] = Field(min_length=1, description="职业编码")
    recognised_date: date = Field(description="认定日期")


class PlatformRevoked(PlatformEvent):
    """技能大师工作室 / 培训基地撤销认定."""

    revoked_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


MASTER_STUDIO_RECOGNISED = Contract(
    "hrss.training.master_studio.recognised.v1", PlatformRecognised, subject="credit_code",
    summary="技能大师工作室认定 A master studio was recognised",
)
MASTER_STUDIO_REVOKED = Contract(
    "hrss.training.master_studio.revoked.v1", PlatformRevoked, subject="credit_code",
    summary="技能大师工作室撤销 A master studio's recognition was revoked",
)
TRAINING_BASE_RECOGNISED = Contract(
    "hrss.training.training_base.recognised.v1", PlatformRecognised, subject="credit_code",
    summary="培训基地认定 A training base was recognised",
)
TRAINING_BASE_REVOKED = Contract(
    "hrss.training.training_base.revoked.v1", PlatformRevoked, subject="credit_code",
    summary="培训基地撤销 A training base's recognition was revoked",
)

# ---- talent services 人才服务: professional titles, talent recognition, talent benefits --------------------
# (subject: the person's ID number)


class ProfessionalTitleEvent(EventData):
    """What every professional-title event says of the title."""

    id: str = Field(min_length=1, max_length=64, description="职称记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="县（市、区）代码")
    series: str = Field(description="职称系列 engineering 工程 / education 教育 / health 卫生 / agriculture 农业 / "
                                    "economics 经济 / accounting 会计 / other 其他")
    level: str = Field(description="级别 junior 初级 / intermediate 中级 / associate_senior 副高级 / senior 正高级")


class ProfessionalTitleGranted(ProfessionalTitleEvent):
    """职称取得: a professional title was recorded."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    specialty: str = Field(min_length=1, max_length=100, description="专业")
    certificate_number: str = Field(min_length=1, max_length=64, description="职称证书编号")
    issuing_body: str = Field(min_length=1, max_length=200, description="评审（发证）机构")
    issued_date: date = Field(description="取得日期")


class ProfessionalTitleCorrected(ProfessionalTitleGranted):
    """职称更正: the title after the correction."""

    changed: list[str] = Field(min_length=1, description="更正的字段")
    reason: str = Field(min_length=1, max_length=200, description="更正原因")


class ProfessionalTitleCancelled(ProfessionalTitleEvent):
    """职称撤销."""

    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=200, description="撤销原因")


PROFESSIONAL_TITLE_GRANTED = Contract(
    "hrss.training.professional_title.granted.v1", ProfessionalTitleGranted, subject="id_number",
    summary="职称取得 A professional title was recorded",
)
PROFESSIONAL_TITLE_CORRECTED = Contract(
    "hrss.training.professional_title.corrected.v1", ProfessionalTitleCorrected, subject="id_number",
    summary="职称更正 A professional title was corrected",
)
PROFESSIONAL_TITLE_CANCELLED = Contract(
    "hrss.training.professional_title.cancelled.v1", ProfessionalTitleCancelled, subject="id_number",
    summary="职称撤销 A professional title was cancelled",
)


class TalentRecognitionEvent(EventData):
    """What every talent-recognition event says of the recognition."""

    id: str = Field(min_length=1, max_length=64, description="人才认定记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="县（市、区）代码")
    tier: str = Field(description="人才层次 A 顶尖人才 / B 国家级领军人才 / C 省级领军人才 / D 市级拔尖人才 / "
                                  "E 高级人才（青年人才）")
    status: str = Field(description="状态 applied 已申请 / approved 已认定 / refused 不予认定 / revoked 已撤销认定 / "
                                    "superseded 已被更高层次取代 / cancelled 已撤销（登记有误）")


class TalentRecognitionApplied(TalentRecognitionEvent):
    """人才认定申请: placed in a tier by the policy's rules."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    credit_code: CreditCode | None = Field(default=None, description="工作单位统一社会信用代码")
    criterion: str = Field(min_length=1, max_length=300, description="认定依据的条目")
    applied_date: date = Field(description="申请日期")
    policy_source: str = Field(description="人才分类目录依据")
    illustrative: bool = Field(default=False, description="true: the tier rules are examples from no official "
                                                          "document")


class TalentRecognitionApproved(TalentRecognitionEvent):
    """人才认定: approved, with its number and validity."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    credit_code: CreditCode | None = Field(default=None, description="工作单位统一社会信用代码")
    recognition_number: str = Field(min_length=1, max_length=40, description="认定编号")
    valid_from: date = Field(description="有效期起")
    valid_until: date = Field(description="有效期止（含）")
    superseded_id: str | None = Field(default=None, max_length=64, description="被取代的较低层次认定 id")


class TalentRecognitionClosed(TalentRecognitionEvent):
    """人才认定不予认定 / 撤销认定 / 被取代 / 撤销 (the status says which), with the reason."""

    closed_date: date = Field(description="日期")
    reason: str = Field(min_length=1, max_length=200, description="原因")


class TalentRecognitionCorrected(TalentRecognitionEvent):
    """人才认定更正: the applicant's name, county or employer recorded wrongly was corrected."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    credit_code: CreditCode | None = Field(default=None, description="工作单位统一社会信用代码")
    changed: list[str] = Field(min_length=1, description="更正的字段")
    reason: str = Field(min_length=1, max_length=200, description="更正原因")


TALENT_RECOGNITION_APPLIED = Contract(
    "hrss.training.talent_recognition.applied.v1", TalentRecognitionApplied, subject="id_number",
    summary="人才认定申请 A person applied for talent recognition",
)
TALENT_RECOGNITION_APPROVED = Contract(
    "hrss.training.talent_recognition.approved.v1", TalentRecognitionApproved, subject="id_number",
    summary="人才认定 A talent recognition was approved",
)
TALENT_RECOGNITION_REFUSED = Contract(
    "hrss.training.talent_recognition.refused.v1", TalentRecognitionClosed, subject="id_number",
    summary="人才认定不予认定 A talent recognition application was refused",
)
TALENT_RECOGNITION_REVOKED = Contract(
    "hrss.training.talent_recognition.revoked.v1", TalentRecognitionClosed, subject="id_number",
    summary="撤销人才认定 An approved talent recognition was revoked",
)
TALENT_RECOGNITION_SUPERSEDED = Contract(
    "hrss.training.talent_recognition.superseded.v1", TalentRecognitionClosed, subject="id_number",
    summary="人才认定被取代 A recognition was superseded by a higher tier",
)
TALENT_RECOGNITION_CORRECTED = Contract(
    "hrss.training.talent_recognition.corrected.v1", TalentRecognitionCorrected, subject="id_number",
    summary="人才认定更正 A recognition's name, county or employer was corrected",
)
TALENT_RECOGNITION_CANCELLED = Contract(
    "hrss.training.talent_recognition.cancelled.v1", TalentRecognitionClosed, subject="id_number",
    summary="人才认定撤销（登记有误） A recognition recorded in error was cancelled",
)


class TalentBenefitEvent(EventData):
    """What every talent-benefit event says of the benefit."""

    id: str = Field(min_length=1, max_length=64, description="人才政策兑现记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="县（市、区）代码")
    kind: str = Field(description="graduate_living_allowance 大学生生活补贴 / rental_subsidy 租房补贴 / "
                                  "housing_subsidy 购房补贴")


class TalentBenefitGranted(TalentBenefitEvent):
    """人才政策兑现: a benefit was granted with its amount and periods."""

    name: str = Field(min_length=1, max_length=50, description="姓名")
    credit_code: CreditCode = Field(description="就业单位统一社会信用代码")
    degree: str | None = Field(default=None, description="学历 associate 大专 / bachelor 本科 / master 硕士 / "
                                                         "doctorate 博士 (graduate allowance)")
    tier: str | None = Field(default=None, description="人才层次 (tier-based benefits)")
    amount_per_period: Money = Field(description="每期金额（元）")
    periods: int = Field(ge=1, description="期数（月；一次性发放为 1）")
    first_period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="首期 YYYY-MM")
    granted_date: date = Field(description="核发日期")
    policy_source: str = Field(description="政策依据")
    illustrative: bool = Field(default=False, description="true: the amount is an example from no official document")


class TalentBenefitPaid(TalentBenefitEvent):
    """人才政策兑现发放: one period was paid. ``after_stop`` marks a period at or after the benefit stopped (the
    person's Quzhou employment ended or contributions lapsed): the gateway raises a supervision alert."""

    payment_id: str = Field(min_length=1, max_length=64, description="发放记录 id")
    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="所属期 YYYY-MM")
    amount: Money = Field(description="金额（元）")
    paid_date: date = Field(description="发放日期")
    after_stop: bool = Field(description="true: 停发后发放 (paid for a period after the benefit stopped)")
    stop_period: str | None = Field(default=None, description="停发起始期 YYYY-MM")


class TalentBenefitStopped(TalentBenefitEvent):
    """人才政策兑现停发: from ``stop_period`` on nothing more is due."""

    stop_period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="停发起始期 YYYY-MM")
    reason: str = Field(description="employment_ended 在衢就业结束 / contributions_lapsed 社保断缴超过规定月数 / "
                                    "cancelled 撤销")
    detail: str = Field(min_length=1, max_length=300, description="说明")
    overpaid_periods: list[str] = Field(default_factory=list, description="停发起始期及以后已发放的期 YYYY-MM "
                                                                          "(paid before the stop was known)")


TALENT_BENEFIT_GRANTED = Contract(
    "hrss.training.talent_benefit.granted.v1", TalentBenefitGranted, subject="id_number",
    summary="人才政策兑现 A talent benefit was granted",
)
TALENT_BENEFIT_PAID = Contract(
    "hrss.training.talent_benefit.paid.v1", TalentBenefitPaid, subject="id_number",
    summary="人才政策兑现发放 A period of a talent benefit was paid (after_stop: paid after it stopped)",
)
TALENT_BENEFIT_STOPPED = Contract(
    "hrss.training.talent_benefit.stopped.v1", TalentBenefitStopped, subject="id_number",
    summary="人才政策兑现停发 A talent benefit stopped (employment ended, contributions lapsed or cancelled)",
)
