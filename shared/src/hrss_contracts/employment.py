"""Contracts of ``hrss.employment``: the events the employment service publishes.

Subjects: a person's events carry the ID number, an employer's (and its postings', posts' and bases') the
credit code. Within a ``.v1`` type only additive changes; a breaking change is a new ``.v2`` type.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from hrss_shared.events import Contract, EventData
from hrss_shared.money import Money
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

# ---- employers ----------------------------------------------------------------------------------


class EmployerRegistered(EventData):
    """用人单位登记 an employer was registered."""

    credit_code: CreditCode
    name: str
    county_code: CountyCode
    industry: str | None = None
    size: str | None = None
    is_construction: bool = False


class EmployerUpdated(EventData):
    """用人单位信息变更: the employer's details after the change, and which fields changed."""

    id: int
    credit_code: CreditCode
    name: str
    county_code: CountyCode
    industry: str | None = None
    size: str | None = None
    is_construction: bool = False
    changed: list[str]
    previous_county_code: str | None = None


class EmployerDeactivated(EventData):
    """用人单位注销 an employer was deactivated; it can take no new employment registrations."""

    id: int
    credit_code: CreditCode
    county_code: CountyCode
    deactivated_date: date
    reason: str


EMPLOYER_REGISTERED = Contract(
    "hrss.employment.employer.registered.v1", EmployerRegistered, subject="credit_code",
    summary="用人单位登记 An employer was registered",
)
EMPLOYER_UPDATED = Contract(
    "hrss.employment.employer.updated.v1", EmployerUpdated, subject="credit_code",
    summary="用人单位信息变更 An employer's details changed",
)
EMPLOYER_DEACTIVATED = Contract(
    "hrss.employment.employer.deactivated.v1", EmployerDeactivated, subject="credit_code",
    summary="用人单位注销 An employer was deactivated",
)

# ---- job seekers --------------------------------------------------------------------------------


class JobSeekerRegistered(EventData):
    """求职登记 a person registered as a job seeker."""

    id_number: IdNumber
    name: str
    phone: str | None = None
    county_code: CountyCode
    education: str | None = None
    graduation_year: int | None = None
    registered_date: date
    occupation_wishes: list[str] = []


class JobSeekerUpdated(EventData):
    """求职信息变更: the job seeker's details after the change, and which fields changed."""

    id: int
    id_number: IdNumber
    phone: str | None = None
    county_code: CountyCode
    education: str | None = None
    graduation_year: int | None = None
    occupation_wishes: list[str] = []
    changed: list[str]
    previous_county_code: str | None = None


JOB_SEEKER_REGISTERED = Contract(
    "hrss.employment.job_seeker.registered.v1", JobSeekerRegistered, subject="id_number",
    summary="求职登记 A person registered as a job seeker",
)
JOB_SEEKER_UPDATED = Contract(
    "hrss.employment.job_seeker.updated.v1", JobSeekerUpdated, subject="id_number",
    summary="求职信息变更 A job seeker's details changed",
)

# ---- key groups ---------------------------------------------------------------------------------


class KeyGroupAdded(EventData):
    """实名制 a person was recognised as a member of a key group."""

    id: str
    id_number: IdNumber
    group: str
    source: str
    start_date: date
    end_date: date | None = None
    county_code: CountyCode
    category: str | None = None  # 就业困难人员类别 (hard_to_employ), a code of employment's policy/hard_to_employ.toml


class KeyGroupEnded(EventData):
    """A key-group membership ended."""

    id: str
    id_number: IdNumber
    group: str
    end_date: date
    reason: str | None = None  # e.g. the unemployment registration it rested on was closed (re-employment)


KEY_GROUP_ADDED = Contract(
    "hrss.employment.key_group.added.v1", KeyGroupAdded, subject="id_number",
    summary="重点群体实名制认定 A person joined a key group",
)
KEY_GROUP_ENDED = Contract(
    "hrss.employment.key_group.ended.v1", KeyGroupEnded, subject="id_number",
    summary="重点群体认定结束 A key-group membership ended",
)

# ---- employment and unemployment registrations ------------------------------------------------


class EmploymentRegistered(EventData):
    """就业登记 a person started work with an employer."""

    id: str
    id_number: IdNumber
    name: str
    credit_code: CreditCode
    employer_name: str
    county_code: CountyCode
    start_date: date
    occupation: str | None = None


class EmploymentTerminated(EventData):
    """解除/终止劳动关系登记 an employment registration ended."""

    id: str
    id_number: IdNumber
    credit_code: CreditCode
    end_date: date
    reason: str


class SeparationReason(StrEnum):
    """失业原因（中断就业原因）, coded: whether the person left work of their own will decides 失业保险金
    (失业保险条例 art. 14: 非因本人意愿中断就业; 失业保险金申领发放办法 art. 4 lists the involuntary cases)."""

    contract_expired = "contract_expired"  # 劳动合同期满终止
    employer_terminated = "employer_terminated"  # 用人单位解除劳动合同（含经济性裁员）
    dismissed = "dismissed"  # 被用人单位开除、除名、辞退
    employer_fault = "employer_fault"  # 因用人单位过错由劳动者解除劳动合同（劳动合同法第三十八条）
    employer_closed = "employer_closed"  # 用人单位破产、关闭、撤销或提前解散，劳动合同终止
    mutual_by_employer = "mutual_by_employer"  # 用人单位提出、双方协商一致解除劳动合同
    voluntary_resignation = "voluntary_resignation"  # 本人辞职（本人意愿中断就业）


SEPARATION_REASON_NAMES: dict[SeparationReason, str] = {
    SeparationReason.contract_expired: "劳动合同期满终止",
    SeparationReason.employer_terminated: "用人单位解除劳动合同",
    SeparationReason.dismissed: "被用人单位开除、除名、辞退",
    SeparationReason.employer_fault: "因用人单位过错解除劳动合同",
    SeparationReason.employer_closed: "用人单位破产、关闭、撤销",
    SeparationReason.mutual_by_employer: "用人单位提出协商一致解除",
    SeparationReason.voluntary_resignation: "本人辞职",
}


class UnemploymentRegistered(EventData):
    """失业登记 a person registered as unemployed."""

    id: str
    id_number: IdNumber
    name: str
    county_code: CountyCode
    registered_date: date
    reason: str | None = None
    # Additive within .v1: absent from events published before it existed.
    separation_reason: SeparationReason | None = Field(
        default=None, description="失业原因代码（中断就业原因）: " + ", ".join(
            f"{code.value} {name}" for code, name in SEPARATION_REASON_NAMES.items()))


class ClosureReason(StrEnum):
    """失业登记注销原因, coded (就业服务与就业管理规定 第六十三条 lists the cases)."""

    reemployed = "reemployed"  # 就业（含就业登记、自主创业、灵活就业）
    retired = "retired"  # 达到法定退休年龄或享受基本养老保险待遇
    enlisted = "enlisted"  # 应征服兵役
    study = "study"  # 入学
    moved_away = "moved_away"  # 迁出本市或移居境外
    death = "death"  # 死亡
    no_contact = "no_contact"  # 连续若干个月未与公共就业服务机构联系
    refused_offers = "refused_offers"  # 无正当理由拒绝接受公共就业服务（拒不接受推荐岗位）


CLOSURE_REASON_NAMES: dict[ClosureReason, str] = {
    ClosureReason.reemployed: "实现就业",
    ClosureReason.retired: "达到法定退休年龄或领取养老金",
    ClosureReason.enlisted: "应征服兵役",
    ClosureReason.study: "入学",
    ClosureReason.moved_away: "迁出本市或移居境外",
    ClosureReason.death: "死亡",
    ClosureReason.no_contact: "连续未与公共就业服务机构联系",
    ClosureReason.refused_offers: "拒绝接受公共就业服务",
}
CLOSURE_REASON_DESCRIPTION = "注销原因代码 closure reason: " + ", ".join(
    f"{code.value} {name}" for code, name in CLOSURE_REASON_NAMES.items())


class UnemploymentClosed(EventData):
    """失业登记注销 an unemployment registration was closed (e.g. on re-employment)."""

    id: str
    id_number: IdNumber
    end_date: date
    reason: str
    # Additive within .v1: absent from events published before it existed (and from closures sent without it).
    reason_code: ClosureReason | None = Field(default=None, description=CLOSURE_REASON_DESCRIPTION)
    automatic: bool = False  # true: closed by the daily job (retirement, no contact)


class UnemploymentCorrected(EventData):
    """失业登记更正 a registration recorded wrongly was corrected; the values after the correction."""

    id: str
    id_number: IdNumber
    changed: list[str]
    name: str
    county_code: CountyCode
    registered_date: date
    reason: str | None = None
    separation_reason: SeparationReason | None = None
    correction_reason: str


class UnemploymentCancelled(EventData):
    """失业登记撤销 a registration recorded wrongly was cancelled: it never held (what rested on it ends)."""

    id: str
    id_number: IdNumber
    registered_date: date
    reason: str


EMPLOYMENT_REGISTERED = Contract(
    "hrss.employment.employment.registered.v1", EmploymentRegistered, subject="id_number",
    summary="就业登记 A person started work with an employer",
)
EMPLOYMENT_TERMINATED = Contract(
    "hrss.employment.employment.terminated.v1", EmploymentTerminated, subject="id_number",
    summary="终止就业登记 An employment registration ended",
)
UNEMPLOYMENT_REGISTERED = Contract(
    "hrss.employment.unemployment.registered.v1", UnemploymentRegistered, subject="id_number",
    summary="失业登记 A person registered as unemployed",
)
UNEMPLOYMENT_CLOSED = Contract(
    "hrss.employment.unemployment.closed.v1", UnemploymentClosed, subject="id_number",
    summary="失业登记注销 An unemployment registration was closed",
)
UNEMPLOYMENT_CORRECTED = Contract(
    "hrss.employment.unemployment.corrected.v1", UnemploymentCorrected, subject="id_number",
    summary="失业登记更正 An unemployment registration was corrected",
)
UNEMPLOYMENT_CANCELLED = Contract(
    "hrss.employment.unemployment.cancelled.v1", UnemploymentCancelled, subject="id_number",
    summary="失业登记撤销 An unemployment registration was cancelled",
)

# ---- 131 service --------------------------------------------------------------------------------


class ServiceRecordRecorded(EventData):
    """失业人员“131”服务 one service (职业指导 / 岗位推荐 / 培训推荐) was given to a registered unemployed person."""

    id: str
    id_number: IdNumber
    county_code: CountyCode
    unemployment_registration_id: str
    kind: str
    service_date: date
    staff: str
    agency: str | None = None
    job_posting_id: str | None = None


SERVICE_RECORD_RECORDED = Contract(
    "hrss.employment.service_record.recorded.v1", ServiceRecordRecorded, subject="id_number",
    summary="失业人员131服务记录 A 131 service was given",
)

# ---- job postings (subject: the employer) -----------------------------------------------------


class JobPostingPublished(EventData):
    """岗位发布 an employer published a job posting."""

    id: str
    credit_code: CreditCode
    employer_name: str
    occupation: str
    title: str
    count: int
    min_monthly_wage: Decimal
    max_monthly_wage: Decimal
    required_level: int | None = None
    county_code: CountyCode
    closing_date: date
    education: str | None = None
    published_date: date


class JobPostingClosed(EventData):
    """岗位关闭 a posting was closed (status ``closed``) or filled (status ``filled``)."""

    id: str
    credit_code: CreditCode
    county_code: CountyCode
    status: str
    closed_date: date
    reason: str | None = None


JOB_POSTING_PUBLISHED = Contract(
    "hrss.employment.job_posting.published.v1", JobPostingPublished, subject="credit_code",
    summary="岗位发布 An employer published a job posting",
)
JOB_POSTING_CLOSED = Contract(
    "hrss.employment.job_posting.closed.v1", JobPostingClosed, subject="credit_code",
    summary="岗位关闭 A job posting was closed or filled",
)

# ---- public-welfare posts (subject: the employer) and placements (subject: the person) ---------


class PublicWelfarePostCreated(EventData):
    """公益性岗位开发 a post was created by an employer or agency."""

    id: str
    credit_code: CreditCode
    employer_name: str
    title: str
    county_code: CountyCode
    monthly_subsidy: Money
    positions: int
    start_date: date
    end_date: date


class PublicWelfarePlacementStarted(EventData):
    """公益性岗位安置 a key-group member was placed on a post."""

    id: str
    post_id: str
    id_number: IdNumber
    name: str
    credit_code: CreditCode
    county_code: CountyCode
    groups: list[str]
    start_date: date
    end_date: date
    monthly_subsidy: Money
    policy_source: str


class PublicWelfarePlacementEnded(EventData):
    """公益性岗位退出 a placement ended."""

    id: str
    post_id: str
    id_number: IdNumber
    credit_code: CreditCode
    county_code: CountyCode
    ended_date: date
    reason: str


PUBLIC_WELFARE_POST_CREATED = Contract(
    "hrss.employment.public_welfare_post.created.v1", PublicWelfarePostCreated, subject="credit_code",
    summary="公益性岗位开发 A public-welfare post was created",
)
PUBLIC_WELFARE_PLACEMENT_STARTED = Contract(
    "hrss.employment.public_welfare_placement.started.v1", PublicWelfarePlacementStarted, subject="id_number",
    summary="公益性岗位安置 A person was placed on a public-welfare post",
)
PUBLIC_WELFARE_PLACEMENT_ENDED = Contract(
    "hrss.employment.public_welfare_placement.ended.v1", PublicWelfarePlacementEnded, subject="id_number",
    summary="公益性岗位退出 A public-welfare placement ended",
)

# ---- start-up loans (subject: the borrower) ----------------------------------------------------


class StartupLoanApplied(EventData):
    """创业担保贷款申请."""

    id: str
    id_number: IdNumber
    applicant_kind: str
    credit_code: CreditCode | None = None
    county_code: CountyCode
    amount: Money
    term_months: int
    bank: str
    purpose: str
    applied_date: date


class StartupLoanApproved(EventData):
    """审核通过: the approved amount, within the cap in force on the approval date."""

    id: str
    id_number: IdNumber
    credit_code: CreditCode | None = None
    county_code: CountyCode
    approved_amount: Money
    approved_date: date
    cap: Money
    policy_source: str


class StartupLoanRejected(EventData):
    """审核不通过."""

    id: str
    id_number: IdNumber
    county_code: CountyCode
    rejected_date: date
    reason: str


class StartupLoanDisbursed(EventData):
    """经办银行放款."""

    id: str
    id_number: IdNumber
    credit_code: CreditCode | None = None
    county_code: CountyCode
    amount: Money
    disbursed_date: date
    bank: str
    term_months: int


class StartupLoanRepayment(EventData):
    """还款: ``repayment_recorded`` for part of the principal, ``repaid`` when the loan is settled."""

    id: str
    id_number: IdNumber
    county_code: CountyCode
    amount: Money
    repaid_date: date
    repaid_amount: Money
    outstanding_amount: Money


class StartupLoanDefaulted(EventData):
    """逾期代偿."""

    id: str
    id_number: IdNumber
    county_code: CountyCode
    defaulted_date: date
    reason: str
    outstanding_amount: Money


STARTUP_LOAN_APPLIED = Contract(
    "hrss.employment.startup_loan.applied.v1", StartupLoanApplied, subject="id_number",
    summary="创业担保贷款申请 A start-up loan was applied for",
)
STARTUP_LOAN_APPROVED = Contract(
    "hrss.employment.startup_loan.approved.v1", StartupLoanApproved, subject="id_number",
    summary="创业担保贷款审核通过 A start-up loan was approved",
)
STARTUP_LOAN_REJECTED = Contract(
    "hrss.employment.startup_loan.rejected.v1", StartupLoanRejected, subject="id_number",
    summary="创业担保贷款审核不通过 A start-up loan was rejected",
)
STARTUP_LOAN_DISBURSED = Contract(
    "hrss.employment.startup_loan.disbursed.v1", StartupLoanDisbursed, subject="id_number",
    summary="创业担保贷款放款 A start-up loan was disbursed",
)
STARTUP_LOAN_REPAYMENT_RECORDED = Contract(
    "hrss.employment.startup_loan.repayment_recorded.v1", StartupLoanRepayment, subject="id_number",
    summary="创业担保贷款部分还款 Part of a start-up loan was repaid",
)
STARTUP_LOAN_REPAID = Contract(
    "hrss.employment.startup_loan.repaid.v1", StartupLoanRepayment, subject="id_number",
    summary="创业担保贷款结清 A start-up loan was settled",
)
STARTUP_LOAN_DEFAULTED = Contract(
    "hrss.employment.startup_loan.defaulted.v1", StartupLoanDefaulted, subject="id_number",
    summary="创业担保贷款逾期代偿 A start-up loan defaulted",
)

# ---- rural start-up subsidies (subject: the applicant) ------------------------------------------


class StartupSubsidyGranted(EventData):
    """重点人群乡村创业一次性补贴 granted on application."""

    id: str
    id_number: IdNumber
    credit_code: CreditCode
    county_code: CountyCode
    business_start_date: date
    applied_date: date
    groups: list[str]
    amount: Money
    policy_source: str


class StartupSubsidyRefused(EventData):
    """重复申领被拒: a second claim of the once-per-person subsidy was refused; published for 政策监管."""

    id: str
    id_number: IdNumber
    credit_code: CreditCode
    county_code: CountyCode
    applied_date: date
    reason: str
    earlier_grant_id: str


STARTUP_SUBSIDY_GRANTED = Contract(
    "hrss.employment.startup_subsidy.granted.v1", StartupSubsidyGranted, subject="id_number",
    summary="乡村创业一次性补贴发放 A rural start-up subsidy was granted",
)
STARTUP_SUBSIDY_REFUSED = Contract(
    "hrss.employment.startup_subsidy.refused.v1", StartupSubsidyRefused, subject="id_number",
    summary="乡村创业一次性补贴重复申领被拒 A duplicate subsidy claim was refused",
)

# ---- start-up bases (subject: the operator) -----------------------------------------------------


class StartupBaseRecognised(EventData):
    """创业孵化基地 / 返乡入乡创业基地认定."""

    id: str
    credit_code: CreditCode
    kind: str
    name: str
    county_code: CountyCode
    level: str | None = None
    recognised_date: date
    capacity: int


class StartupBaseRevoked(EventData):
    """撤销基地认定."""

    id: str
    credit_code: CreditCode
    kind: str
    county_code: CountyCode
    revoked_date: date
    reason: str


STARTUP_BASE_RECOGNISED = Contract(
    "hrss.employment.startup_base.recognised.v1", StartupBaseRecognised, subject="credit_code",
    summary="创业基地认定 A start-up base was recognised",
)
STARTUP_BASE_REVOKED = Contract(
    "hrss.employment.startup_base.revoked.v1", StartupBaseRevoked, subject="credit_code",
    summary="撤销创业基地认定 A start-up base's recognition was revoked",
)
