"""社保统计: yearly figures by county as SQL aggregates (GROUP BY county). Year Y = 1 January to 31 December.

- 年末参保人数 insured at year end, per insurance type: distinct persons with an enrolment of the type, neither
  pending (待生效: no contribution yet) nor cancelled (撤销), that started on or before 31 December of Y and had
  not ended before it (an enrolment ending on 31 December still counts); suspended ones count (参保中断缴费). In
  the enrolment's county. ``pension`` counts a person once across employee and resident pension (the plan's
  基本养老保险参保人数, target 2.04 million); unemployment (0.39 million) and work injury (0.62 million) likewise.
- 发卡 cards: ``cards_issued`` counts cards issued in Y (replacements included); ``cards_valid`` the persons holding a
  card at the end of 31 December (issued on or before it, not cancelled on or before it) — the plan's 社会保障卡
  发卡数量 (2.68 million). In the card's county.
- 失业保险金 benefits paid: distinct persons with a payment dated in Y and the sum paid (payments after a stop
  included, and counted apart in ``benefit_payments_after_stop``). In the benefit's county.
- 欠缴单位 arrears employers: distinct employers with an arrears record raised in Y; ``arrears_employers_open``
  those of them with a record still open today. In the employer's county (of its enrolments).
- 参保空档 coverage gaps: 参保"一件事" enrolments found pending past the grace days in Y, and their distinct persons.
  In the enrolment's county.

The city total (330800) counts each person or employer once, so it may be less than the sum of the counties.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.policy import PolicyTable
from hrss_shared.statistics import amount, area_name, areas
from hrss_shared.validators import QUZHOU_CITY
from social_insurance.arrears.models import Arrears, ArrearsStatus
from social_insurance.benefits.models import BenefitPayment
from social_insurance.cards.models import Card
from social_insurance.common import POLICY_DIR, InsuranceType
from social_insurance.enrolments.models import Enrolment, EnrolmentStatus
from social_insurance.statistics.models import AreaStatistics, Insured, PlanTargets, Statistics, Targets

TARGETS: PolicyTable[PlanTargets] = PolicyTable.load(POLICY_DIR / "plan_targets.toml", PlanTargets)
Values = dict[str, dict[str, Any]]  # county (or the city) → figure → value


async def _collect(session: AsyncSession, values: Values, county_col: Any, county: str | None,
                   figures: dict[str, Any], where: list[Any]) -> None:
    """Run one aggregate query per county (GROUP BY) and once for the city; store each figure by area."""
    grouped = select(county_col, *figures.values()).where(*where).group_by(county_col)
    total = select(*figures.values()).where(*where)
    if county is not None:
        grouped = grouped.where(county_col == county)
    for row in (await session.execute(grouped)).all():
        for name, value in zip(figures, row[1:], strict=True):
            values.setdefault(str(row[0]), {})[name] = value
    if county is None:
        row = (await session.execute(total)).one()
        for name, value in zip(figures, row, strict=True):
            values.setdefault(QUZHOU_CITY, {})[name] = value


def _distinct(column: Any, condition: Any) -> Any:
    """COUNT(DISTINCT column) over the rows meeting ``condition``."""
    return func.count(func.distinct(case((condition, column), else_=None)))


async def yearly(*, session: AsyncSession, year: int, county: str | None) -> Statistics:
    """The year's figures for every county and the city (or the one county asked)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    values: Values = {}
    kind = col(Enrolment.insurance_type)
    person = col(Enrolment.id_number)
    insured = {t.value: _distinct(person, kind == t) for t in InsuranceType}
    insured["pension"] = _distinct(person, kind.in_([InsuranceType.employee_pension, InsuranceType.resident_pension]))
    await _collect(session, values, col(Enrolment.county_code), county, insured, [
        col(Enrolment.status).not_in([EnrolmentStatus.pending, EnrolmentStatus.cancelled]),
        col(Enrolment.start_date) <= last, or_(col(Enrolment.end_date).is_(None), col(Enrolment.end_date) >= last)])
    await _collect(session, values, col(Enrolment.county_code), county, {
        "coverage_gaps": func.count(col(Enrolment.id)), "coverage_gap_persons": func.count(func.distinct(person)),
    }, [col(Enrolment.gap_detected_date) >= first, col(Enrolment.gap_detected_date) <= last])
    await _collect(session, values, col(Card.county_code), county, {
        "cards_issued": func.count(col(Card.id))}, [col(Card.issued_date) >= first, col(Card.issued_date) <= last])
    await _collect(session, values, col(Card.county_code), county, {
        "cards_valid": func.count(func.distinct(col(Card.id_number)))}, [
        col(Card.issued_date) <= last, or_(col(Card.cancelled_date).is_(None), col(Card.cancelled_date) > last)])
    await _collect(session, values, col(BenefitPayment.county_code), county, {
        "benefit_persons": func.count(func.distinct(col(BenefitPayment.id_number))),
        "benefit_amount": func.coalesce(func.sum(col(BenefitPayment.amount)), 0),
        "benefit_payments_after_stop": _distinct(col(BenefitPayment.id), col(BenefitPayment.after_stop)),
    }, [col(BenefitPayment.paid_date) >= first, col(BenefitPayment.paid_date) <= last])
    await _collect(session, values, col(Arrears.county_code), county, {
        "arrears_employers": func.count(func.distinct(col(Arrears.credit_code))),
        "arrears_employers_open": _distinct(col(Arrears.credit_code), col(Arrears.status) == ArrearsStatus.open),
    }, [col(Arrears.raised_date) >= first, col(Arrears.raised_date) <= last])
    counties = [_area(code, values.get(code, {})) for code in areas(county, grouped=True)]
    city = None if county is not None else _area(QUZHOU_CITY, values.get(QUZHOU_CITY, {}))
    plan = TARGETS.at(date(year, 12, 31) if year >= 2021 else date(2021, 1, 1))
    return Statistics(year=year, counties=counties, city=city, targets=Targets(
        target_year=plan.target_year, pension_insured=plan.pension_insured,
        unemployment_insured=plan.unemployment_insured, work_injury_insured=plan.work_injury_insured,
        cards=plan.cards, source=plan.source))


def _area(code: str, figures: dict[str, Any]) -> AreaStatistics:
    def number(key: str) -> int:
        return int(figures.get(key) or 0)

    return AreaStatistics(
        county_code=code, county_name=area_name(code),
        insured=Insured(**{key: number(key) for key in Insured.model_fields}),
        cards_issued=number("cards_issued"), cards_valid=number("cards_valid"),
        benefit_persons=number("benefit_persons"),
        benefit_amount=amount(figures.get("benefit_amount")),
        benefit_payments_after_stop=number("benefit_payments_after_stop"),
        arrears_employers=number("arrears_employers"), arrears_employers_open=number("arrears_employers_open"),
        coverage_gaps=number("coverage_gaps"), coverage_gap_persons=number("coverage_gap_persons"))
