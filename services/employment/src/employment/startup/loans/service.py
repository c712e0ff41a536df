"""Rules of 创业担保贷款.

- The amount applied for is at most the cap in force on the application date, the approved amount at most
  the amount applied for and the cap in force on the approval date (policy/startup_loans.toml).
- The term is at most the policy's longest term for the applicant kind.
- A small-business loan is for a registered, active employer, in that employer's county.
- An individual borrower is of working age and, on the application date, a member of an eligible key group or a
  registered unemployed person (policy ``eligible_groups``, ``registered_unemployed_eligible``).
- A small business is of an eligible size, and its hires of eligible persons (in an eligible key group, or registered
  unemployed, on the hire date) in the ``hiring_window_months`` before the application date reach ``hiring_share`` of
  its staff on the application date (``hiring_share_large`` above ``large_staff``). Staff and hires are this
  service's employment registrations with the business.
- At most ``max_loans_per_person`` loans ever approved per person (individual loans) and per business.
- One active loan (applied, approved, disbursed) per person, and per small business.
- applied → approved | rejected; approved → disbursed; disbursed → repaid (when fully repaid) | defaulted.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers import service as employers
from employment.employers.models import EmployerStatus
from employment.key_groups import service as key_groups
from employment.key_groups.models import KEY_GROUP_NAMES, KeyGroup
from employment.registrations.models import EmploymentRegistration, UnemploymentRegistration
from employment.startup.common import POLICY_DIR, add_months
from employment.startup.loans.models import (
    ACTIVE_STATUSES,
    APPLICANT_NAMES,
    ApplicantKind,
    InterestSubsidyPublic,
    LoanApply,
    LoanApprove,
    LoanDefault,
    LoanDisburse,
    LoanPolicy,
    LoanReject,
    LoanRepay,
    LoanRepaymentRecord,
    LoanStatus,
    StartupLoan,
)
from employment.startup.loans.subsidy import schedule
from employment.working_age import working_age_problem
from hrss_contracts.employment import (
    STARTUP_LOAN_APPLIED,
    STARTUP_LOAN_APPROVED,
    STARTUP_LOAN_DEFAULTED,
    STARTUP_LOAN_DISBURSED,
    STARTUP_LOAN_REJECTED,
    STARTUP_LOAN_REPAID,
    STARTUP_LOAN_REPAYMENT_RECORDED,
    StartupLoanApplied,
    StartupLoanApproved,
    StartupLoanDefaulted,
    StartupLoanDisbursed,
    StartupLoanRejected,
    StartupLoanRepayment,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.events import Contract, EventData
from hrss_shared.listing import DateRange, order_by
from hrss_shared.money import yuan
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField

M = TypeVar("M", bound=EventData)

POLICY = PolicyTable.load(POLICY_DIR / "startup_loans.toml", LoanPolicy)
SORTS = ("applied_date", "amount")

# action → (statuses it may start from, Chinese name)
TRANSITIONS: dict[str, tuple[tuple[LoanStatus, ...], str]] = {
    "approve": ((LoanStatus.applied,), "审核通过"),
    "reject": ((LoanStatus.applied,), "审核不通过"),
    "disburse": ((LoanStatus.approved,), "放款"),
    "repay": ((LoanStatus.disbursed,), "还款"),
    "default": ((LoanStatus.disbursed,), "逾期代偿"),
}


def allowed_actions(status: str) -> list[str]:
    """The transitions a loan in ``status`` may take."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def policy_on(day: date, field: str) -> LoanPolicy:
    """The caps in force on ``day`` (422 naming ``field`` when none is)."""
    return POLICY.in_force(day, field=field, label="创业担保贷款")


def _check_transition(loan: StartupLoan, action: str) -> None:
    sources, name = TRANSITIONS[action]
    if loan.status not in sources:
        allowed = allowed_actions(loan.status)
        raise Conflict(
            f"贷款 {loan.id} 当前状态为 {loan.status}，不能办理{name}（{action}）；当前可办理："
            f"{', '.join(allowed) or '无 none'} (invalid transition from status {loan.status})",
            field_name="status", current_status=loan.status, allowed_actions=allowed,
        )


def _not_before(field: str, day: date, earlier: date | None, what: str) -> None:
    if earlier is not None and day < earlier:
        raise InvalidField(field, f"{field} 早于{what} {earlier} (before the {what} date)")


async def _active_for(*, session: AsyncSession, id_number: str, credit_code: str | None) -> None:
    """409 naming the existing active loan of the person, or of the small business."""
    query = select(StartupLoan).where(col(StartupLoan.status).in_(ACTIVE_STATUSES))
    existing = (await session.exec(query.where(StartupLoan.id_number == id_number))).first()
    if existing is not None:
        raise Conflict(f"该人员已有未结清的创业担保贷款 {existing.id}（状态 {existing.status}，申请于 "
                       f"{existing.applied_date}）(an active start-up loan exists)",
                       field_name="id_number", existing_id=existing.id, existing_status=existing.status)
    if credit_code is not None:
        query = query.where(StartupLoan.credit_code == credit_code,
                            StartupLoan.applicant_kind == ApplicantKind.small_business)
        existing = (await session.exec(query)).first()
        if existing is not None:
            raise Conflict(f"该企业已有未结清的创业担保贷款 {existing.id}（状态 {existing.status}）"
                           "(the business has an active start-up loan)",
                           field_name="credit_code", existing_id=existing.id, existing_status=existing.status)


async def _county(*, session: AsyncSession, data: LoanApply) -> tuple[str, str | None]:
    """The county of the loan (a small business's own, or the one given for an individual) and the business's size."""
    if data.applicant_kind == ApplicantKind.individual:
        if data.county_code is None:
            raise InvalidField("county_code", "个人贷款须填写创业所在县（市、区）代码 (required for an individual)")
        return data.county_code, None
    employer = await employers.get_by_credit_code(session=session, credit_code=data.credit_code or "")
    if employer is None or employer.status != EmployerStatus.active:
        raise InvalidField("credit_code", "小微企业未登记或已注销 (business not registered, or inactive)")
    if data.county_code is not None and data.county_code != employer.county_code:
        raise InvalidField("county_code", f"与企业登记所在地 {employer.county_code} 不一致 "
                                          "(differs from the business's registered county)")
    return employer.county_code, employer.size


def _check_limits(data: LoanApply, rules: LoanPolicy) -> None:
    cap, kind = rules.cap(data.applicant_kind), APPLICANT_NAMES[data.applicant_kind]
    if data.amount > cap:
        raise InvalidField("amount", f"申请金额超过{kind}创业担保贷款最高额度 {yuan(cap)} 元 "
                                     f"(above the cap of {yuan(cap)} yuan in force on {data.applied_date}; "
                                     f"{rules.source})")
    longest = rules.max_term_months(data.applicant_kind)
    if data.term_months > longest:
        raise InvalidField("term_months", f"{kind}创业担保贷款期限最长 {longest} 个月 "
                                          f"(longer than {longest} months; {rules.source})")


GRANTED_STATUSES = (LoanStatus.approved, LoanStatus.disbursed, LoanStatus.repaid, LoanStatus.defaulted)


async def _registered_unemployed(*, session: AsyncSession, id_number: str, on: date) -> bool:
    """Whether the person's unemployment registration covered ``on`` (registered on or before, not closed before)."""
    u = UnemploymentRegistration
    found = (await session.exec(select(u.id).where(
        u.id_number == id_number, col(u.registered_date) <= on, or_(col(u.end_date).is_(None), col(u.end_date) >= on),
    ))).first()
    return found is not None


async def eligible_on(
    *, session: AsyncSession, id_number: str, on: date, rules: LoanPolicy
) -> tuple[list[KeyGroup], bool]:
    """The person's eligible key groups on ``on`` and whether they were registered unemployed then."""
    groups = await key_groups.groups_on(session=session, id_number=id_number, on=on)
    unemployed = rules.registered_unemployed_eligible and await _registered_unemployed(
        session=session, id_number=id_number, on=on)
    return [g for g in rules.eligible_groups if g in groups], unemployed


async def _check_borrower(*, session: AsyncSession, data: LoanApply, rules: LoanPolicy) -> tuple[list[KeyGroup], bool]:
    groups, unemployed = await eligible_on(session=session, id_number=data.id_number, on=data.applied_date,
                                           rules=rules)
    if not groups and not unemployed:
        names = "、".join(KEY_GROUP_NAMES[g] for g in rules.eligible_groups)
        extra = "或登记失业人员" if rules.registered_unemployed_eligible else ""
        raise InvalidField("id_number", f"借款人在 {data.applied_date} 不属于创业担保贷款扶持对象（{names}{extra}）"
                                        f"(not an eligible borrower on the application date; {rules.source})")
    return groups, unemployed


async def _check_count(*, session: AsyncSession, data: LoanApply, rules: LoanPolicy) -> None:
    """累计次数: loans ever approved, per person (individual loans) or per business."""
    query = select(func.count()).select_from(StartupLoan).where(col(StartupLoan.status).in_(GRANTED_STATUSES))
    if data.applicant_kind == ApplicantKind.individual:
        query, field = query.where(StartupLoan.id_number == data.id_number,
                                   StartupLoan.applicant_kind == ApplicantKind.individual), "id_number"
    else:
        query, field = query.where(StartupLoan.credit_code == data.credit_code,
                                   StartupLoan.applicant_kind == ApplicantKind.small_business), "credit_code"
    granted = int((await session.exec(query)).one())
    if granted >= rules.max_loans_per_person:
        raise InvalidField(field, f"已累计获得 {granted} 笔创业担保贷款，累计次数不得超过 "
                                  f"{rules.max_loans_per_person} 次 (at most {rules.max_loans_per_person} loans; "
                                  f"{rules.source})")


async def hiring(*, session: AsyncSession, credit_code: str, on: date, rules: LoanPolicy) -> tuple[int, int]:
    """A business's staff on ``on`` and its hires of eligible persons in the window before it."""
    e = EmploymentRegistration
    staff = int((await session.exec(select(func.count()).select_from(e).where(
        e.credit_code == credit_code, col(e.start_date) <= on, or_(col(e.end_date).is_(None), col(e.end_date) >= on),
    ))).one())
    since, until = add_months(on, -rules.hiring_window_months), on - timedelta(days=1)
    hires = (await session.exec(select(e).where(
        e.credit_code == credit_code, col(e.start_date) >= since, col(e.start_date) <= until))).all()
    counted = 0
    for hire in hires:
        groups, unemployed = await eligible_on(session=session, id_number=hire.id_number, on=hire.start_date,
                                               rules=rules)
        counted += bool(groups or unemployed)
    return staff, counted


async def _check_business(
    *, session: AsyncSession, data: LoanApply, rules: LoanPolicy, size: str | None
) -> tuple[int, int]:
    if size not in rules.small_business_sizes:
        sizes = "、".join(rules.small_business_sizes)
        raise InvalidField("credit_code", f"企业规模 {size or '未登记'} 不是小微企业（{sizes}）"
                                          f"(not a micro or small business; {rules.source})")
    staff, hires = await hiring(session=session, credit_code=data.credit_code or "", on=data.applied_date,
                                rules=rules)
    share = rules.share_for(staff)
    if staff == 0 or Decimal(hires) < share * staff:
        since = add_months(data.applied_date, -rules.hiring_window_months)
        raise InvalidField("credit_code", f"企业 {since} 至 {data.applied_date - timedelta(days=1)} 新招用符合条件人员 "
                                          f"{hires} 人，在职职工 {staff} 人，未达到 {share:.0%} "
                                          f"(key-group hires {hires} of staff {staff} below {share:.0%}; "
                                          f"{rules.source})")
    return staff, hires


async def apply(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: LoanApply) -> StartupLoan:
    """创业担保贷款申请."""
    rules = policy_on(data.applied_date, "applied_date")
    _check_limits(data, rules)
    problem = working_age_problem(data.id_number, data.applied_date, "id_number",
                                  female_original_age=data.female_original_age)
    if problem is not None:
        raise problem
    county_code, size = await _county(session=session, data=data)
    principal.check_county(county_code)
    await lock_key(session, data.id_number)
    if data.credit_code:
        await lock_key(session, data.credit_code)
    await _active_for(session=session, id_number=data.id_number,
                      credit_code=data.credit_code if data.applicant_kind == ApplicantKind.small_business else None)
    await _check_count(session=session, data=data, rules=rules)
    extra: dict[str, Any] = {}
    if data.applicant_kind == ApplicantKind.individual:
        groups, unemployed = await _check_borrower(session=session, data=data, rules=rules)
        extra = {"groups": [str(g) for g in groups], "registered_unemployed": unemployed}
    else:
        staff, hires = await _check_business(session=session, data=data, rules=rules, size=size)
        extra = {"staff": staff, "key_group_hires": hires}
    loan = StartupLoan(**data.model_dump(exclude={"county_code", "female_original_age"}), county_code=county_code,
                       policy_source=rules.source, **extra)
    session.add(loan)
    await flush_or_conflict(session, Conflict("该人员已有未结清的创业担保贷款 (an active start-up loan exists)",
                       field_name="id_number"))
    await outbox.add(session, STARTUP_LOAN_APPLIED, StartupLoanApplied.model_validate(loan, from_attributes=True))
    return loan


async def get_or_404(*, session: AsyncSession, loan_id: str) -> StartupLoan:
    return await fetch_or_404(session, StartupLoan, loan_id, f"创业担保贷款 {loan_id} 不存在 (start-up loan not found)")


async def _load(*, session: AsyncSession, principal: Principal, loan_id: str, action: str) -> StartupLoan:
    loan = await get_or_404(session=session, loan_id=loan_id)
    principal.check_county(loan.county_code)
    await lock_key(session, loan.id_number)
    _check_transition(loan, action)
    return loan


async def _save(
    *, session: AsyncSession, outbox: Outbox, loan: StartupLoan, contract: Contract[M], data: M
) -> StartupLoan:
    loan.updated_at = clock.now()
    session.add(loan)
    await outbox.add(session, contract, data)
    return loan


async def approve(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: str, data: LoanApprove
) -> StartupLoan:
    """审核通过: the approved amount within the amount applied for and the cap on the approval date."""
    loan = await _load(session=session, principal=principal, loan_id=loan_id, action="approve")
    _not_before("approved_date", data.approved_date, loan.applied_date, "申请日期 application")
    rules = policy_on(data.approved_date, "approved_date")
    cap = rules.cap(ApplicantKind(loan.applicant_kind))
    if data.approved_amount > cap:
        raise InvalidField("approved_amount", f"核定金额超过 {data.approved_date} 施行的最高额度 {yuan(cap)} 元 "
                                              f"(above the cap of {yuan(cap)} yuan; {rules.source})")
    if data.approved_amount > loan.amount:
        raise InvalidField("approved_amount",
                           f"核定金额超过申请金额 {yuan(loan.amount)} 元 (above the amount applied for)")
    loan.status, loan.approved_date = LoanStatus.approved, data.approved_date
    loan.approved_amount = data.approved_amount
    loan.policy_source = rules.source
    return await _save(
        session=session, outbox=outbox, loan=loan, contract=STARTUP_LOAN_APPROVED, data=StartupLoanApproved(
            id=loan.id, id_number=loan.id_number, credit_code=loan.credit_code, county_code=loan.county_code,
            approved_amount=data.approved_amount, approved_date=data.approved_date, cap=cap,
            policy_source=rules.source))


async def reject(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: str, data: LoanReject
) -> StartupLoan:
    """审核不通过, with the reason."""
    loan = await _load(session=session, principal=principal, loan_id=loan_id, action="reject")
    _not_before("rejected_date", data.rejected_date, loan.applied_date, "申请日期 application")
    loan.status, loan.rejected_date, loan.status_reason = LoanStatus.rejected, data.rejected_date, data.reason
    return await _save(
        session=session, outbox=outbox, loan=loan, contract=STARTUP_LOAN_REJECTED, data=StartupLoanRejected(
            id=loan.id, id_number=loan.id_number, county_code=loan.county_code, rejected_date=data.rejected_date,
            reason=data.reason))


async def disburse(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: str, data: LoanDisburse
) -> StartupLoan:
    """经办银行放款 of the approved amount."""
    loan = await _load(session=session, principal=principal, loan_id=loan_id, action="disburse")
    _not_before("disbursed_date", data.disbursed_date, loan.approved_date, "审核通过日期 approval")
    loan.status, loan.disbursed_date = LoanStatus.disbursed, data.disbursed_date
    loan.interest_rate = data.interest_rate
    return await _save(session=session, outbox=outbox, loan=loan, contract=STARTUP_LOAN_DISBURSED,
                       data=StartupLoanDisbursed(
                           id=loan.id, id_number=loan.id_number, credit_code=loan.credit_code,
                           county_code=loan.county_code, amount=loan.approved_amount or Decimal(0),
                           disbursed_date=data.disbursed_date, bank=loan.bank, term_months=loan.term_months))


async def repay(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: str, data: LoanRepay
) -> StartupLoan:
    """还款: part of the principal (repayment_recorded), or the rest of it (repaid)."""
    loan = await _load(session=session, principal=principal, loan_id=loan_id, action="repay")
    _not_before("repaid_date", data.repaid_date, loan.disbursed_date, "放款日期 disbursement")
    outstanding = loan.outstanding_amount or Decimal(0)
    if data.amount > outstanding:
        raise InvalidField("amount",
                           f"还款金额超过未还本金 {yuan(outstanding)} 元 (more than the outstanding principal)")
    if loan.last_repaid_date is not None and data.repaid_date < loan.last_repaid_date:
        raise InvalidField("repaid_date", f"还款日期早于上一次还款日期 {loan.last_repaid_date} "
                                          "(before the previous repayment)")
    loan.repaid_amount = loan.repaid_amount + data.amount
    loan.last_repaid_date = data.repaid_date
    session.add(LoanRepaymentRecord(loan_id=loan.id, amount=data.amount, repaid_date=data.repaid_date))
    settled = data.amount == outstanding
    if settled:
        loan.status = LoanStatus.repaid
    event = StartupLoanRepayment(
        id=loan.id, id_number=loan.id_number, county_code=loan.county_code, amount=data.amount,
        repaid_date=data.repaid_date, repaid_amount=loan.repaid_amount, outstanding_amount=outstanding - data.amount)
    return await _save(session=session, outbox=outbox, loan=loan, data=event,
                       contract=STARTUP_LOAN_REPAID if settled else STARTUP_LOAN_REPAYMENT_RECORDED)


async def default(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: str, data: LoanDefault
) -> StartupLoan:
    """逾期代偿: the loan is in default with the principal still outstanding."""
    loan = await _load(session=session, principal=principal, loan_id=loan_id, action="default")
    _not_before("defaulted_date", data.defaulted_date, loan.disbursed_date, "放款日期 disbursement")
    outstanding = loan.outstanding_amount or Decimal(0)
    loan.status, loan.defaulted_date, loan.status_reason = LoanStatus.defaulted, data.defaulted_date, data.reason
    event = StartupLoanDefaulted(
        id=loan.id, id_number=loan.id_number, county_code=loan.county_code, defaulted_date=data.defaulted_date,
        reason=data.reason, outstanding_amount=outstanding)
    return await _save(session=session, outbox=outbox, loan=loan, contract=STARTUP_LOAN_DEFAULTED, data=event)


def rules_of(loan: StartupLoan) -> LoanPolicy:
    """The policy version the loan shows: in force on the approval date, else the application date."""
    return POLICY.at(loan.approved_date or loan.applied_date)


async def repayments_of(*, session: AsyncSession, loan: StartupLoan) -> list[tuple[date, Decimal]]:
    """The loan's repayments by date; principal repaid before repayments were recorded one by one counts on the
    last repayment date."""
    rows = (await session.exec(select(LoanRepaymentRecord).where(LoanRepaymentRecord.loan_id == loan.id)
                               .order_by(col(LoanRepaymentRecord.repaid_date)))).all()
    found = [(r.repaid_date, r.amount) for r in rows]
    missing = loan.repaid_amount - sum((a for _, a in found), Decimal(0))
    if missing > 0 and loan.last_repaid_date is not None:
        found = sorted([*found, (loan.last_repaid_date, missing)])
    return found


async def interest_subsidy(*, session: AsyncSession, loan: StartupLoan) -> InterestSubsidyPublic:
    """贴息测算 of the loan as of today (subsidy.schedule)."""
    return schedule(loan=loan, rules=rules_of(loan), repayments=await repayments_of(session=session, loan=loan),
                    today=clock.today())


async def list_loans(
    *, session: AsyncSession, page: PageParams, county_code: str | None, id_number: str | None,
    credit_code: str | None, applicant_kind: ApplicantKind | None, status: LoanStatus | None, dates: DateRange,
    sort: str,
) -> tuple[list[StartupLoan], int]:
    """Loans filtered by county, borrower, business, kind, status and application date range."""
    query = select(StartupLoan).where(*dates.clauses(col(StartupLoan.applied_date)))
    for column, value in ((StartupLoan.county_code, county_code), (StartupLoan.id_number, id_number),
                          (StartupLoan.credit_code, credit_code), (StartupLoan.applicant_kind, applicant_kind),
                          (StartupLoan.status, status)):
        if value is not None:
            query = query.where(column == value)
    columns = {key: col(getattr(StartupLoan, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(StartupLoan.id))), page)
