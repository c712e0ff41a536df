"""创业担保贷款贴息 the interest subsidy of a disbursed loan, per settlement period.

- The policy version is the one the loan shows (in force on the approval date); the one-year LPR (policy/lpr.toml)
  is the one in force on the disbursement date, taken as the contract date (贷款合同签订日).
- Subsidised annual rate: ``share_of_lpr`` — interest_subsidy_share × LPR, at most the contract rate;
  ``above_borrower_rate`` — the borrower bears LPR − ``borrower_rate_below_lpr_bp`` and public funds the rest of the
  contract rate, the rate counted at most LPR + ``max_rate_above_lpr_bp`` (never below zero).
- Interest runs daily on the outstanding principal from the disbursement day; a repayment on a day reduces the
  principal from that day. The subsidised principal is the outstanding principal, at most the policy's cap.
- The last subsidised day is the earliest of the last day of the contract term, the day before the loan is fully
  repaid and the day before a default (逾期不贴息).
- Amount of a segment (days with one principal in one period) = subsidised principal × rate ÷ 100 × days ÷ the
  day-count basis, rounded half up to the fen; a period is the sum of its segments. Days after today are projected
  with no further repayment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from employment.startup.common import POLICY_DIR, last_day_of_term
from employment.startup.loans.models import (
    ApplicantKind,
    InterestSubsidyPublic,
    LoanPolicy,
    LoanStatus,
    LprPolicy,
    StartupLoan,
    SubsidyMethod,
    SubsidyPeriod,
    SubsidySegment,
)
from hrss_shared.policy import PolicyError, PolicyTable

LPR = PolicyTable.load(POLICY_DIR / "lpr.toml", LprPolicy)
FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def subsidised_rate(rules: LoanPolicy, rate: Decimal, lpr: Decimal) -> tuple[Decimal, Decimal]:
    """(the subsidised annual rate, the rate the borrower bears), in percent."""
    if rules.subsidy_method == SubsidyMethod.share_of_lpr:
        share = rules.interest_subsidy_share or Decimal(0)
        subsidy = min(rate, lpr * share)
    else:
        counted = rate
        if rules.max_rate_above_lpr_bp is not None:
            counted = min(rate, lpr + Decimal(rules.max_rate_above_lpr_bp) / 100)
        floor = lpr - Decimal(rules.borrower_rate_below_lpr_bp or 0) / 100
        subsidy = max(Decimal(0), counted - floor)
    return subsidy.normalize() if subsidy else Decimal(0), (rate - subsidy).normalize()


def period_of(day: date, kind: str) -> tuple[str, date, date]:
    """The settlement period holding ``day``: its label, first and last day."""
    if kind == "year":
        return str(day.year), date(day.year, 1, 1), date(day.year, 12, 31)
    quarter = (day.month - 1) // 3
    first = date(day.year, quarter * 3 + 1, 1)
    after = date(day.year + 1, 1, 1) if quarter == 3 else date(day.year, quarter * 3 + 4, 1)
    return f"{day.year}Q{quarter + 1}", first, after - timedelta(days=1)


def last_subsidised_day(loan: StartupLoan, repayments: list[tuple[date, Decimal]]) -> date:
    """The earliest of the term's last day, the day before full repayment and the day before a default."""
    assert loan.disbursed_date is not None and loan.approved_amount is not None
    last = last_day_of_term(loan.disbursed_date, loan.term_months)
    repaid = Decimal(0)
    for day, amount in repayments:
        repaid += amount
        if repaid >= loan.approved_amount:
            last = min(last, day - timedelta(days=1))
            break
    if loan.status == LoanStatus.defaulted and loan.defaulted_date is not None:
        last = min(last, loan.defaulted_date - timedelta(days=1))
    return last


def _not_computed(loan: StartupLoan, today: date, reason: str, rules: LoanPolicy | None) -> InterestSubsidyPublic:
    return InterestSubsidyPublic(
        loan_id=loan.id, computed=False, reason=reason, as_of=today, principal=loan.approved_amount,
        interest_rate=loan.interest_rate, lpr=None, lpr_source=None, lpr_illustrative=None, method=None,
        subsidised_rate=None, borrower_rate=None, subsidised_principal_cap=None, first_date=None, last_date=None,
        period_kind=None, day_count_basis=None, periods=[], total=ZERO, total_to_date=ZERO,
        policy_source=rules.source if rules else loan.policy_source,
        subsidy_source=rules.subsidy_source if rules else None,
        illustrative=rules.illustrative or rules.subsidy_illustrative if rules else True)


def _changes(repayments: Iterable[tuple[date, Decimal]]) -> dict[date, Decimal]:
    by_day: dict[date, Decimal] = {}
    for day, amount in repayments:
        by_day[day] = by_day.get(day, Decimal(0)) + amount
    return by_day


def schedule(*, loan: StartupLoan, rules: LoanPolicy, repayments: list[tuple[date, Decimal]],
             today: date) -> InterestSubsidyPublic:
    """The loan's subsidy schedule (repayments sorted by date)."""
    if loan.disbursed_date is None or loan.approved_amount is None:
        return _not_computed(loan, today, "未放款 (not disbursed)", rules)
    if rules.subsidy_method is None:
        return _not_computed(loan, today, f"政策未规定贴息计算方法，仅说明规则：{rules.interest_subsidy} "
                                          "(the policy states the rule only)", rules)
    if loan.interest_rate is None:
        return _not_computed(loan, today, "放款时未登记合同利率 (no contract rate recorded at disbursement)", rules)
    try:
        lpr_rules = LPR.at(loan.disbursed_date)
    except PolicyError:
        return _not_computed(loan, today, f"{loan.disbursed_date} 无 LPR 数据 (no LPR in policy/lpr.toml)", rules)
    rate, lpr = loan.interest_rate, lpr_rules.one_year
    subsidy_rate, borrower_rate = subsidised_rate(rules, rate, lpr)
    cap = rules.subsidised_cap(ApplicantKind(loan.applicant_kind))
    first, last = loan.disbursed_date, last_subsidised_day(loan, repayments)
    changes = _changes(repayments)
    periods: list[SubsidyPeriod] = []
    outstanding = loan.approved_amount - sum((a for d, a in repayments if d < first), Decimal(0))
    day, tomorrow = first, today + timedelta(days=1)
    while day <= last:
        label, _, period_end = period_of(day, rules.subsidy_period)
        end = min(period_end, last)
        segments: list[SubsidySegment] = []
        cursor = day
        while cursor <= end:
            outstanding -= changes.get(cursor, Decimal(0))
            breaks = [d for d in (*changes, tomorrow) if cursor < d <= end]  # a new principal, or projected
            seg_end = min([end, *[d - timedelta(days=1) for d in breaks]])
            days = (seg_end - cursor).days + 1
            principal = max(outstanding, Decimal(0))
            base = min(principal, cap)
            amount = (base * subsidy_rate / 100 * days / rules.day_count_basis).quantize(FEN, ROUND_HALF_UP)
            segments.append(SubsidySegment(start_date=cursor, end_date=seg_end, days=days,
                                           outstanding_principal=principal, subsidised_principal=base,
                                           amount=amount, projected=cursor > today))
            cursor = seg_end + timedelta(days=1)
        periods.append(SubsidyPeriod(period=label, start_date=day, end_date=end, days=(end - day).days + 1,
                                     amount=sum((s.amount for s in segments), ZERO), projected=end > today,
                                     segments=segments))
        day = end + timedelta(days=1)
    total = sum((p.amount for p in periods), ZERO)
    to_date = sum((s.amount for p in periods for s in p.segments if not s.projected), ZERO)
    return InterestSubsidyPublic(
        loan_id=loan.id, computed=True, as_of=today, principal=loan.approved_amount, interest_rate=rate, lpr=lpr,
        lpr_source=lpr_rules.source, lpr_illustrative=lpr_rules.illustrative, method=rules.subsidy_method,
        subsidised_rate=subsidy_rate, borrower_rate=borrower_rate, subsidised_principal_cap=cap, first_date=first,
        last_date=last if last >= first else None, period_kind=rules.subsidy_period,
        day_count_basis=rules.day_count_basis, periods=periods, total=total, total_to_date=to_date,
        policy_source=rules.source, subsidy_source=rules.subsidy_source,
        illustrative=rules.illustrative or rules.subsidy_illustrative or lpr_rules.illustrative)
