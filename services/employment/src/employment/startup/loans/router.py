"""/v1/startup-loans — 创业担保贷款."""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.startup.loans import service
from employment.startup.loans.models import (
    ApplicantKind,
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


def _public(loan: StartupLoan) -> LoanPublic:
    rules = service.POLICY.at(loan.approved_date or loan.applied_date)
    return LoanPublic.model_validate(
        {**loan.model_dump(), "outstanding_amount": loan.outstanding_amount,
         "allowed_actions": service.allowed_actions(loan.status), "interest_subsidy": rules.interest_subsidy,
         "interest_subsidy_share": rules.interest_subsidy_share, "illustrative": rules.illustrative}
    )


@router.post("", status_code=201, summary="创业担保贷款申请 Apply for a start-up loan",
             description="个人（individual）或小微企业（small_business，须为已登记用人单位）申请创业担保贷款。"
                         "申请金额不超过申请日施行的最高额度、期限不超过最长期限（policy/startup_loans.toml），"
                         "否则 422。个人借款人申请日须在法定劳动年龄内，并属于政策规定的重点群体或为登记失业人员；"
                         "小微企业须为政策规定的企业规模，且申请前规定月数内（衢州2025年版：24个月）新招用符合条件人员"
                         "（招用当日属重点群体或登记失业）达到申请日在职职工人数的15%（超过100人的达到8%）；"
                         "每人（每家企业）累计获得贷款不超过政策规定次数（3次），均否则 422。"
                         "答复中的 interest_subsidy 为贴息规则，illustrative 为 true 表示该政策版本来源未确认。"
                         "每人（每家企业）同时只能有一笔未结清贷款（已申请、已审核、已放款），"
                         "否则 409。" + STATES)
async def apply(
    body: LoanApply, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.apply(session=session, outbox=outbox, principal=principal, data=body)
    return _public(loan)


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
    return Page[LoanPublic](data=[_public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get("/{loan_id}", summary="查询创业担保贷款 Get a start-up loan")
async def get_loan(loan_id: str, session: SessionDep, principal: Reader) -> LoanPublic:
    loan = await service.get_or_404(session=session, loan_id=loan_id)
    principal.check_county(loan.county_code)
    return _public(loan)


@router.post("/{loan_id}/approve", summary="审核通过 Approve",
             description="核定金额不超过申请金额和审核通过日施行的最高额度。" + STATES)
async def approve(
    loan_id: str, body: LoanApprove, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.approve(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return _public(loan)


@router.post("/{loan_id}/reject", summary="审核不通过 Reject (reason required)",
             description=STATES)
async def reject(
    loan_id: str, body: LoanReject, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.reject(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return _public(loan)


@router.post("/{loan_id}/disburse", summary="放款 Disburse", description=STATES)
async def disburse(
    loan_id: str, body: LoanDisburse, session: SessionDep, outbox: OutboxDep, principal: Writer,
) -> LoanPublic:
    loan = await service.disburse(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return _public(loan)


@router.post("/{loan_id}/repay", summary="还款 Record a repayment",
             description="部分还款记为 repayment_recorded；还清本金后状态为 repaid（已结清）。"
                         "还款金额不得超过未还本金。" + STATES)
async def repay(
    loan_id: str, body: LoanRepay, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.repay(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return _public(loan)


@router.post("/{loan_id}/default", summary="逾期代偿 Record a default (reason required)",
             description=STATES)
async def default(
    loan_id: str, body: LoanDefault, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> LoanPublic:
    loan = await service.default(session=session, outbox=outbox, principal=principal, loan_id=loan_id, data=body)
    return _public(loan)
