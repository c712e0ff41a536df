"""The employer view (用人单位视图) and the bureau's lists of overdue wage-arrears cases and arrears warnings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from hrss_shared.money import Money
from hrss_shared.privacy import PersonIdNumber

AS_OF = "截至时间 time of the newest event this section reflects (null: nothing known yet)"
ILLUSTRATIVE = "true: 预警权重、阈值或等级划分为平台示例值，无官方文号 (illustrative values)"


class EmployerProfile(BaseModel):
    """单位基本信息 from hrss.employment."""

    name: str | None = None
    county_code: str | None = None
    county_name: str | None = None
    industry: str | None = None
    size: str | None = None
    is_construction: bool = Field(default=False, description="建筑施工企业")
    status: str = Field(default="active", description="active 正常 / inactive 已注销")
    deactivated_date: date | None = None
    as_of: datetime | None = Field(default=None, description=AS_OF)


class EmployeeItem(BaseModel):
    registration_id: str = Field(description="就业登记 id")
    id_number: PersonIdNumber = Field(description="公民身份号码 (masked without pii:read)")
    name: str | None = None
    occupation: str | None = None
    start_date: date | None = None
    end_date: date | None = Field(default=None, description="已登记的劳动关系终止日期（今天或以后）")


class EmployeesSection(BaseModel):
    """在职职工: employment registrations at this employer not ended before today (an employment ending today
    still counts today; one that ended yesterday does not)."""

    count: int
    employees: list[EmployeeItem] = Field(default_factory=list)
    as_of: datetime | None = Field(default=None, description=AS_OF)


class ContributionMonth(BaseModel):
    month: str = Field(description="费款所属期 YYYY-MM")
    persons: int = Field(description="缴费人数")
    employer_amount: Money = Field(description="单位缴费合计（元）")
    personal_amount: Money = Field(description="个人缴费合计（元）")


class PersonOwed(BaseModel):
    id_number: PersonIdNumber
    insurance_type: str
    months: list[str] = Field(description="欠缴月份 YYYY-MM")


class ArrearsItem(BaseModel):
    """单位欠缴 as its events left it: raised, or resolved once paid up."""

    id: str
    status: str = Field(description="raised 欠缴 / resolved 已补缴")
    month: str | None = Field(default=None, description="欠缴判定月份 YYYY-MM")
    consecutive_months: int | None = Field(default=None, description="连续欠缴月数")
    person_count: int | None = None
    persons: list[PersonOwed] = Field(default_factory=list)
    resolved_on: date | None = Field(default=None, description="补缴到位日期")


class InsuranceSection(BaseModel):
    """社会保险缴费与欠缴 from hrss.social-insurance: the contributions this employer paid (a cancelled one does not
    count; a correction naming another employer moves it), by month, and its arrears."""

    status: Literal["in_arrears", "paid_up", "no_contributions"] = Field(
        description="in_arrears 欠缴中（有未补缴的欠缴记录） / paid_up 正常缴费 / no_contributions 无单位缴费记录")
    latest_month: str | None = Field(default=None, description="最近缴费月份 YYYY-MM")
    months: list[ContributionMonth] = Field(default_factory=list, description="最近12个缴费月份，新的在前")
    arrears: list[ArrearsItem] = Field(default_factory=list, description="欠缴记录，未补缴的在前")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class CaseItem(BaseModel):
    """欠薪案件 as its newest event left it."""

    id: str
    status: str = Field(description="registered 登记 / accepted 立案 / investigating 调查 / mediating 调解 / "
                                    "resolved 处理完毕 / closed 结案 / transferred 移送仲裁")
    project_id: str | None = None
    filed_date: date
    accepted_date: date | None = None
    deadline_date: date | None = Field(default=None, description="办结期限")
    deadline_provisional: bool = False
    extended: bool = Field(default=False, description="已延长30个工作日")
    concluded_date: date | None = None
    on_time: bool | None = Field(default=None, description="按期办结")
    overdue: bool = Field(description="超期未办结: 立案后未结案且办结期限早于今天")
    days_overdue: int | None = Field(default=None, description="超期天数（自然日）")
    workers_affected: int
    group_case: bool = Field(description="群体性欠薪")
    amount_owed: Money = Field(description="欠薪金额（元）")
    amount_recovered: Money | None = Field(default=None, description="追回金额（元）")


class CasesSection(BaseModel):
    """欠薪案件 from hrss.labour-relations (cancelled cases, recorded wrongly, are not listed)."""

    running: int = Field(description="办理中（已立案未结案）的案件数")
    overdue: int = Field(description="超期未办结的案件数")
    cases: list[CaseItem] = Field(default_factory=list, description="新的在前")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class ProjectItem(BaseModel):
    """在建工程项目 and its payroll record (农民工工资在线发放)."""

    id: str
    name: str | None = None
    county_code: str | None = None
    status: str = Field(description="registered 在建 / completed 竣工")
    start_date: date | None = None
    completion_date: date | None = Field(default=None, description="计划竣工日期")
    completed_date: date | None = None
    has_wage_account: bool | None = Field(default=None, description="已开设农民工工资专用账户")
    months_paid: list[str] = Field(default_factory=list, description="已发放工资的月份")
    months_paid_online: list[str] = Field(default_factory=list, description="在线发薪的月份")
    online_share: str | None = Field(default=None, description="在线发薪占比 (payrolls paid online ÷ payrolls, "
                                                               "decimal string; null: no payroll yet)")
    months_missed: list[str] = Field(default_factory=list, description="未按月发薪的月份")
    months_below_minimum_wage: list[str] = Field(default_factory=list, description="有人低于最低工资标准的月份")


class ProjectsSection(BaseModel):
    """在建工程项目与工资发放 from hrss.labour-relations (cancelled payrolls do not count)."""

    projects: list[ProjectItem] = Field(default_factory=list)
    payrolls: int = Field(description="工资发放记录数")
    online_share: str | None = Field(default=None, description="全部项目在线发薪占比 (decimal string)")
    months_missed: int = Field(description="未按月发薪的项目月数")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class SignalItem(BaseModel):
    code: str = Field(description="contribution_arrears 社保欠缴 / missed_payroll 未按月发薪 / below_minimum_wage "
                                  "低于最低工资 / complaint 欠薪投诉 / group_case 群体性欠薪")
    name: str
    weight: float = Field(description="权重")
    points: float = Field(description="衰减后的分值")
    reference: str = Field(description="来源记录 id")
    occurred_date: date
    detail: str


class WarningItem(BaseModel):
    id: str
    status: str = Field(description="open 预警中 / cleared 已解除")
    score: float | None = Field(default=None, description="预警时分值")
    threshold: float | None = None
    level: str | None = Field(default=None, description="red 红色 / orange 橙色 / yellow 黄色 (policy/"
                                                        "warning_levels.toml)")
    level_name: str | None = None
    raised_date: date | None = None
    cleared_date: date | None = None
    cleared_score: float | None = None
    signals: list[SignalItem] = Field(default_factory=list)
    policy_source: str | None = None
    illustrative: bool = Field(description=ILLUSTRATIVE)


class WarningSection(BaseModel):
    """欠薪预警 from hrss.labour-relations: the open warning (its score and the signals that made it) and past ones."""

    status: Literal["open", "cleared", "none"] = Field(description="open 预警中 / cleared 已解除 / none 无预警")
    current: WarningItem | None = Field(default=None, description="当前预警（预警中）")
    history: list[WarningItem] = Field(default_factory=list, description="全部预警，新的在前")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class DishonestyEntry(BaseModel):
    id: str
    status: str = Field(description="listed 在列 / removed 已移出")
    decision_reference: str | None = Field(default=None, description="列入决定文号")
    decision_date: date | None = None
    removed_date: date | None = None
    removal_reason: str | None = None


class DishonestySection(BaseModel):
    """拖欠农民工工资失信联合惩戒名单 from hrss.labour-relations."""

    listed: bool = Field(description="当前在列")
    entry: DishonestyEntry | None = Field(default=None, description="最近一条名单记录")
    entries: list[DishonestyEntry] = Field(default_factory=list)
    as_of: datetime | None = Field(default=None, description=AS_OF)


class PostingItem(BaseModel):
    id: str
    status: str = Field(description="published 招聘中 / closed 已关闭 / filled 已招满")
    title: str | None = None
    occupation: str | None = None
    count: int | None = Field(default=None, description="招聘人数")
    min_monthly_wage: Money | None = None
    max_monthly_wage: Money | None = None
    required_level: int | None = None
    county_code: str | None = None
    published_date: date | None = None
    closing_date: date | None = None
    closed_date: date | None = None


class PostingsSection(BaseModel):
    """招聘岗位 from hrss.employment."""

    open: int = Field(description="招聘中的岗位数")
    postings: list[PostingItem] = Field(default_factory=list, description="新的在前")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class PlatformItem(BaseModel):
    id: str
    status: str = Field(description="recognised 已认定 / revoked 已撤销")
    name: str | None = None
    level: str | None = Field(default=None, description="national 国家级 / provincial 省级 / city 市级")
    base_kind: str | None = Field(default=None, description="培训基地类型")
    occupation_codes: list[str] = Field(default_factory=list)
    recognised_date: date | None = None
    revoked_date: date | None = None


class TrainingSection(BaseModel):
    """培训基地与技能大师工作室 from hrss.training."""

    training_bases: list[PlatformItem] = Field(default_factory=list, description="培训基地")
    master_studios: list[PlatformItem] = Field(default_factory=list, description="技能大师工作室")
    as_of: datetime | None = Field(default=None, description=AS_OF)


class TalentItem(BaseModel):
    id_number: PersonIdNumber
    name: str | None = None
    recognition_id: str
    tier: str | None = Field(default=None, description="人才层次 A–E")
    recognition_number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


class TalentsSection(BaseModel):
    """在职认定人才: the current employees (see ``employees``) with a talent recognition approved and valid today
    (from hrss.training); recognitions of former employees are not included."""

    talents: list[TalentItem] = Field(default_factory=list)
    as_of: datetime | None = Field(default=None, description=AS_OF)


class EmployerView(BaseModel):
    credit_code: str
    profile: EmployerProfile = Field(description="单位信息 (hrss.employment)")
    employees: EmployeesSection = Field(description="在职职工 (hrss.employment)")
    insurance: InsuranceSection = Field(description="社保缴费与欠缴 (hrss.social-insurance)")
    arrears_cases: CasesSection = Field(description="欠薪案件 (hrss.labour-relations)")
    projects: ProjectsSection = Field(description="在建工程与在线发薪 (hrss.labour-relations)")
    warning: WarningSection = Field(description="欠薪预警 (hrss.labour-relations)")
    dishonesty: DishonestySection = Field(description="失信联合惩戒名单 (hrss.labour-relations)")
    job_postings: PostingsSection = Field(description="招聘岗位 (hrss.employment)")
    training: TrainingSection = Field(description="培训基地 (hrss.training)")
    talents: TalentsSection = Field(description="在职认定人才 (hrss.training)")


class OverdueCase(BaseModel):
    """超期未办结的欠薪案件."""

    id: str
    credit_code: str
    employer_name: str
    county_code: str
    status: str
    accepted_date: date | None
    deadline_date: date
    days_overdue: int = Field(description="超期天数（自然日，办结期限次日起算）")
    workers_affected: int
    amount_owed: Money
    group_case: bool = Field(description="群体性欠薪")


class WarningListItem(BaseModel):
    """预警中的单位."""

    id: str = Field(description="预警 id")
    credit_code: str
    employer_name: str | None
    county_code: str | None
    score: float | None
    threshold: float | None
    level: str | None = Field(description="red 红色 / orange 橙色 / yellow 黄色")
    level_name: str | None
    raised_date: date | None
    signals: list[SignalItem]
    illustrative: bool = Field(description=ILLUSTRATIVE)
    as_of: datetime = Field(description="截至时间 time of the newest event about this warning")
