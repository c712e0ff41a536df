"""Contracts of ``hrss.social-insurance``: the events the social-insurance service publishes.

Its domain (enrolment, contributions, benefits, cards) declares its contracts here as it is built.
Within a ``.v1`` type only additive changes; a breaking change is a new ``.v2`` type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from hrss_shared.events import Contract, EventData
from hrss_shared.money import Money
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

# ---- employer contribution arrears 单位欠缴 (subject: the employer's credit code) ----------------------


class PersonMonthsOwed(BaseModel):
    """One insured person's unpaid months in an arrears event."""

    model_config = ConfigDict(extra="ignore")  # additive fields within .v1

    id_number: IdNumber = Field(description="公民身份号码")
    insurance_type: str = Field(description="险种 employee_pension / unemployment / work_injury")
    months: list[str] = Field(min_length=1, description="欠缴月份 YYYY-MM, oldest first",
                              json_schema_extra={"items": {"pattern": MONTH_PATTERN}})


class ContributionArrearsRaised(EventData):
    """单位欠缴: an employer has two or more consecutive unpaid months for active enrolments.

    Published once per employer and month (``month`` is the latest unpaid month that made the arrears),
    naming every person and month owed; redelivery and re-running the check publish nothing new."""

    id: str = Field(min_length=1, max_length=64, description="欠缴记录 id (one per employer and month)")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    county_code: CountyCode | None = Field(default=None, description="单位所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="欠缴判定月份 YYYY-MM")
    consecutive_months: int = Field(ge=2, description="连续欠缴月数 (the longest run among the persons owed)")
    persons: list[PersonMonthsOwed] = Field(min_length=1, description="欠缴人员及月份")
    person_count: int = Field(ge=1, description="欠缴人数")


class ContributionArrearsResolved(EventData):
    """欠缴补缴到位: the employer paid up every month an arrears event named."""

    id: str = Field(min_length=1, max_length=64, description="欠缴记录 id of the raised event")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    county_code: CountyCode | None = Field(default=None, description="单位所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="欠缴判定月份 YYYY-MM of the raised event")
    resolved_on: date = Field(description="补缴到位日期")


CONTRIBUTION_ARREARS_RAISED = Contract(
    "hrss.social-insurance.arrears.raised.v1", ContributionArrearsRaised, subject="credit_code",
    summary="单位欠缴 An employer owes two or more consecutive months of contributions",
)
CONTRIBUTION_ARREARS_RESOLVED = Contract(
    "hrss.social-insurance.arrears.resolved.v1", ContributionArrearsResolved, subject="credit_code",
    summary="欠缴补缴到位 An employer paid up the months an arrears event named",
)


# ---- enrolments 参保登记 (subject: the person's ID number) ------------------------------------------------

INSURANCE_TYPE = ("险种 employee_pension 企业职工基本养老 / resident_pension 城乡居民基本养老 / unemployment 失业 / "
                  "work_injury 工伤")


class InsuranceEnrolmentEvent(EventData):
    """The enrolment every enrolment event carries, as it is after the change."""

    id: str = Field(min_length=1, max_length=64, description="参保登记 id")
    id_number: IdNumber = Field(description="公民身份号码（社会保障号码）")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    insurance_type: str = Field(description=INSURANCE_TYPE)
    credit_code: CreditCode | None = Field(default=None,
                                           description="参保单位统一社会信用代码（灵活就业、城乡居民为空）")
    flexible: bool = Field(default=False, description="灵活就业人员以个人身份参保")
    status: str = Field(description="状态 pending 待生效 / active 参保缴费 / suspended 暂停缴费 / ended 终止 / "
                                    "cancelled 已撤销")
    start_date: date = Field(description="参保起始日期")
    end_date: date | None = Field(default=None, description="终止日期")


class InsuranceEnrolmentRegistered(InsuranceEnrolmentEvent):
    """参保登记: an enrolment was recorded, by hand (active) or by the 参保"一件事" of an employment registration
    (pending until the employer's first contribution)."""

    origin: str = Field(description="来源 manual 窗口登记 / one_stop 参保一件事（就业登记）")
    employment_registration_id: str | None = Field(default=None, description="依据的就业登记 id（一件事）")


class InsuranceEnrolmentActivated(InsuranceEnrolmentEvent):
    """参保生效: a pending enrolment's first contribution was posted."""

    activated_date: date = Field(description="生效日期（首次缴费记账日）")
    contribution_id: str = Field(description="首笔缴费记录 id")


class InsuranceEnrolmentSuspended(InsuranceEnrolmentEvent):
    """暂停缴费（中断）: an active enrolment was suspended."""

    suspended_date: date = Field(description="暂停日期")
    reason: str = Field(description="暂停原因")


class InsuranceEnrolmentResumed(InsuranceEnrolmentEvent):
    """恢复缴费: a suspended enrolment is active again."""

    resumed_date: date = Field(description="恢复日期")


class InsuranceEnrolmentEnded(InsuranceEnrolmentEvent):
    """参保终止: the enrolment ended (by hand, by a terminated employment, or transferred to a new employer)."""

    reason: str = Field(description="终止原因")
    employment_registration_id: str | None = Field(default=None, description="终止依据的就业登记 id（解除劳动关系）")


ENROLMENT_REGISTERED = Contract(
    "hrss.social-insurance.enrolment.registered.v1", InsuranceEnrolmentRegistered, subject="id_number",
    summary="参保登记 An enrolment in an insurance type was recorded",
)
ENROLMENT_ACTIVATED = Contract(
    "hrss.social-insurance.enrolment.activated.v1", InsuranceEnrolmentActivated, subject="id_number",
    summary="参保生效 A pending enrolment became active with its first contribution",
)
ENROLMENT_SUSPENDED = Contract(
    "hrss.social-insurance.enrolment.suspended.v1", InsuranceEnrolmentSuspended, subject="id_number",
    summary="暂停缴费 An active enrolment was suspended",
)
ENROLMENT_RESUMED = Contract(
    "hrss.social-insurance.enrolment.resumed.v1", InsuranceEnrolmentResumed, subject="id_number",
    summary="恢复缴费 A suspended enrolment is active again",
)
ENROLMENT_ENDED = Contract(
    "hrss.social-insurance.enrolment.ended.v1", InsuranceEnrolmentEnded, subject="id_number",
    summary="参保终止 An enrolment ended",
)


class InsuranceEnrolmentCorrected(InsuranceEnrolmentEvent):
    """参保登记更正: an enrolment recorded wrongly was corrected; the data is the enrolment after the correction."""

    reason: str = Field(description="更正原因")
    changed: list[str] = Field(min_length=1, description="更正的字段")
    previous: dict[str, str | bool | None] = Field(description="更正前的值")


class InsuranceEnrolmentCancelled(InsuranceEnrolmentEvent):
    """参保登记撤销: an enrolment recorded wrongly was cancelled (it never was; status cancelled)."""

    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(description="撤销原因")


ENROLMENT_CORRECTED = Contract(
    "hrss.social-insurance.enrolment.corrected.v1", InsuranceEnrolmentCorrected, subject="id_number",
    summary="参保登记更正 An enrolment recorded wrongly was corrected",
)
ENROLMENT_CANCELLED = Contract(
    "hrss.social-insurance.enrolment.cancelled.v1", InsuranceEnrolmentCancelled, subject="id_number",
    summary="参保登记撤销 An enrolment recorded wrongly was cancelled",
)

# ---- contributions 缴费 (subject: the person's ID number) -----------------------------------------------


class ContributionPosted(EventData):
    """缴费记账: one month of one insurance type was paid for a person."""

    id: str = Field(min_length=1, max_length=64, description="缴费记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    insurance_type: str = Field(description=INSURANCE_TYPE)
    credit_code: CreditCode | None = Field(default=None, description="缴费单位统一社会信用代码（个人缴费为空）")
    enrolment_id: str = Field(description="参保登记 id")
    month: str = Field(pattern=MONTH_PATTERN, description="费款所属期 YYYY-MM")
    declared_base: Money | None = Field(default=None, description="申报缴费工资（元）")
    base: Money | None = Field(default=None, description="核定缴费基数（元，按当年上下限调整后）")
    base_adjustment: str | None = Field(default=None, description="基数调整 floor 按下限 / ceiling 按上限 / 空 未调整")
    employer_amount: Money = Field(description="单位缴费（元）")
    personal_amount: Money = Field(description="个人缴费（元）")
    paid_date: date = Field(description="缴费记账日期")
    policy_source: str | None = Field(default=None, description="基数上下限与费率的政策依据")
    illustrative: bool = Field(default=False, description="true: 上下限为示例值，无官方文号")
    kind: str = Field(default="regular", description="regular 正常缴费 / topup 城乡居民养老提档补缴")


CONTRIBUTION_POSTED = Contract(
    "hrss.social-insurance.contribution.posted.v1", ContributionPosted, subject="id_number",
    summary="缴费记账 A month's contribution was posted for a person",
)


MAX_POSTED_ITEMS = 1000  # items per ContributionsPosted event (a large employer's month is split over several)


class ContributionsPostedItem(BaseModel):
    """One person's contribution of the batch: what ContributionPosted says of it beyond the batch's fields."""

    model_config = ConfigDict(extra="ignore")  # additive fields within .v1

    id: str = Field(min_length=1, max_length=64, description="缴费记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    enrolment_id: str = Field(description="参保登记 id")
    declared_base: Money | None = Field(default=None, description="申报缴费工资（元）")
    base: Money | None = Field(default=None, description="核定缴费基数（元，按当年上下限调整后）")
    base_adjustment: str | None = Field(default=None, description="基数调整 floor 按下限 / ceiling 按上限 / 空 未调整")
    employer_amount: Money = Field(description="单位缴费（元）")
    personal_amount: Money = Field(description="个人缴费（元）")
    paid_date: date = Field(description="缴费记账日期")


class ContributionsPosted(EventData):
    """批量缴费记账: an employer's month of one insurance type was posted in bulk, naming every person paid for.

    Each item is one contribution exactly as its own ``contribution.posted`` would carry it (the event's fields plus
    the item's). An employer's month with more than 1000 persons comes as several events. Contributions without an
    employer (灵活就业人员, 城乡居民) are published one ``contribution.posted`` each, as by the API."""

    credit_code: CreditCode = Field(description="缴费单位统一社会信用代码")
    insurance_type: str = Field(description=INSURANCE_TYPE)
    month: str = Field(pattern=MONTH_PATTERN, description="费款所属期 YYYY-MM")
    policy_source: str | None = Field(default=None, description="基数上下限与费率的政策依据")
    illustrative: bool = Field(default=False, description="true: 上下限为示例值，无官方文号")
    kind: str = Field(default="regular", description="regular 正常缴费 / topup 城乡居民养老提档补缴")
    items: list[ContributionsPostedItem] = Field(min_length=1, max_length=MAX_POSTED_ITEMS,
                                                 description="本批记账的缴费，每人一条")

    _postings: list[ContributionPosted] | None = PrivateAttr(default=None)

    def postings(self) -> list[ContributionPosted]:
        """Each item as the ``contribution.posted`` data it stands for. Built once per model: the consumer hands one
        parsed model to every handler of the event (read-only), and each of them asks for the postings.

        The first is constructed from the batch's fields and the item's; each other one is a copy of it with its own
        item's fields (``model_copy(update=…)``: a third of ``model_construct``'s cost per item, which matters at
        a thousand items an event)."""
        if self._postings is None:
            shared: dict[str, Any] = {
                "credit_code": self.credit_code, "insurance_type": self.insurance_type, "month": self.month,
                "policy_source": self.policy_source, "illustrative": self.illustrative, "kind": self.kind}
            first, *rest = self.items
            template = ContributionPosted.model_construct(**shared, **first.__dict__)
            self._postings = [template, *(template.model_copy(update=item.__dict__) for item in rest)]
        return self._postings


CONTRIBUTIONS_POSTED = Contract(
    "hrss.social-insurance.contributions.posted.v1", ContributionsPosted, subject="credit_code",
    summary="批量缴费记账 An employer's month of contributions was posted in bulk (one event names every person)",
)


class ContributionCorrected(ContributionPosted):
    """缴费更正: a contribution recorded wrongly was corrected; the data is the contribution after the correction."""

    reason: str = Field(description="更正原因")
    changed: list[str] = Field(min_length=1, description="更正的字段")
    previous: dict[str, str | None] = Field(description="更正前的值（月份与金额为字符串）")


class ContributionCancelled(EventData):
    """缴费撤销: a contribution recorded wrongly was cancelled; its month counts as unpaid again."""

    id: str = Field(min_length=1, max_length=64, description="缴费记录 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    insurance_type: str = Field(description=INSURANCE_TYPE)
    credit_code: CreditCode | None = Field(default=None, description="缴费单位统一社会信用代码")
    enrolment_id: str = Field(description="参保登记 id")
    month: str = Field(pattern=MONTH_PATTERN, description="费款所属期 YYYY-MM")
    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(description="撤销原因")


CONTRIBUTION_CORRECTED = Contract(
    "hrss.social-insurance.contribution.corrected.v1", ContributionCorrected, subject="id_number",
    summary="缴费更正 A contribution recorded wrongly was corrected",
)
CONTRIBUTION_CANCELLED = Contract(
    "hrss.social-insurance.contribution.cancelled.v1", ContributionCancelled, subject="id_number",
    summary="缴费撤销 A contribution recorded wrongly was cancelled",
)

# ---- 参保"一件事": the medical-insurance request and coverage gaps --------------------------------------


class MedicalEnrolmentRequested(EventData):
    """医保参保申请: an employment registration asks the medical-insurance bureau (医保局, an external consumer of this
    topic) to enrol the person in 职工基本医疗保险 with the employer; one per employment registration."""

    id: str = Field(min_length=1, max_length=64, description="申请 id")
    id_number: IdNumber = Field(description="公民身份号码")
    name: str = Field(description="姓名")
    credit_code: CreditCode = Field(description="用人单位统一社会信用代码")
    employer_name: str = Field(description="用人单位名称")
    county_code: CountyCode = Field(description="用人单位所在县（市、区）代码")
    start_date: date = Field(description="用工起始日期")
    employment_registration_id: str = Field(description="依据的就业登记 id")
    requested_date: date = Field(description="申请日期")


class CoverageGapDetected(EventData):
    """参保空档: an enrolment of the 参保"一件事" was still pending (no contribution) after the policy's grace days."""

    id: str = Field(min_length=1, max_length=64, description="参保登记 id of the pending enrolment")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    insurance_type: str = Field(description=INSURANCE_TYPE)
    credit_code: CreditCode | None = Field(default=None, description="用人单位统一社会信用代码")
    start_date: date = Field(description="用工起始日期")
    grace_days: int = Field(ge=0, description="宽限天数（自用工之日起）")
    due_date: date = Field(description="最迟参保日期 = 起始日期 + 宽限天数")
    detected_date: date = Field(description="发现日期")
    policy_source: str = Field(description="宽限期的政策依据")


MEDICAL_ENROLMENT_REQUESTED = Contract(
    "hrss.social-insurance.medical_enrolment.requested.v1", MedicalEnrolmentRequested, subject="id_number",
    summary="医保参保申请 The medical-insurance bureau is asked to enrol an employed person",
)
COVERAGE_GAP_DETECTED = Contract(
    "hrss.social-insurance.coverage_gap.detected.v1", CoverageGapDetected, subject="id_number",
    summary="参保空档 An enrolment was still pending after the grace days",
)

# ---- social security cards 第三代社会保障卡 (subject: the holder's ID number) -----------------------------

CARD_NUMBER_PATTERN = r"^[A-Z][0-9]{8}$"


class CardEvent(EventData):
    """The card every card event carries, as it is after the change."""

    id: str = Field(min_length=1, max_length=64, description="社保卡记录 id")
    card_number: str = Field(pattern=CARD_NUMBER_PATTERN, description="社会保障卡卡号")
    id_number: IdNumber = Field(description="持卡人公民身份号码（社会保障号码）")
    county_code: CountyCode = Field(description="发卡地县（市、区）代码")
    status: str = Field(description="状态 active 正常 / lost 挂失 / cancelled 注销")
    services: list[str] = Field(default_factory=list, description="已开通的应用场景代码（/v1/card-services）")


class CardIssued(CardEvent):
    """社保卡发放: a card was issued to a person (one valid card per person)."""

    name: str = Field(description="持卡人姓名")
    issued_date: date = Field(description="发卡日期")
    replaces_card_number: str | None = Field(default=None, description="补换卡时被替换的原卡号")


class CardReportedLost(CardEvent):
    """社保卡挂失: the card was reported lost and can no longer be used."""

    lost_date: date = Field(description="挂失日期")


class CardReplaced(CardEvent):
    """社保卡补换: the card was cancelled and replaced by a new card with a new number (``card_number`` is the old
    card; its ``status`` is cancelled)."""

    new_card_number: str = Field(pattern=CARD_NUMBER_PATTERN, description="新卡号")
    new_card_id: str = Field(description="新卡记录 id")
    replaced_date: date = Field(description="补换日期")
    reason: str = Field(description="补换原因")


class CardCancelled(CardEvent):
    """社保卡注销: the card was cancelled."""

    cancelled_date: date = Field(description="注销日期")
    reason: str = Field(description="注销原因")


class CardServicesChanged(CardEvent):
    """社保卡应用场景变更: the set of enabled service scenarios of the card changed."""

    enabled: list[str] = Field(default_factory=list, description="本次开通的场景代码")
    disabled: list[str] = Field(default_factory=list, description="本次关闭的场景代码")


CARD_ISSUED = Contract(
    "hrss.social-insurance.card.issued.v1", CardIssued, subject="id_number",
    summary="社保卡发放 A social security card was issued",
)
CARD_REPORTED_LOST = Contract(
    "hrss.social-insurance.card.reported_lost.v1", CardReportedLost, subject="id_number",
    summary="社保卡挂失 A social security card was reported lost",
)
CARD_REPLACED = Contract(
    "hrss.social-insurance.card.replaced.v1", CardReplaced, subject="id_number",
    summary="社保卡补换 A card was cancelled and replaced by one with a new number",
)
CARD_CANCELLED = Contract(
    "hrss.social-insurance.card.cancelled.v1", CardCancelled, subject="id_number",
    summary="社保卡注销 A social security card was cancelled",
)
CARD_SERVICES_CHANGED = Contract(
    "hrss.social-insurance.card.services_changed.v1", CardServicesChanged, subject="id_number",
    summary="社保卡应用场景变更 A card's enabled service scenarios changed",
)

# ---- unemployment benefit 失业保险金 (subject: the person's ID number) -------------------------------------


class UnemploymentBenefitDecided(EventData):
    """失业保险金核定: the decision on an unemployment registration — eligible with its months and monthly amount, or
    not eligible with the reason (失业保险条例 art. 14, 17)."""

    id: str = Field(min_length=1, max_length=64, description="失业保险金核定 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="失业登记地县（市、区）代码")
    unemployment_registration_id: str = Field(description="依据的失业登记 id")
    eligible: bool = Field(description="是否符合领取条件")
    status: str = Field(description="状态 active 领取中 / not_eligible 不符合条件")
    reason: str | None = Field(default=None, description="不符合条件的原因代码 "
                                                         "insufficient_contributions 缴费不满1年 / "
                                                         "voluntary_separation 本人意愿中断就业 / "
                                                         "separation_reason_missing 未登记失业原因 / "
                                                         "retirement_age 已达法定退休年龄 / benefit_active 已在领取")
    reason_text: str | None = Field(default=None, description="原因说明")
    separation_reason: str | None = Field(default=None, description="失业原因代码（来自失业登记）")
    contribution_months: int = Field(ge=0, description="计算期限的失业保险缴费月数（再次失业自前次领取结束起重新计算）")
    carried_over_months: int = Field(ge=0, description="前次失业应领而未领的月数（合并计算）")
    months_entitled: int = Field(ge=0, description="领取期限（月），最长24个月")
    monthly_amount: Money | None = Field(default=None, description="月发放标准（元）")
    start_date: date | None = Field(default=None, description="领取起始日期（失业登记日期）")
    end_date: date | None = Field(default=None, description="领取期限届满日期（不晚于达到法定退休年龄的前一日）")
    policy_source: str = Field(description="政策依据")
    illustrative: bool = Field(default=False, description="true: 月标准为示例值，无官方文号")
    revision: int = Field(default=0, ge=0, description="重新核定次数（缴费或参保更正、撤销后重新核定，0 为首次核定）")
    correction_reason: str | None = Field(default=None, description="重新核定的原因")


class UnemploymentBenefitStopped(EventData):
    """停发失业保险金: the benefit stops from ``stopped_date`` (re-employment, statutory retirement age, pension …)."""

    id: str = Field(min_length=1, max_length=64, description="失业保险金核定 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="失业登记地县（市、区）代码")
    stopped_date: date = Field(description="停发日期（自该日起不再享受）")
    stop_reason: str = Field(description="停发原因代码 reemployed 重新就业 / retirement_age 达到法定退休年龄 / "
                                         "pension_started 开始领取基本养老金 / other 其他 / "
                                         "registration_cancelled 失业登记撤销（自领取起始日期起停发）")
    reason_text: str = Field(description="停发原因说明")
    months_paid: int = Field(ge=0, description="已发放月数")
    months_remaining: int = Field(ge=0, description="应领而未领的月数（再次失业时合并计算）")
    employment_registration_id: str | None = Field(default=None, description="重新就业的就业登记 id")


class BenefitPaymentPosted(EventData):
    """失业保险金发放记账: one month of the benefit was paid. ``after_stop`` true: the month lies after the benefit
    stopped (e.g. after re-employment) — recorded and published so that policy supervision (政策监管) alerts."""

    id: str = Field(min_length=1, max_length=64, description="发放记录 id")
    benefit_id: str = Field(description="失业保险金核定 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="失业登记地县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="发放所属月份 YYYY-MM")
    amount: Money = Field(description="发放金额（元）")
    paid_date: date = Field(description="发放日期")
    after_stop: bool = Field(description="true: 停发之后月份的发放（政策监管预警）")
    stopped_date: date | None = Field(default=None, description="停发日期（如已停发）")
    stop_reason: str | None = Field(default=None, description="停发原因代码（如已停发）")


class UnemploymentBenefitRecoveryRequired(EventData):
    """失业保险金追回: months already paid that the person was not entitled to — every month of a benefit whose
    unemployment registration was cancelled (撤销: it never held), or the months before the start after a correction
    moved the registration date later. Published once per benefit and cause; the amount is to be recovered."""

    id: str = Field(min_length=1, max_length=64, description="失业保险金核定 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="失业登记地县（市、区）代码")
    unemployment_registration_id: str = Field(description="依据的失业登记 id")
    cause: str = Field(description="追回原因代码 registration_cancelled 失业登记撤销 / "
                                   "registration_date_corrected 失业登记日期更正")
    reason_text: str = Field(description="追回原因说明（含撤销或更正理由）")
    months: list[str] = Field(min_length=1, description="应追回的发放所属月份 YYYY-MM")
    amount: Money = Field(description="应追回金额（元）")
    decided_date: date = Field(description="认定应追回的日期")


UNEMPLOYMENT_BENEFIT_DECIDED = Contract(
    "hrss.social-insurance.unemployment_benefit.decided.v1", UnemploymentBenefitDecided, subject="id_number",
    summary="失业保险金核定 The unemployment benefit of an unemployment registration was decided",
)
UNEMPLOYMENT_BENEFIT_STOPPED = Contract(
    "hrss.social-insurance.unemployment_benefit.stopped.v1", UnemploymentBenefitStopped, subject="id_number",
    summary="停发失业保险金 An unemployment benefit stopped",
)
UNEMPLOYMENT_BENEFIT_RECOVERY_REQUIRED = Contract(
    "hrss.social-insurance.unemployment_benefit.recovery_required.v1", UnemploymentBenefitRecoveryRequired,
    subject="id_number",
    summary="失业保险金追回 Months of unemployment benefit already paid are to be recovered",
)
BENEFIT_PAYMENT_POSTED = Contract(
    "hrss.social-insurance.benefit_payment.posted.v1", BenefitPaymentPosted, subject="id_number",
    summary="失业保险金发放 A month of unemployment benefit was paid (after_stop: a supervision alert)",
)

# ---- resident-pension top-up 城乡居民养老保险提档补缴 (subject: the person's ID number) ----------------------


class TopupYearLine(BaseModel):
    """One year of a top-up."""

    model_config = ConfigDict(extra="ignore")

    year: int = Field(description="补缴年度")
    paid: Money = Field(description="该年原已缴（元）")
    cost: Money = Field(description="补缴金额（元）")
    credited: Money = Field(description="记入个人账户（元）")


class PensionTopupApplied(EventData):
    """提档补缴办理: past years of resident pension were topped up to a higher grade (each year also a
    ``contribution.posted`` of kind topup), with the personal account and monthly pension before and after."""

    id: str = Field(min_length=1, max_length=64, description="提档补缴 id")
    id_number: IdNumber = Field(description="公民身份号码")
    county_code: CountyCode = Field(description="参保地县（市、区）代码")
    applied_date: date = Field(description="办理日期")
    target_grade: Money = Field(description="补缴至的缴费档次（元/年）")
    total_cost: Money = Field(description="补缴合计（元）")
    years: list[TopupYearLine] = Field(min_length=1, description="逐年补缴明细")
    account_before: Money = Field(description="补缴前个人账户储存额（元）")
    account_after: Money = Field(description="补缴后个人账户储存额（元）")
    monthly_before: Money = Field(description="补缴前月养老金（元）")
    monthly_after: Money = Field(description="补缴后月养老金（元）")
    contribution_ids: list[str] = Field(min_length=1, description="补缴缴费记录 id")
    policy_source: str = Field(description="政策依据")
    illustrative: bool = Field(default=False, description="true: 档次、补贴、基础养老金等为示例值")


PENSION_TOPUP_APPLIED = Contract(
    "hrss.social-insurance.pension_topup.applied.v1", PensionTopupApplied, subject="id_number",
    summary="提档补缴办理 Past years of resident pension were topped up to a higher grade",
)
