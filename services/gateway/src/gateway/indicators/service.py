"""规划指标 answers: each plan target beside its actual from the read model, the share reached, and why a figure
is missing (not measurable, no target in force, no county target)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.indicators.measures import MEASURES, Measure, Values
from gateway.indicators.models import (
    ByCounty,
    CountyActual,
    Indicator,
    IndicatorFact,
    Indicators,
    PlanInfo,
    Series,
    SeriesPoint,
)
from gateway.indicators.plans import PLANS, Plan, Target, plan_for
from hrss_shared import clock
from hrss_shared.problems import InvalidField
from hrss_shared.statistics import Year
from hrss_shared.validators import QUZHOU_CITY, QUZHOU_COUNTIES

NO_TARGET = "该年度无有效规划目标 (no target in force)"
NO_COUNTY_TARGET = "规划只定全市目标，未分解到县（市、区） (the plan sets city-wide targets only)"
NOTHING_TO_COUNT = "分母为0，无可计算的比率 (nothing to count in the year)"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _share(actual: Decimal | None, target: Target) -> Decimal | None:
    """actual ÷ target to four places, for targets to reach (>=, about); None otherwise."""
    if actual is None or target.target is None or target.target == 0 or target.comparison not in (">=", "about"):
        return None
    return (actual / target.target).quantize(Decimal("0.0001"), ROUND_HALF_UP)


async def _values(session: AsyncSession, measure: Measure, years: range, county: str | None,
                  grouped: bool) -> Values:
    """The measure for one year, or summed over ``years`` (a flow accumulated over a plan's years)."""
    total: Values = {}
    for y in years:
        for area, value in (await measure.compute(session, Year.of(y), county, grouped)).items():
            if len(years) == 1:
                total[area] = value
            else:
                total[area] = (total.get(area) or Decimal(0)) + (value or Decimal(0))
    return total


def _years(target: Target | None, plan: Plan | None, year: int) -> range:
    if target is not None and plan is not None and target.period == "plan_to_date":
        return range(plan.plan.period_start, year + 1)
    return range(year, year + 1)


async def _actual(session: AsyncSession, measure: Measure, years: range, county: str | None) -> Decimal | None:
    values = await _values(session, measure, years, county, grouped=county is not None)
    area = county or QUZHOU_CITY
    if area in values:
        return values[area]
    return None if measure.period == "rate" else Decimal(0)


def plan_info(plan: Plan) -> PlanInfo:
    p = plan.plan
    return PlanInfo(id=p.id, title=p.title, period_start=p.period_start, period_end=p.period_end, source=p.source)


async def _target_indicator(session: AsyncSession, plan: Plan, target: Target, year: int,
                            county: str | None) -> Indicator:
    measure = MEASURES.get(target.measure)
    city = county is None
    base = {"code": target.code, "name": target.name, "unit": target.unit, "group": target.group,
            "period": target.period, "target": _text(target.target) if city else None,
            "comparison": target.comparison if city else None, "target_scope": target.target_scope if city else None,
            "illustrative": target.illustrative}
    if measure is None:
        return Indicator(**base, actual=None, share=None, status="not_measured", reason=target.reason,
                         source=f"{plan.plan.source}，{target.source}")
    actual = await _actual(session, measure, _years(target, plan, year), county)
    reason = NOTHING_TO_COUNT if actual is None else None if city else NO_COUNTY_TARGET
    return Indicator(**base, actual=_text(actual), share=_text(_share(actual, target)) if city else None,
                     status="measured", reason=reason,
                     source=f"{plan.plan.source}，{target.source}。{measure.definition}")


async def _untargeted(session: AsyncSession, measure: Measure, year: int, county: str | None) -> Indicator:
    actual = await _actual(session, measure, range(year, year + 1), county)
    return Indicator(code=measure.code, name=measure.name, unit=measure.unit, group=measure.group,
                     period=measure.period, target=None, comparison=None, target_scope=None, actual=_text(actual),
                     share=None, status="no_target", reason=NO_TARGET, illustrative=False, source=measure.definition)


async def as_of(session: AsyncSession) -> str | None:
    newest: str | None = (await session.execute(select(func.max(col(IndicatorFact.event_time))))).scalar_one()
    return newest


async def indicators(*, session: AsyncSession, year: int, county: str | None) -> Indicators:
    """Every target of the plan in force in ``year`` beside its actual; every measure alone when none is."""
    plan = plan_for(PLANS, year)
    if plan is None:
        rows = [await _untargeted(session, m, year, county) for m in MEASURES.values()]
    else:
        rows = [await _target_indicator(session, plan, t, year, county) for t in plan.target]
    return Indicators(year=year, county_code=county, plan=plan_info(plan) if plan else None, indicators=rows,
                      as_of=await as_of(session))


def _resolve(code: str, plan: Plan | None) -> tuple[Target | None, Measure | None]:
    """A plan target (by code, in ``plan``) or a measure of the catalogue; 422 naming ``code`` otherwise."""
    target = plan.find(code) if plan is not None else None
    if target is not None:
        return target, MEASURES.get(target.measure)
    if code in MEASURES:
        return None, MEASURES[code]
    known = sorted({t.code for p in PLANS for t in p.target} | set(MEASURES))
    raise InvalidField("code", f"未知指标代码 {code} (unknown indicator code); 可选 allowed: {', '.join(known)}")


def _series_plan(code: str) -> Plan | None:
    """The plan a series is drawn for: the one in force this year if it has the code, else the latest that has."""
    current = plan_for(PLANS, clock.today().year)
    if current is not None and current.find(code) is not None:
        return current
    return next((p for p in reversed(PLANS) if p.find(code) is not None), None)


async def series(*, session: AsyncSession, code: str, county: str | None) -> Series:
    """The indicator across its plan's years (the last five years for a measure no plan targets)."""
    plan = _series_plan(code)
    target, measure = _resolve(code, plan)
    this_year = clock.today().year
    if plan is not None:
        years = range(plan.plan.period_start, plan.plan.period_end + 1)
    else:
        years = range(this_year - 4, this_year + 1)
    name = target.name if target else measure.name if measure else code
    unit = target.unit if target else measure.unit if measure else ""
    points = []
    for y in years:
        actual = None
        if measure is not None and y <= this_year:
            actual = await _actual(session, measure, _years(target, plan, y), county)
        goal = _text(target.target) if target is not None and county is None else None
        points.append(SeriesPoint(year=y, actual=_text(actual), target=goal))
    return Series(code=code, name=name, unit=unit, points=points)


async def by_county(*, session: AsyncSession, code: str, year: int, county: str | None) -> ByCounty:
    """The indicator in each county (or the client's own) for the year; the plan gives no county targets."""
    plan = plan_for(PLANS, year)
    target, measure = _resolve(code, plan)
    counties = [county] if county is not None else list(QUZHOU_COUNTIES)
    values: Values = {}
    if measure is not None:
        values = await _values(session, measure, _years(target, plan, year), county, grouped=True)
    empty = None if measure is None or measure.period == "rate" else Decimal(0)
    return ByCounty(
        code=code, name=target.name if target else measure.name if measure else code,
        unit=target.unit if target else measure.unit if measure else "", year=year,
        counties=[CountyActual(county_code=c, county_name=QUZHOU_COUNTIES[c], actual=_text(values.get(c, empty)),
                               target=None) for c in counties])
