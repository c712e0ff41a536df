"""Rules of 提档补缴 (resident-pension top-up). "Today" is the bureau's (``hrss_shared.clock``).

A person enrolled in 城乡居民基本养老保险 and at least the policy's minimum age (59: the year before 60) may top
up each past year (before this one) whose payment is below a chosen grade of the current policy to that grade.
The quote lists, year by year, what was paid, the cost (grade − paid) and what is credited to the personal account
(the cost, plus the subsidy difference only where the policy subsidises top-ups). The personal account before is
rebuilt from the recorded contributions: each year's payments plus the subsidy of the grade paid (that year's
policy) are credited at the end of the year and earn each later year's credited rate (记账利率) up to the end of last
year, the balance rounded to the fen every year; payments of this year are added without interest. A top-up is
credited on the quote day (no back interest). Monthly pension = basic pension + personal account ÷ 139
(国发〔2014〕8号), each rounded half up to the fen. Applying a quote records each year's cost as a contribution
(kind ``topup``, in that year's first paid month) and the application itself.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    CONTRIBUTION_POSTED,
    PENSION_TOPUP_APPLIED,
    PensionTopupApplied,
    TopupYearLine,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import lock_key
from hrss_shared.outbox import Outbox
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from hrss_shared.reference.retirement import add_months, age_on
from hrss_shared.validators import birth_date_of
from social_insurance.common import POLICY_DIR, InsuranceType, round_fen
from social_insurance.contributions.models import Contribution, ContributionKind, ContributionStatus
from social_insurance.contributions.service import event_of
from social_insurance.enrolments.models import Enrolment, EnrolmentStatus
from social_insurance.enrolments.service import person_lock
from social_insurance.pension.models import PensionTopup, ResidentPensionPolicy, TopupQuote, TopupRequest, TopupYear

POLICY: PolicyTable[ResidentPensionPolicy] = PolicyTable.load(POLICY_DIR / "resident_pension.toml",
                                                              ResidentPensionPolicy)
ZERO = Decimal("0.00")


def account_balance(credits: dict[int, Decimal], rates: dict[int, Decimal], year: int) -> Decimal:
    """The personal account on a day of ``year``: each earlier year's credits earn every later year's rate up to the
    end of ``year − 1`` (rounded to the fen each year); this year's credits are added without interest."""
    if not credits:
        return ZERO
    balance = ZERO
    for y in range(min(credits), year):
        if y not in rates and balance:
            raise KeyError(y)
        balance = round_fen(balance * (1 + rates.get(y, ZERO))) + credits.get(y, ZERO)
    return balance + credits.get(year, ZERO)


def _year_rules(year: int, current: ResidentPensionPolicy) -> ResidentPensionPolicy:
    """The version in force on the year's 1 January (the earliest version for years before the first)."""
    try:
        return POLICY.at(date(year, 1, 1))
    except PolicyError:
        return POLICY.versions[0] if POLICY.versions else current


def monthly_pension(basic: Decimal, account: Decimal, divisor: int) -> Decimal:
    """基础养老金 + 个人账户储存额 ÷ 计发月数, rounded half up to the fen."""
    return round_fen(basic + account / divisor)


class Paid:
    """A person's resident-pension payments: regular and top-up by the year paid for, top-ups by the year paid
    in (when they were credited), and each year's first paid month."""

    def __init__(self) -> None:
        self.regular: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.topups: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.topups_credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.first_month: dict[int, str] = {}

    def total(self, year: int) -> Decimal:
        return self.regular.get(year, ZERO) + self.topups.get(year, ZERO)


async def _paid(session: AsyncSession, id_number: str) -> Paid:
    paid = Paid()
    rows = (await session.exec(select(Contribution).where(
        Contribution.id_number == id_number, Contribution.insurance_type == InsuranceType.resident_pension,
        Contribution.status == ContributionStatus.posted).order_by(col(Contribution.month)))).all()
    for c in rows:
        year = int(c.month[:4])
        if c.kind == ContributionKind.topup:
            paid.topups[year] += c.personal_amount
            paid.topups_credited[c.paid_date.year] += c.personal_amount
        else:
            paid.regular[year] += c.personal_amount
        paid.first_month.setdefault(year, c.month)
    return paid


async def quote(*, session: AsyncSession, principal: Principal, data: TopupRequest) -> tuple[TopupQuote, Enrolment,
                                                                                               dict[int, str]]:
    """提档补缴测算: the cost year by year and the account and monthly pension before and after."""
    today = clock.today()
    try:
        rules = POLICY.at(today)
    except PolicyError as exc:
        raise InvalidField("target_grade", f"今天无适用的城乡居民养老保险政策 ({exc})") from exc
    enrolment = (await session.exec(select(Enrolment).where(
        Enrolment.id_number == data.id_number, Enrolment.insurance_type == InsuranceType.resident_pension,
        Enrolment.status != EnrolmentStatus.cancelled).order_by(col(Enrolment.start_date).desc()))).first()
    if enrolment is None:
        raise Conflict("该人员没有城乡居民基本养老保险参保登记，不能提档补缴 (no resident-pension enrolment)",
                       field_name="id_number")
    principal.check_county(enrolment.county_code)
    birth = birth_date_of(data.id_number)
    age = age_on(birth, today)
    if age < rules.topup_min_age:
        raise Conflict(f"提档补缴限年满 {rules.topup_min_age} 周岁（临近 {rules.topup_age} 周岁领取待遇）的人员办理，"
                       f"该人员今天 {age} 周岁，{add_months(birth, 12 * rules.topup_min_age)} 起可办理 "
                       f"(top-up is for persons from age {rules.topup_min_age})", field_name="id_number",
                       eligible_from=str(add_months(birth, 12 * rules.topup_min_age)))
    grades = {g.amount: g for g in rules.grades}
    if data.target_grade not in grades:
        raise InvalidField("target_grade", f"缴费档次应为 {'、'.join(str(a) for a in sorted(grades))} 之一 "
                                           "(target_grade must be one of the current grades)")
    paid = await _paid(session, data.id_number)
    past = sorted(y for y in set(paid.regular) | set(paid.topups) if y < today.year)
    below = [y for y in past if paid.total(y) < data.target_grade]
    years = below
    if data.years is not None:
        wrong = [y for y in data.years if y not in below]
        if wrong:
            raise InvalidField("years", f"{'、'.join(map(str, wrong))} 年无缴费记录、非以往年度或已达目标档次 "
                                        "(years without a payment below the target grade)")
        years = sorted(data.years)
    if not years:
        raise Conflict(f"以往年度缴费均已达到 {data.target_grade} 元档次，无需提档补缴 (nothing to top up)",
                       field_name="target_grade")
    # Each year's regular payments with the subsidy of the grade paid; top-ups in the year they were paid.
    credits: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for y, amount in paid.regular.items():
        credits[y] += amount + _year_rules(y, rules).subsidy_for(amount)
    for y, amount in paid.topups_credited.items():
        credits[y] += amount
    credits = dict(credits)
    try:
        before = account_balance(credits, rules.rates, today.year)
    except KeyError as exc:
        raise Conflict(f"政策未给出 {exc.args[0]} 年的记账利率，无法测算 (no credited rate for {exc.args[0]})",
                       field_name="id_number") from None
    lines: list[TopupYear] = []
    for y in years:
        cost = data.target_grade - paid.total(y)
        subsidy = ZERO
        if rules.topup_subsidised:
            year_rules = _year_rules(y, rules)
            subsidy = max(ZERO, year_rules.subsidy_for(data.target_grade) - year_rules.subsidy_for(paid.total(y)))
        lines.append(TopupYear(year=y, paid=paid.total(y), target=data.target_grade, cost=cost, subsidy=subsidy,
                               credited=cost + subsidy))
    after = before + sum((line.credited for line in lines), ZERO)
    answer = TopupQuote(
        id_number=data.id_number, quote_date=today, age=age,
        reaches_pension_age_on=add_months(birth, 12 * rules.topup_age), target_grade=data.target_grade,
        years=lines, total_cost=sum((line.cost for line in lines), ZERO), account_before=before, account_after=after,
        basic_pension=rules.basic_pension, divisor=rules.divisor,
        monthly_before=monthly_pension(rules.basic_pension, before, rules.divisor),
        monthly_after=monthly_pension(rules.basic_pension, after, rules.divisor), policy_source=rules.source,
        illustrative=rules.illustrative)
    return answer, enrolment, paid.first_month


async def apply(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: TopupRequest) -> PensionTopup:
    """办理提档补缴: the quote's years recorded as top-up contributions, and the application."""
    await lock_key(session, person_lock(data.id_number))
    answer, enrolment, first_month = await quote(session=session, principal=principal, data=data)
    today = answer.quote_date
    contributions: list[Contribution] = []
    for line in answer.years:
        c = Contribution(
            id_number=data.id_number, county_code=enrolment.county_code, insurance_type=InsuranceType.resident_pension,
            credit_code=None, enrolment_id=enrolment.id, month=first_month[line.year], kind=ContributionKind.topup,
            employer_amount=ZERO, personal_amount=line.cost, paid_date=today, policy_source=answer.policy_source,
            illustrative=answer.illustrative)
        session.add(c)
        contributions.append(c)
    await session.flush()
    for c in contributions:
        await outbox.add(session, CONTRIBUTION_POSTED, event_of(c))
    topup = PensionTopup(id_number=data.id_number, county_code=enrolment.county_code, quote_date=today,
                         target_grade=data.target_grade, total_cost=answer.total_cost,
                         quote=answer.model_dump(mode="json", exclude={"id_number"}),
                         contribution_ids=[c.id for c in contributions])
    session.add(topup)
    await session.flush()
    await outbox.add(session, PENSION_TOPUP_APPLIED, PensionTopupApplied(
        id=topup.id, id_number=data.id_number, county_code=enrolment.county_code, applied_date=today,
        target_grade=data.target_grade, total_cost=answer.total_cost,
        years=[TopupYearLine(year=line.year, paid=line.paid, cost=line.cost, credited=line.credited)
               for line in answer.years],
        account_before=answer.account_before, account_after=answer.account_after,
        monthly_before=answer.monthly_before, monthly_after=answer.monthly_after,
        contribution_ids=topup.contribution_ids, policy_source=answer.policy_source,
        illustrative=answer.illustrative))
    return topup
