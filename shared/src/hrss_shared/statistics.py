"""Yearly statistics by county: a service's figures are SQL aggregates, grouped by county or for the whole city.

``by_area(session, stmt, area_column, county=..., grouped=...)`` runs one aggregate ``SELECT`` per county
(``GROUP BY`` the area column) or once for the city, keyed by county code (``330800`` for the city total);
``areas(county, grouped)`` lists the codes an answer covers, in the registry's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared.money import CENT
from hrss_shared.validators import QUZHOU_CITY, QUZHOU_COUNTIES

CITY_NAME = "衢州市"
Figures = dict[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Year:
    """A statistics year: 1 January to 31 December, both inclusive."""

    first: date
    last: date

    @classmethod
    def of(cls, year: int) -> Year:
        return cls(date(year, 1, 1), date(year, 12, 31))


async def by_area(session: AsyncSession, stmt: Any, area: Any, *, county: str | None, grouped: bool) -> Figures:
    """Run an aggregate per county (``grouped``) or once for the city; rows keyed by county code."""
    if county is not None:
        stmt = stmt.where(area == county)
    if grouped:
        stmt = stmt.add_columns(area).group_by(area)
    rows = (await session.execute(stmt)).all()
    if grouped:
        return {row[-1]: tuple(row[:-1]) for row in rows}
    return {QUZHOU_CITY: tuple(rows[0])} if rows else {}


def areas(county: str | None, grouped: bool) -> list[str]:
    """The county codes an answer covers: the city (not grouped), the asked county, or every county."""
    if not grouped:
        return [QUZHOU_CITY]
    return [county] if county is not None else list(QUZHOU_COUNTIES)


def area_name(code: str) -> str:
    return CITY_NAME if code == QUZHOU_CITY else QUZHOU_COUNTIES[code]


def amount(value: Any) -> Decimal:
    """A SUM over NUMERIC (None when no rows) as yuan to the fen."""
    return Decimal(value or 0).quantize(CENT)


async def by_area_and_key(
    session: AsyncSession, stmt: Any, area: Any, key: Any, *, county: str | None, grouped: bool
) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Like :func:`by_area`, broken down by ``key`` as well (e.g. a level or a kind): ``{area: {key: row}}``."""
    if county is not None:
        stmt = stmt.where(area == county)
    stmt = stmt.add_columns(key, area).group_by(key, area) if grouped else stmt.add_columns(key).group_by(key)
    found: dict[str, dict[Any, tuple[Any, ...]]] = {}
    for row in (await session.execute(stmt)).all():
        code = row[-1] if grouped else QUZHOU_CITY
        k = row[-2] if grouped else row[-1]
        found.setdefault(code, {})[k] = tuple(row[:-2] if grouped else row[:-1])
    return found
