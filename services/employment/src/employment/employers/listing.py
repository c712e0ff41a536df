"""List parameters every employment list shares: a validated ``sort`` key and a ``from_date``/``to_date`` range.

Kept free of domain rules so it can move to ``hrss_shared.paging`` unchanged.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any

from fastapi import Depends, Query

from hrss_shared.problems import InvalidField

# Calendar days of records stamped in UTC are the bureau's days (China Standard Time, no DST).
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def sort_param(*keys: str, default: str) -> Any:
    """Dependency for ``sort``: ``key`` ascending or ``-key`` descending, one of ``keys``; else 422."""
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
    """ORDER BY clauses for a validated ``sort`` (empty values last); ``tiebreak`` keeps paging stable."""
    descending = sort.startswith("-")
    column = columns[sort.removeprefix("-")]
    first = column.desc() if descending else column.asc()
    return [first.nulls_last(), tiebreak.desc() if descending else tiebreak.asc()]


@dataclass(frozen=True)
class DateRange:
    from_date: date | None = None
    to_date: date | None = None

    def day_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as instants: from the start of ``from_date`` to before the day after ``to_date`` (CST)."""
        start = datetime.combine(self.from_date, time(), CHINA_TZ) if self.from_date else None
        end = datetime.combine(self.to_date + timedelta(days=1), time(), CHINA_TZ) if self.to_date else None
        return start, end


def date_range_param(on: str) -> Any:
    """Dependency for ``from_date``/``to_date`` (both inclusive) on the record's date ``on``; 422 if reversed."""

    def dependency(
        from_date: Annotated[date | None, Query(description=f"起始日期（含）from {on}, inclusive")] = None,
        to_date: Annotated[date | None, Query(description=f"截止日期（含）to {on}, inclusive")] = None,
    ) -> DateRange:
        if from_date and to_date and to_date < from_date:
            raise InvalidField("to_date", f"截止日期早于起始日期 {from_date} (to_date before from_date)")
        return DateRange(from_date, to_date)

    return Depends(dependency)


def within(column: Any, dates: DateRange) -> list[Any]:
    """WHERE clauses keeping a ``date`` column inside the range."""
    clauses = []
    if dates.from_date:
        clauses.append(column >= dates.from_date)
    if dates.to_date:
        clauses.append(column <= dates.to_date)
    return clauses


def within_days(column: Any, dates: DateRange) -> list[Any]:
    """WHERE clauses keeping a UTC ``datetime`` column inside the range's calendar days."""
    start, end = dates.day_bounds()
    clauses = []
    if start:
        clauses.append(column >= start)
    if end:
        clauses.append(column < end)
    return clauses
