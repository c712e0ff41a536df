"""Contracts of ``hrss.labour-relations``: the events the labour-relations service publishes.

Subjects: every event is about an employer (the employer's or general contractor's ``credit_code``); the persons
concerned (complainants, workers, dispute applicants) are named inside ``data``.
Within a ``.v1`` type only additive changes; a breaking change is a new ``.v2`` type.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from hrss_shared.events import Contract, EventData
from hrss_shared.money import Money
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

# ---- wage-arrears cases 欠薪案件 (举报投诉) ---------------------------------------------------------------


class ArrearsCaseChanged(EventData):
    """The case after the change (one data model for every case event; ``previous_status`` says where from)."""

    id: str = Field(min_length=1, max_length=64, description="案件 id")
    credit_code: CreditCode = Field(description="被投诉单位统一社会信用代码")
    employer_name: str = Field(min_length=1, max_length=200, description="被投诉单位名称")
    county_code: CountyCode = Field(description="案件所在县（市、区）代码")
    project_id: str | None = Field(default=None, max_length=64, description="涉及的在建工程项目 id")
    complainant_id_numbers: list[IdNumber] = Field(min_length=1, description="投诉人公民身份号码")
    workers_affected: int = Field(ge=1, description="涉及劳动者人数")
    amount_owed: Money = Field(description="欠薪金额（元）")
    amount_recovered: Money | None = Field(default=None, description="追回金额（元）")
    group_case: bool = Field(description="群体性欠薪 (10 or more workers)")
    status: str = Field(description="registered 登记 / accepted 立案 / investigating 调查 / mediating 调解 / "
                                    "resolved 处理完毕 / closed 结案 / transferred 移送仲裁 / cancelled 撤销")
    previous_status: str | None = Field(default=None, description="变更前状态")
    filed_date: date = Field(description="投诉登记日期")
    accepted_date: date | None = Field(default=None, description="立案日期")
    deadline_date: date | None = Field(default=None, description="办结期限（含延长），按工作日计")
    deadline_provisional: bool = Field(default=False, description="true: 期限所跨年度尚无国务院放假安排，暂按法定节"
                                                                  "假日计")
    extended: bool = Field(default=False, description="已延长30个工作日")
    concluded_date: date | None = Field(default=None, description="结案或移送仲裁日期")
    on_time: bool | None = Field(default=None, description="按期办结 (concluded on or before the deadline)")
    reason: str | None = Field(default=None, max_length=500, description="延长、更正或撤销的原因")
    changed: list[str] = Field(default_factory=list, description="更正的字段 (corrections only)")


def _case(verb: str, summary: str) -> Contract[ArrearsCaseChanged]:
    return Contract(f"hrss.labour-relations.arrears_case.{verb}.v1", ArrearsCaseChanged, subject="credit_code",
                    summary=summary)


ARREARS_CASE_REGISTERED = _case("registered", "欠薪投诉登记 A wage-arrears complaint was registered")
ARREARS_CASE_ACCEPTED = _case("accepted", "欠薪案件立案 A wage-arrears case was accepted; its deadline runs")
ARREARS_CASE_INVESTIGATION_STARTED = _case("investigation_started", "欠薪案件调查 Investigation started")
ARREARS_CASE_MEDIATION_STARTED = _case("mediation_started", "欠薪案件调解 Mediation started")
ARREARS_CASE_RESOLVED = _case("resolved", "欠薪案件处理完毕 Resolved, with the amount recovered")
ARREARS_CASE_CLOSED = _case("closed", "欠薪案件结案 A wage-arrears case was closed")
ARREARS_CASE_TRANSFERRED = _case("transferred", "移送劳动人事争议仲裁 A case was transferred to arbitration")
ARREARS_CASE_EXTENDED = _case("extende"
                              "d", "办案期限延长30个工作日 The deadline was extended once (劳动保障监察条例 art. 17)")
ARREARS_CASE_ESCALATED = _case("escalated", "群体性欠薪升级处置 A group case (10 or more workers) was escalated")
ARREARS_CASE_OVERDUE = _case("overdue", "欠薪案件超期未办结 An open case passed its deadline")
ARREARS_CASE_DEADLINE_RECOMPUTED = _case(
    "deadline_recomputed", "办案期限重算 The deadline was recomputed after that year's holiday notice was added")
ARREARS_CASE_CORRECTED = _case("corrected", "欠薪案件信息更正 A case recorded wrongly was corrected")
ARREARS_CASE_CANCELLED = _case("cancelled", "欠薪案件撤销 A case recorded wrongly was cancelled")

# ---- construction projects 在建工程项目 and payroll 农民工工资发放 ---------------------------------------


class ProjectRegistered(EventData):
    """在建工程项目登记."""

    id: str = Field(min_length=1, max_length=64, description="项目 id")
    name: str = Field(min_length=1, max_length=200, description="项目名称")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    contractor_name: str = Field(min_length=1, max_length=200, description="施工总承包单位名称")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    start_date: date = Field(description="开工日期")
    completion_date: date | None = Field(default=None, description="计划竣工日期")
    has_wage_account: bool = Field(description="已开设农民工工资专用账户")
    status: str = Field(description="active 在建 / completed 竣工")


class ProjectCompleted(EventData):
    """在建工程项目竣工: no payroll is expected after the completion month."""

    id: str = Field(min_length=1, max_length=64, description="项目 id")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    completed_date: date = Field(description="竣工日期")


class WorkerPaid(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id_number: IdNumber = Field(description="农民工公民身份号码")
    amount: Money = Field(description="实发工资（元）")


class PayrollRecorded(EventData):
    """月度工资发放记录: the month's payroll of a project."""

    id: str = Field(min_length=1, max_length=64, description="工资发放记录 id")
    project_id: str = Field(min_length=1, max_length=64, description="项目 id")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="工资所属月份 YYYY-MM")
    paid_date: date = Field(description="发放日期")
    online: bool = Field(description="通过农民工工资专用账户在线发薪")
    worker_count: int = Field(ge=1, description="发放人数")
    total_amount: Money = Field(description="发放总额（元）")
    workers: list[WorkerPaid] = Field(min_length=1, description="发放明细")
    below_minimum_count: int = Field(ge=0, description="低于最低工资标准的人数")
    minimum_wage: Money = Field(description="当月该县适用的月最低工资标准（元）")
    minimum_wage_source: str = Field(description="最低工资标准依据")
    illustrative: bool = Field(description="true: 最低工资标准为示例值，未核实官方文件")


class PayrollBelowMinimumWage(EventData):
    """低于最低工资标准: a payroll paid one or more workers below the county's monthly minimum wage."""

    id: str = Field(min_length=1, max_length=64, description="工资发放记录 id")
    project_id: str = Field(min_length=1, max_length=64, description="项目 id")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="工资所属月份 YYYY-MM")
    minimum_wage: Money = Field(description="月最低工资标准（元）")
    workers: list[WorkerPaid] = Field(min_length=1, description="低于标准的人员及实发工资")
    minimum_wage_source: str = Field(description="最低工资标准依据")
    illustrative: bool = Field(description="true: 最低工资标准为示例值")


class PayrollMissed(EventData):
    """未按月发薪: an active project recorded no payroll for a month by the policy's pay day."""

    id: str = Field(min_length=1, max_length=64, description="未发薪记录 id")
    project_id: str = Field(min_length=1, max_length=64, description="项目 id")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="未发薪的工资月份 YYYY-MM")
    pay_by_date: date = Field(description="该月工资最迟发放日期（政策规定）")


class PayrollCancelled(EventData):
    """工资发放记录撤销: a payroll recorded wrongly was cancelled."""

    id: str = Field(min_length=1, max_length=64, description="工资发放记录 id")
    project_id: str = Field(min_length=1, max_length=64, description="项目 id")
    credit_code: CreditCode = Field(description="施工总承包单位统一社会信用代码")
    county_code: CountyCode = Field(description="项目所在县（市、区）代码")
    month: str = Field(pattern=MONTH_PATTERN, description="工资所属月份 YYYY-MM")
    cancelled_date: date = Field(description="撤销日期")
    reason: str = Field(min_length=1, max_length=500, description="撤销原因")


PROJECT_REGISTERED = Contract(
    "hrss.labour-relations.project.registered.v1", ProjectRegistered, subject="credit_code",
    summary="在建工程项目登记 A construction project was registered")
PROJECT_COMPLETED = Contract(
    "hrss.labour-relations.project.completed.v1", ProjectCompleted, subject="credit_code",
    summary="在建工程项目竣工 A construction project was completed")
PAYROLL_RECORDED = Contract(
    "hrss.labour-relations.payroll.recorded.v1", PayrollRecorded, subject="credit_code",
    summary="农民工工资发放记录 A project's monthly payroll was recorded")
PAYROLL_BELOW_MINIMUM_WAGE = Contract(
    "hrss.labour-relations.payroll.below_minimum_wage.v1", PayrollBelowMinimumWage, subject="credit_code",
    summary="低于最低工资标准 A payroll paid workers below the minimum wage")
PAYROLL_MISSED = Contract(
    "hrss.labour-relations.payroll.missed.v1", PayrollMissed, subject="credit_code",
    summary="未按月发薪 An active project missed a month's payroll")
PAYROLL_CANCELLED = Contract(
    "hrss.labour-relations.payroll.cancelled.v1", PayrollCancelled, subject="credit_code",
    summary="工资发放记录撤销 A payroll recorded wrongly was cancelled")

# ---- dishonesty list 拖欠农民工工资失信联合惩戒名单 --------------------------------------------------------


class DishonestEmployerChanged(EventData):
    """An employer put on, or taken off, the 失信联合惩戒名单."""

    id: str = Field(min_length=1, max_length=64, description="名单记录 id")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    employer_name: str = Field(min_length=1, max_length=200, description="单位名称")
    county_code: CountyCode = Field(description="县（市、区）代码")
    decision_reference: str = Field(min_length=1, max_length=100, description="列入决定文号")
    decision_date: date = Field(description="列入决定日期")
    status: str = Field(description="listed 在列 / removed 已移出")
    removed_date: date | None = Field(default=None, description="移出日期")
    removal_reason: str | None = Field(default=None, max_length=500, description="移出原因")


DISHONEST_EMPLOYER_LISTED = Contract(
    "hrss.labour-relations.dishonest_employer.listed.v1", DishonestEmployerChanged, subject="credit_code",
    summary="列入拖欠农民工工资失信联合惩戒名单 An employer was put on the dishonesty list")
DISHONEST_EMPLOYER_REMOVED = Contract(
    "hrss.labour-relations.dishonest_employer.removed.v1", DishonestEmployerChanged, subject="credit_code",
    summary="移出失信联合惩戒名单 An employer was taken off the dishonesty list")

# ---- labour disputes 劳动纠纷 ----------------------------------------------------------------------------


class DisputeChanged(EventData):
    """The dispute after the change."""

    id: str = Field(min_length=1, max_length=64, description="纠纷 id")
    credit_code: CreditCode = Field(description="用人单位统一社会信用代码")
    employer_name: str = Field(min_length=1, max_length=200, description="用人单位名称")
    county_code: CountyCode = Field(description="县（市、区）代码")
    applicant_id_numbers: list[IdNumber] = Field(min_length=1, description="申请人（劳动者）公民身份号码")
    type: str = Field(description="纠纷类型 remuneration 劳动报酬 / contract 劳动合同 / social_insurance 社会保险 / "
                                  "work_injury 工伤 / other 其他")
    channel: str = Field(description="处理渠道 grassroots_mediation 基层调解 / arbitration 仲裁")
    status: str = Field(description="open 受理中 / concluded 已办结 / cancelled 撤销")
    outcome: str | None = Field(default=None, description="结果 mediated 调解成功 / awarded 仲裁裁决 / "
                                                          "withdrawn 撤回 / failed 调解不成")
    filed_date: date = Field(description="受理日期")
    concluded_date: date | None = Field(default=None, description="办结日期")
    reason: str | None = Field(default=None, max_length=500, description="更正或撤销原因")
    changed: list[str] = Field(default_factory=list, description="更正的字段 (corrections only)")


DISPUTE_FILED = Contract(
    "hrss.labour-relations.dispute.filed.v1", DisputeChanged, subject="credit_code",
    summary="劳动纠纷受理 A labour dispute was filed")
DISPUTE_CONCLUDED = Contract(
    "hrss.labour-relations.dispute.concluded.v1", DisputeChanged, subject="credit_code",
    summary="劳动纠纷办结 A labour dispute was concluded")
DISPUTE_CORRECTED = Contract(
    "hrss.labour-relations.dispute.corrected.v1", DisputeChanged, subject="credit_code",
    summary="劳动纠纷信息更正 A dispute recorded wrongly was corrected")
DISPUTE_CANCELLED = Contract(
    "hrss.labour-relations.dispute.cancelled.v1", DisputeChanged, subject="credit_code",
    summary="劳动纠纷撤销 A dispute recorded wrongly was cancelled")

# ---- arrears warnings 欠薪联合预警 -------------------------------------------------------------------------


class SignalScore(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: str = Field(description="信号 contribution_arrears 社保欠缴 / missed_payroll 未按月发薪 / "
                                  "below_minimum_wage 低于最低工资 / complaint 欠薪投诉 / group_case 群体性欠薪")
    reference: str = Field(description="来源记录 id")
    occurred_date: date = Field(description="发生日期")
    weight: float = Field(description="权重")
    points: float = Field(description="衰减后的分值")


class WarningRaised(EventData):
    """欠薪预警: an employer's score crossed the threshold (one event per crossing, not per signal)."""

    id: str = Field(min_length=1, max_length=64, description="预警 id")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    county_code: CountyCode | None = Field(default=None, description="县（市、区）代码 (when known)")
    score: float = Field(description="预警分值")
    threshold: float = Field(description="预警阈值")
    raised_date: date = Field(description="预警日期")
    signals: list[SignalScore] = Field(min_length=1, description="构成分值的信号")
    policy_source: str = Field(description="权重、衰减与阈值的依据")
    illustrative: bool = Field(description="true: 权重与阈值为平台示例值")


class WarningCleared(EventData):
    """预警解除: the score fell back below the threshold."""

    id: str = Field(min_length=1, max_length=64, description="预警 id")
    credit_code: CreditCode = Field(description="单位统一社会信用代码")
    county_code: CountyCode | None = Field(default=None, description="县（市、区）代码")
    score: float = Field(description="解除时分值")
    threshold: float = Field(description="预警阈值")
    cleared_date: date = Field(description="解除日期")


WARNING_RAISED = Contract(
    "hrss.labour-relations.warning.raised.v1", WarningRaised, subject="credit_code",
    summary="欠薪预警 An employer's arrears-warning score crossed the threshold")
WARNING_CLEARED = Contract(
    "hrss.labour-relations.warning.cleared.v1", WarningCleared, subject="credit_code",
    summary="欠薪预警解除 An employer's score fell below the threshold")
