"""/v1/startup-loans — 创业担保贷款."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.deps import Reader, Writer, county_filter
from employment.startup.loans import service
from employment.startup.loans.models import (
    ApplicantKind,
    InterestSubsidyPublic,
    LoanApply,
    LoanApprove,
    LoanDefault,
    LoanDisburse,
    LoanPublic,
    LoanReject,
    LoanRepay,
    LoanStatus,
    StartupLoan,
)
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

router = APIRouter(prefix="/v1/startup-loans", tags=["start-up loans 创业担保贷款"])

STATES = ("状态流转 transitions: applied 已申请 → approved 审核通过 | rejected 不通过; approved → disbursed 已放款; "
          "disbursed → repaid 已结清（还清本金）| defaulted 逾期代偿。其他操作返回 409，并列出当前可办理的操作。")


async def _public(session: AsyncSession, loan: StartupLoan) -> LoanPublic:
    rules = service.rules_of(loan)
    subsidy = await service.interest_subsidy(session=session, loan=loan)
    return LoanPublic.model_validate(
        {**loan.model_dump(), "outstanding_amount": loan.outstanding_amount,
         "allowed_actions": service.allowed_actions(loan.status), "interest_subsidy": rules.interest_subsidy,
         "interest_subsidy_share": rules.interest_subsidy_share,
         "illustrative": rules.illustrative or (subsidy.computed and subsidy.illustrative),
         "interest_subsidy_total": subsidy.total if subsidy.computed else None,
         "interest_subsidy_last_date": subsidy.last_date}
    )


@router.post("", status_code=201, summary="创业担保贷款申请 Apply for a start-up loan",
             description="个人（individual）或小微企业（small_business，须为已登记用人单位）申请创业担保贷款。"
                         "申请金额不超过申请日施行的最高额度、期限不超过最长期限（policy/startup_loans.toml），"
                         "否则 422。个人借款人申请日须在法定劳动年龄内，并属于政策规定的重点群体或为登记失业人员；"
                         "小微企业须为政策规定的企业规模，且申请前规定月数内新招用符合条件人员（招用当日属重点群体或登记失业）"
                         "达到申请日在职职工人数的规定比例（衢州实施细则，2025-08-06起：24个月内10%，超过100人的5%；"
                         "此前：12个月内15%，超过100人的8%）；"
                         "每人（每家企业）累计获得贷款不超过政策规定次数（3次），均否则 422。"
                         "答复中的 interest_subsidy 为贴息规则，illustrative 为 true 表示该政策版本来源未确认。"
                         "每人（每家企业）同时只能有一笔未结清贷款（已申请、已审核、已放款），"
                         "否则 409。" + STATES)
async def apply(
    body: LoanApply, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.apply(session=session, outbox=outbox, principal=principal, data=body)
    return await _public(session, loan)


@router.get("", summary="创业担保贷款列表 List start-up loans")
async def list_loans(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    id_number: Annotated[IdNumber | None, Query(description="借款人公民身份号码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="统一社会信用代码")] = None,
    applicant_kind: Annotated[ApplicantKind | None, Query(description="individual 个人 / small_business 小微")] = None,
    status: Annotated[LoanStatus | None, Query(description="贷款状态")] = None,
    dates: DateRange = date_range_param("applied_date 申请日期"),
    sort: str = sort_param(*service.SORTS, default="-applied_date"),
) -> Page[LoanPublic]:
    rows, count = await service.list_loans(
        session=session, page=page, county_code=county_filter(principal, county_code), id_number=id_number,
        credit_code=credit_code, applicant_kind=applicant_kind, status=status, dates=dates, sort=sort,
    )
    data = [await _public(session, r) for r in rows]
    return Page[LoanPublic](data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{loan_id}", summary="查询创业担保贷款 Get a start-up loan")
async def get_loan(loan_id: str, session: SessionDep, principal: Reader) -> LoanPublic:
    loan = await service.get_or_404(session=session, loan_id=loan_id)
    principal.check_county(loan.county_code)
    return await _public(session, loan)


@router.get("/{loan_id}/interest-subsidy", summary="贴息测算 Interest subsidy of a loan",
            description="创业担保贷款贴息：按放款日（视为合同签订日）的一年期LPR（policy/lpr.toml）和审核通过日施行的"
                        "贴息政策（policy/startup_loans.toml），逐日按未还本金（不超过贴息本金上限）计算，按结算期"
                        "（季度或年度）汇总。贴息自放款日起，至合同期限最后一日、全部还清的前一日或逾期代偿的前一日止；"
                        "今天以后的部分按不再还款测算（projected）。未放款、未登记合同利率或政策未规定计算方法时"
                        " computed 为 false 并说明原因。illustrative 为 true 表示所用政策值或 LPR 来源未确认。")
async def get_interest_subsidy(loan_id: str, session: SessionDep, principal: Reader) -> InterestSubsidyPublic:
    loan = await service.get_or_404(session=session, loan_id=loan_id)
    principal.check_county(loan.county_code)
    return await service.interest_subsidy(session=session, loan=loan)


@router.post("/{loan_id}/approve", summary="审核通过 Approve",
             description="核定金额不超过申请金额和审核通过日施行的最高额度。" + STATES)
async def approve(
    loan_id: str, body: LoanApprove, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.approve(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return await _public(session, loan)


@router.post("/{loan_id}/reject", summary="审核不通过 Reject (reason required)",
             description=STATES)
async def reject(
    loan_id: str, body: LoanReject, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.reject(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return await _public(session, loan)


@router.post("/{loan_id}/disburse", summary="放款 Disburse",
             description="interest_rate 为合同年利率（%），用于贴息测算（GET .../interest-subsidy）。" + STATES)
async def disburse(
    loan_id: str, body: LoanDisburse, session: SessionDep, outbox: OutboxDep, principal: Writer,
) -> LoanPublic:
    loan = await service.disburse(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return await _public(session, loan)


@router.post("/{loan_id}/repay", summary="还款 Record a repayment",
             description="部分还款记为 repayment_recorded；还清本金后状态为 repaid（已结清）。"
                         "还款金额不得超过未还本金。" + STATES)
async def repay(
    loan_id: str, body: LoanRepay, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.repay(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return await _public(session, loan)


@router.post("/{loan_id}/default", summary="逾期代偿 Record a default (reason required)",
             description=STATES)
async def default(
    loan_id: str, body: LoanDefault, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.default(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return await _public(session, loan)
