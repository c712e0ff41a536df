"""List parameters every service shares: a validated ``sort`` key and a ``from_date``/``to_date`` range."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AfterValidator

from hrss_shared.problems import InvalidField

# Calendar days of records stamped in UTC are the bureau's days (China Standard Time, no DST).
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2099, 12, 31)


def _supported(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"日期超出支持范围 (date must be between {FIRST_DAY} and {LAST_DAY})")
    return value


# A calendar date the bureau's records can hold; inputs use it so date arithmetic (terms, deadlines,
# day ranges) never overflows.
SupportedDate = Annotated[date, AfterValidator(_supported)]


def equals(*pairs: tuple[Any, Any]) -> list[Any]:
    """WHERE clauses ``column == value`` for the filters a caller gave (``None`` or ``""`` means no filter)."""
    return [column == value for column, value in pairs if value is not None and value != ""]


def sort_param(*keys: str, default: str) -> Any:
    """Dependency for ``sort``: ``key`` ascending or ``-key`` descending, one of ``keys``; else 422 naming sort."""
    allowed = [variant for key in keys for variant in (key, f"-{key}")]
    if default not in allowed:
        raise ValueError(f"default sort {default!r} is not one of {allowed}")
    description = f"排序 sort: {', '.join(allowed)}（'-' 为降序 descending; default {default}）"

    async def dependency(
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

    def clauses(self, column: Any) -> list[Any]:
        """WHERE clauses keeping a ``date`` column inside the range (both ends inclusive)."""
        found = []
        if self.from_date:
            found.append(column >= self.from_date)
        if self.to_date:
            found.append(column <= self.to_date)
        return found

    def day_clauses(self, column: Any) -> list[Any]:
        """WHERE clauses keeping a UTC ``datetime`` column inside the range's calendar days (CST)."""
        found = []
        if self.from_date:
            found.append(column >= datetime.combine(self.from_date, time(), CHINA_TZ))
        if self.to_date:
            found.append(column < datetime.combine(self.to_date + timedelta(days=1), time(), CHINA_TZ))
        return found


def date_range_param(on: str) -> Any:
    """Dependency for ``from_date``/``to_date`` (both inclusive) on the record's date ``on``; 422 if reversed."""

    async def dependency(
        from_date: Annotated[SupportedDate | None, Query(description=f"起始日期（含）from {on}, inclusive")] = None,
        to_date: Annotated[SupportedDate | None, Query(description=f"截止日期（含）to {on}, inclusive")] = None,
    ) -> DateRange:
        if from_date and to_date and to_date < from_date:
            raise InvalidField("to_date", f"截止日期早于起始日期 {from_date} (to_date before from_date)")
        return DateRange(from_date, to_date)

    return Depends(dependency)
