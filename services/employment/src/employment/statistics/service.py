"""就业统计: yearly employment figures by county, as SQL aggregates (GROUP BY county) over the registrations.

Definitions (year Y = 1 January to 31 December):

- 城镇新增就业 new urban employment, in person-times (人次, the unit of the plan's target of 200,000 in five years):
  ``new_urban_employment_gross`` counts the moves from no employment into employment in Y: an employment registration
  starting in Y whose person held no employment registration on its start date's eve (none of their other
  registrations started before that date and was still open, or ended, on the eve or later). Moving straight from
  one job to the next is not new employment; starting work after a gap, or for the first time, is, as often as it
  happens in the year. Registrations of one person starting on the same day are one move, counted in the county of
  the employer of the first of them (by id), so the counties add up to the city total. Every employer registered
  here is urban (the registrations are 城镇就业登记).
  ``natural_attrition`` (自然减员) is subtracted: employment registrations ended in Y at the statutory retirement age
  (the day after the end the person had reached it, by the shared retirement rule; a woman on the 55 table) with no
  other registration of the person open that day, in the registration's county. Deaths and other natural attrition
  are not recorded by this service and are not subtracted. ``new_urban_employment`` = gross − natural attrition.
- 登记失业 registered unemployment: ``registered_unemployed`` is the number of distinct persons whose
  unemployment registration was open at the end of 31 December of Y (registered on or before it, not closed
  on or before it; for the current year: open now), in the registration's county; ``new_registrations``
  counts the unemployment registrations dated in Y. ``employed`` is the number of distinct persons with an
  employment registration open at the end of 31 December (started on or before it, not ended on or before it), in
  the employer's county (a person employed in two counties counts in each, once in the city).
  城镇登记失业率 = registered_unemployed ÷ (employed + registered_unemployed) × 100, in per cent to two places: the
  statistical definition's denominator (城镇从业人员 + 城镇登记失业人员) with the employed taken from this service's
  employment registrations (so employment not registered here, e.g. 个体户主 without a registration, is missing).
- 失业人员再就业 re-employment of the unemployed: employment registrations starting in Y while the person's
  unemployment registration was open on the start date (registered on or before it, not closed before it; registering
  employment closes it on that date), in person-times, in the unemployment registration's county.
- 就业困难人员就业 employment of 就业困难人员: employment registrations starting in Y while the person held a
  就业困难人员 certification in force on the start date (a certification ends with its unemployment registration,
  which re-employment closes on the start date), in person-times, in the certification's county.
- 重点群体就业 key-group employment, per key group: ``members`` are the distinct persons whose membership
  overlaps Y; ``employed`` those of them with an employment registration overlapping their membership
  within Y. Counted in the membership's county; the city total counts each person once per group.
- 公益性岗位安置 public-welfare placements: placements whose start date falls in Y, in the placement's county.
- 创业担保贷款 start-up loans granted: loans disbursed (放款) in Y — whatever happened to them later (repaid,
  defaulted) — counted with the sum of their approved amounts (the amount disbursed), in the loan's county.
- 创业补贴 start-up subsidies granted: one-time rural start-up subsidies granted in Y (a subsidy is granted on
  its application date), counted with the sum of their amounts, in the subsidy's county.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, and_, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.key_groups.models import KEY_GROUP_NAMES, KeyGroup, KeyGroupMembership
from employment.public_welfare.models import PublicWelfarePlacement
from employment.registrations.models import EmploymentRegistration, UnemploymentRegistration
from employment.startup.loans.models import StartupLoan
from employment.startup.subsidies.models import StartupSubsidy, SubsidyStatus
from employment.statistics.models import (
    AreaStatistics,
    Granted,
    KeyGroupFigures,
    Statistics,
    UnemploymentFigures,
)
from employment.working_age import retirement_day
from hrss_shared.statistics import Year, amount, area_name, areas, by_area
from hrss_shared.validators import QUZHOU_CITY


class day_before(FunctionElement[date]):  # noqa: N801 - SQL function naming
    """``date - 1 day`` in SQL, for SQLite (ISO date strings) and PostgreSQL (``date - integer``)."""

    type = Date()
    inherit_cache = True


@compiles(day_before)
def _day_before_default(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(list(element.clauses)[0], **kw)} - 1)"


@compiles(day_before, "sqlite")
def _day_before_sqlite(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(list(element.clauses)[0], **kw)}, '-1 day')"


Figures = dict[str, tuple[Any, ...]]



async def new_urban_employment(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, int]:
    """城镇累计新就业人次, before natural attrition (see the module docstring)."""
    reg, prior = aliased(EmploymentRegistration), aliased(EmploymentRegistration)
    held_on_eve = exists().where(
        col(prior.id_number) == col(reg.id_number), col(prior.id) != col(reg.id),
        col(prior.start_date) < col(reg.start_date),
        or_(col(prior.end_date).is_(None), col(prior.end_date) >= day_before(col(reg.start_date))),
    )
    first = func.row_number().over(partition_by=(col(reg.id_number), col(reg.start_date)), order_by=col(reg.id))
    starts = (
        select(col(reg.id_number), col(reg.county_code), first.label("nth"))
        .where(col(reg.start_date).between(year.first, year.last), ~held_on_eve)
        .subquery()
    )
    stmt = select(func.count()).select_from(starts).where(starts.c.nth == 1)
    figures = await by_area(session, stmt, starts.c.county_code, county=county, grouped=grouped)
    return {area: int(values[0]) for area, values in figures.items()}


async def natural_attrition(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, int]:
    """自然减员: registrations ended in the year at the statutory retirement age, with no other job the day after."""
    e = EmploymentRegistration
    stmt = select(col(e.id), col(e.id_number), col(e.county_code), col(e.end_date)).where(
        col(e.end_date).between(year.first, year.last))
    if county is not None:
        stmt = stmt.where(col(e.county_code) == county)
    counts: dict[str, int] = {}
    for rid, id_number, area, end in (await session.execute(stmt)).all():
        after = end + timedelta(days=1)
        if after < retirement_day(id_number) or await _employed_on(session=session, id_number=id_number, on=after,
                                                                    other_than=rid):
            continue
        key = area if grouped else QUZHOU_CITY
        counts[key] = counts.get(key, 0) + 1
    return counts


async def _employed_on(*, session: AsyncSession, id_number: str, on: date, other_than: str) -> bool:
    e = EmploymentRegistration
    found = (await session.execute(select(col(e.id)).where(
        col(e.id_number) == id_number, col(e.id) != other_than, col(e.start_date) <= on,
        or_(col(e.end_date).is_(None), col(e.end_date) >= on)).limit(1))).first()
    return found is not None


async def employed_at_year_end(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, int]:
    """Distinct persons with an employment registration open at the end of 31 December."""
    e = EmploymentRegistration
    stmt = select(func.count(func.distinct(e.id_number))).where(
        col(e.start_date) <= year.last, or_(col(e.end_date).is_(None), col(e.end_date) > year.last))
    figures = await by_area(session, stmt, col(e.county_code), county=county, grouped=grouped)
    return {area: int(v[0]) for area, v in figures.items()}


def unemployment_rate(unemployed: int, employed: int) -> Decimal | None:
    """城镇登记失业率 in per cent to two places (half up), or None when there is no one to count."""
    if unemployed + employed == 0:
        return None
    return (Decimal(100 * unemployed) / Decimal(unemployed + employed)).quantize(Decimal("0.01"), ROUND_HALF_UP)


async def registered_unemployment(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, UnemploymentFigures]:
    """Open registrations at year end (persons), new registrations in the year, the employed and the rate."""
    u = UnemploymentRegistration
    open_at_end = and_(col(u.registered_date) <= year.last, or_(col(u.end_date).is_(None), col(u.end_date) > year.last))
    new_in_year = col(u.registered_date).between(year.first, year.last)
    stmt = select(
        func.count(func.distinct(case((open_at_end, u.id_number)))),
        func.count(case((new_in_year, u.id))),
    ).where(col(u.registered_date) <= year.last)
    figures = await by_area(session, stmt, col(u.county_code), county=county, grouped=grouped)
    employed = await employed_at_year_end(session=session, year=year, county=county, grouped=grouped)
    found: dict[str, UnemploymentFigures] = {}
    for area in set(figures) | set(employed):
        unemployed, new = (int(x) for x in figures.get(area, (0, 0)))
        working = employed.get(area, 0)
        found[area] = UnemploymentFigures(
            registered_unemployed=unemployed, new_registrations=new, employed=working,
            registered_unemployment_rate=unemployment_rate(unemployed, working))
    return found


async def reemployed_unemployed(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, int]:
    """失业人员再就业人次: starts in the year while an unemployment registration was open."""
    e, u = EmploymentRegistration, UnemploymentRegistration
    stmt = select(func.count(func.distinct(e.id))).select_from(e).join(u, and_(
        col(u.id_number) == col(e.id_number), col(u.registered_date) <= col(e.start_date),
        or_(col(u.end_date).is_(None), col(u.end_date) >= col(e.start_date)),
    )).where(col(e.start_date).between(year.first, year.last))
    figures = await by_area(session, stmt, col(u.county_code), county=county, grouped=grouped)
    return {area: int(v[0]) for area, v in figures.items()}


async def hard_to_employ_employed(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, int]:
    """就业困难人员就业人次: starts in the year while certified 就业困难人员."""
    e, m = EmploymentRegistration, KeyGroupMembership
    basis = aliased(UnemploymentRegistration)
    stmt = (
        select(func.count(func.distinct(e.id))).select_from(e)
        .join(m, and_(col(m.id_number) == col(e.id_number), col(m.group) == KeyGroup.hard_to_employ,
                      col(m.start_date) <= col(e.start_date),
                      or_(col(m.end_date).is_(None), col(m.end_date) >= col(e.start_date))))
        .join(basis, col(basis.id) == col(m.unemployment_registration_id), isouter=True)
        .where(col(e.start_date).between(year.first, year.last),
               or_(col(basis.end_date).is_(None), col(basis.end_date) >= col(e.start_date)))
    )
    figures = await by_area(session, stmt, col(m.county_code), county=county, grouped=grouped)
    return {area: int(v[0]) for area, v in figures.items()}


async def key_group_employment(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, list[KeyGroupFigures]]:
    """Members of each key group in the year, and how many of them were employed while members."""
    m, e = KeyGroupMembership, aliased(EmploymentRegistration)
    employed_while_member = exists().where(
        col(e.id_number) == col(m.id_number),
        col(e.start_date) <= year.last, or_(col(m.end_date).is_(None), col(e.start_date) <= col(m.end_date)),
        or_(col(e.end_date).is_(None), and_(col(e.end_date) >= year.first, col(e.end_date) >= m.start_date)),
    )
    stmt = (
        select(func.count(func.distinct(m.id_number)),
               func.count(func.distinct(case((employed_while_member, m.id_number)))), col(m.group))
        .where(col(m.start_date) <= year.last, or_(col(m.end_date).is_(None), col(m.end_date) >= year.first))
        .group_by(col(m.group))
    )
    if county is not None:
        stmt = stmt.where(col(m.county_code) == county)
    if grouped:
        stmt = stmt.add_columns(col(m.county_code)).group_by(col(m.county_code))
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for row in (await session.execute(stmt)).all():
        area = row[3] if grouped else QUZHOU_CITY
        counts.setdefault(area, {})[row[2]] = (int(row[0]), int(row[1]))
    return {area: _groups(by_group) for area, by_group in counts.items()}


def _groups(by_group: dict[str, tuple[int, int]]) -> list[KeyGroupFigures]:
    return [
        KeyGroupFigures(group=g, group_name=KEY_GROUP_NAMES[g], members=by_group.get(g, (0, 0))[0],
                        employed=by_group.get(g, (0, 0))[1])
        for g in KeyGroup
    ]


async def public_welfare_placements(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, int]:
    """公益性岗位安置 placements that started in the year."""
    p = PublicWelfarePlacement
    stmt = select(func.count()).where(col(p.start_date).between(year.first, year.last))
    figures = await by_area(session, stmt, col(p.county_code), county=county, grouped=grouped)
    return {area: int(values[0]) for area, values in figures.items()}


async def startup_loans(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, Granted]:
    """创业担保贷款 disbursed in the year: count and amount."""
    loan = StartupLoan
    stmt = select(func.count(), func.sum(loan.approved_amount)).where(
        col(loan.disbursed_date).between(year.first, year.last))
    figures = await by_area(session, stmt, col(loan.county_code), county=county, grouped=grouped)
    return {area: _granted(v) for area, v in figures.items()}


async def startup_subsidies(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, Granted]:
    """创业补贴 granted in the year: count and amount."""
    subsidy = StartupSubsidy
    stmt = select(func.count(), func.sum(subsidy.amount)).where(
        col(subsidy.applied_date).between(year.first, year.last), col(subsidy.status) == SubsidyStatus.granted)
    figures = await by_area(session, stmt, col(subsidy.county_code), county=county, grouped=grouped)
    return {area: _granted(v) for area, v in figures.items()}


NONE_GRANTED = Granted(count=0, amount=Decimal("0.00"))


def _granted(values: tuple[Any, ...]) -> Granted:
    return Granted(count=int(values[0]), amount=amount(values[1]))


async def _areas(*, session: AsyncSession, year: Year, county: str | None, grouped: bool) -> list[AreaStatistics]:
    kw: dict[str, Any] = {"session": session, "year": year, "county": county, "grouped": grouped}
    new_jobs = await new_urban_employment(**kw)
    attrition = await natural_attrition(**kw)
    reemployed = await reemployed_unemployed(**kw)
    hard_to_employ = await hard_to_employ_employed(**kw)
    unemployment = await registered_unemployment(**kw)
    groups = await key_group_employment(**kw)
    placements = await public_welfare_placements(**kw)
    loans = await startup_loans(**kw)
    subsidies = await startup_subsidies(**kw)
    return [
        AreaStatistics(
            county_code=area,
            county_name=area_name(area),
            new_urban_employment=new_jobs.get(area, 0) - attrition.get(area, 0),
            new_urban_employment_gross=new_jobs.get(area, 0),
            natural_attrition=attrition.get(area, 0),
            reemployed_unemployed=reemployed.get(area, 0),
            hard_to_employ_employed=hard_to_employ.get(area, 0),
            unemployment=unemployment.get(area, UnemploymentFigures(registered_unemployed=0, new_registrations=0)),
            key_groups=groups.get(area, _groups({})),
            public_welfare_placements=placements.get(area, 0),
            startup_loans=loans.get(area, NONE_GRANTED),
            startup_subsidies=subsidies.get(area, NONE_GRANTED),
        )
        for area in areas(county, grouped)
    ]


async def yearly(*, session: AsyncSession, year: int, county: str | None) -> Statistics:
    """One county's figures for the year, or every county's and the city total."""
    span = Year.of(year)
    counties = await _areas(session=session, year=span, county=county, grouped=True)
    city = None if county is not None else (await _areas(session=session, year=span, county=None, grouped=False))[0]
    return Statistics(year=year, counties=counties, city=city)
