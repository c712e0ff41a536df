"""Pieces the start-up and public-welfare domains share: money in yuan, list sorting and date ranges, months.

Free of domain rules, so they can move to ``hrss_shared`` unchanged.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AfterValidator, PlainSerializer, ValidationInfo

from hrss_shared.problems import InvalidField

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy"
CENT = Decimal("0.01")


def yuan(value: Decimal) -> str:
    """``Decimal('5000')`` → ``'5000.00'``."""
    return format(value.quantize(CENT), "f")


def _positive_yuan(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError(f"金额须大于0 (amount must be greater than 0, got {value})")
    if value != value.quantize(CENT):
        raise ValueError(f"金额最多两位小数 (amount in yuan with at most two decimal places, got {value})")
    if value >= Decimal("1e12"):
        raise ValueError(f"金额过大 (amount too large: {value})")
    return value.quantize(CENT)


# Money in yuan: a decimal string with two places on the wire ("5000.00"), Decimal in code, NUMERIC(14, 2) in the DB.
Money = Annotated[Decimal, PlainSerializer(yuan, return_type=str, when_used="json")]
PositiveMoney = Annotated[Decimal, AfterValidator(_positive_yuan), PlainSerializer(yuan, return_type=str,
                                                                                   when_used="json")]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (2021-01-31 + 1 → 2021-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of_term(start: date, months: int) -> date:
    """The last day of a term of ``months`` starting on ``start`` (36 months from 2021-03-01 → 2024-02-29)."""
    return add_months(start, months) - timedelta(days=1)


def sort_param(*keys: str, default: str) -> Any:
    """Dependency for ``sort``: ``key`` ascending or ``-key`` descending, one of ``keys``; else 422 naming sort."""
    allowed = [variant for key in keys for variant in (key, f"-{key}")]
    if default not in allowed:
        raise ValueError(f"default sort {default!r} is not one of {allowed}")
    description = f"排序 sort: {', '.join(allowed)}（'-' 为降序 descending; default {default}）"

    def dependency(
        sort: Annotated[str, Query(description=description, json_schema_extra={"enum": allowed})] = default,
    ) -> str:
        if sort not in allowed:
            raise InvalidField("sort", f"不支持的排序字段 {sort!r} (unknown sort key; one of: {', '.join(allowed)})")
        return sort

    return Depends(dependency)


def order_by(sort: str, columns: Mapping[str, Any], tiebreak: Any) -> list[Any]:
    """ORDER BY clauses for a validated ``sort``; ``tiebreak`` (a unique column) keeps paging stable."""
    descending = sort.startswith("-")
    column = columns[sort.removeprefix("-")]
    return [column.desc() if descending else column.asc(), tiebreak.desc() if descending else tiebreak.asc()]


@dataclass(frozen=True)
class DateRange:
    from_date: date | None = None
    to_date: date | None = None

    def clauses(self, column: Any) -> list[Any]:
        """WHERE clauses keeping a ``date`` column inside the range (both ends inclusive)."""
        found = []
        if self.from_date:
            found.append(column >= self.from_date)
        if self.to_date:
            found.append(column <= self.to_date)
        return found


def date_range_param(on: str) -> Any:
    """Dependency for ``from_date``/``to_date`` (inclusive) on the record's date ``on``; 422 if reversed."""

    def dependency(
        from_date: Annotated[date | None, Query(description=f"起始日期（含）{on} from, inclusive")] = None,
        to_date: Annotated[date | None, Query(description=f"截止日期（含）{on} to, inclusive")] = None,
    ) -> DateRange:
        if from_date and to_date and to_date < from_date:
            raise InvalidField("to_date", f"截止日期早于起始日期 {from_date} (to_date before from_date)")
        return DateRange(from_date, to_date)

    return Depends(dependency)


def not_before_start(value: date, info: ValidationInfo) -> date:
    """Field validator for ``end_date``: not before ``start_date`` (a 422 naming end_date)."""
    start = info.data.get("start_date")
    if isinstance(start, date) and value < start:
        raise ValueError(f"end_date 早于 start_date {start} (end date before start date)")
    return value
