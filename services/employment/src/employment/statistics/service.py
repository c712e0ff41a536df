"""就业统计: yearly employment figures by county, as SQL aggregates (GROUP BY county) over the registrations.

Definitions (year Y = 1 January to 31 December):

- 城镇新增就业 new urban employment: the number of distinct persons with an employment registration
  starting in Y who held no employment registration on its start date's eve (the day before it): none of
  their other registrations started before that date and was still open, or ended, on the eve or later.
  Moving straight from one job to the next is therefore not new employment; starting work after a gap, or
  for the first time, is. A person counts once a year, in the county of the employer of their first such
  registration in Y, so the counties add up to the city total. Every employer registered here is urban
  (the registrations are 城镇就业登记).
- 登记失业 registered unemployment: ``registered_unemployed`` is the number of distinct persons whose
  unemployment registration was open at the end of 31 December of Y (registered on or before it, not closed
  on or before it; for the current year: open now), in the registration's county; ``new_registrations``
  counts the unemployment registrations dated in Y.
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

from datetime import date
from decimal import Decimal
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
    """城镇新增就业 persons (see the module docstring)."""
    reg, prior = aliased(EmploymentRegistration), aliased(EmploymentRegistration)
    held_on_eve = exists().where(
        col(prior.id_number) == col(reg.id_number), col(prior.id) != col(reg.id),
        col(prior.start_date) < col(reg.start_date),
        or_(col(prior.end_date).is_(None), col(prior.end_date) >= day_before(col(reg.start_date))),
    )
    first = func.row_number().over(partition_by=col(reg.id_number), order_by=(col(reg.start_date), col(reg.id)))
    starts = (
        select(col(reg.id_number), col(reg.county_code), first.label("nth"))
        .where(col(reg.start_date).between(year.first, year.last), ~held_on_eve)
        .subquery()
    )
    stmt = select(func.count()).select_from(starts).where(starts.c.nth == 1)
    figures = await by_area(session, stmt, starts.c.county_code, county=county, grouped=grouped)
    return {area: int(values[0]) for area, values in figures.items()}


async def registered_unemployment(
    *, session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> dict[str, UnemploymentFigures]:
    """Open registrations at year end (persons) and new registrations in the year."""
    u = UnemploymentRegistration
    open_at_end = and_(col(u.registered_date) <= year.last, or_(col(u.end_date).is_(None), col(u.end_date) > year.last))
    new_in_year = col(u.registered_date).between(year.first, year.last)
    stmt = select(
        func.count(func.distinct(case((open_at_end, u.id_number)))),
        func.count(case((new_in_year, u.id))),
    ).where(col(u.registered_date) <= year.last)
    figures = await by_area(session, stmt, col(u.county_code), county=county, grouped=grouped)
    return {
        area: UnemploymentFigures(registered_unemployed=int(v[0]), new_registrations=int(v[1]))
        for area, v in figures.items()
    }


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
    unemployment = await registered_unemployment(**kw)
    groups = await key_group_employment(**kw)
    placements = await public_welfare_placements(**kw)
    loans = await startup_loans(**kw)
    subsidies = await startup_subsidies(**kw)
    return [
        AreaStatistics(
            county_code=area,
            county_name=area_name(area),
            new_urban_employment=new_jobs.get(area, 0),
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
