"""Events of 创业担保贷款 on ``hrss.employment`` (subject = the borrower's ID number)."""

from datetime import date

from pydantic import BaseModel

from hrss_shared.money import Money

STARTUP_LOAN_APPLIED = "hrss.employment.startup_loan.applied.v1"
STARTUP_LOAN_APPROVED = "hrss.employment.startup_loan.approved.v1"
STARTUP_LOAN_REJECTED = "hrss.employment.startup_loan.rejected.v1"
STARTUP_LOAN_DISBURSED = "hrss.employment.startup_loan.disbursed.v1"
STARTUP_LOAN_REPAYMENT_RECORDED = "hrss.employment.startup_loan.repayment_recorded.v1"
STARTUP_LOAN_REPAID = "hrss.employment.startup_loan.repaid.v1"
STARTUP_LOAN_DEFAULTED = "hrss.employment.startup_loan.defaulted.v1"


class StartupLoanApplied(BaseModel):
    """创业担保贷款申请."""

    id: str
    id_number: str
    applicant_kind: str
    credit_code: str | None = None
    county_code: str
    amount: Money
    term_months: int
    bank: str
    purpose: str
    applied_date: date


class StartupLoanApproved(BaseModel):
    """审核通过: the approved amount, within the cap in force on the approval date."""

    id: str
    id_number: str
    credit_code: str | None = None
    county_code: str
    approved_amount: Money
    approved_date: date
    cap: Money
    policy_source: str


class StartupLoanRejected(BaseModel):
    """审核不通过."""

    id: str
    id_number: str
    county_code: str
    rejected_date: date
    reason: str


class StartupLoanDisbursed(BaseModel):
    """经办银行放款."""

    id: str
    id_number: str
    credit_code: str | None = None
    county_code: str
    amount: Money
    disbursed_date: date
    bank: str
    term_months: int


class StartupLoanRepayment(BaseModel):
    """还款: ``repayment_recorded`` for part of the principal, ``repaid`` when the loan is settled."""

    id: str
    id_number: str
    county_code: str
    amount: Money
    repaid_date: date
    repaid_amount: Money
    outstanding_amount: Money


class StartupLoanDefaulted(BaseModel):
    """逾期代偿."""

    id: str
    id_number: str
    county_code: str
    defaulted_date: date
    reason: str
    outstanding_amount: Money

# Both repayment events carry the same data (the catalogue pairs each type with its model by name).
StartupLoanRepaymentRecorded = StartupLoanRepayment
StartupLoanRepaid = StartupLoanRepayment
