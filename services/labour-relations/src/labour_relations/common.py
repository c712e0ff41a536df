"""Types and checks the labour-relations domains share: months, reasons, dates not in the future, rates."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, WithJsonSchema

from hrss_contracts.labour_relations import MONTH_PATTERN
from hrss_shared import clock
from hrss_shared.problems import InvalidField
from hrss_shared.text import short_text

_MONTH = re.compile(MONTH_PATTERN)


def _str_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("应为字符串 (must be a string)")
    return value


def _month(value: str) -> str:
    if not _MONTH.fullmatch(value) or not 1900 <= int(value[:4]) <= 2099:
        raise ValueError(f"月份格式应为 YYYY-MM，如 2026-03 (month as YYYY-MM, got {value[:20]!r})")
    return value


# 月份 YYYY-MM (a payroll's wage month).
Month = Annotated[str, BeforeValidator(_str_only), AfterValidator(_month),
                  WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "examples": ["2026-03"]},
                                 mode="validation")]
Reason = Annotated[str, short_text(500, label="原因")]


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_of(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def not_future(field: str, day: date) -> date:
    """``day`` unless it is after the bureau's today (422 naming ``field``)."""
    today = clock.today()
    if day > today:
        raise InvalidField(field, f"日期 {day} 晚于今天 {today} (must not be after today)")
    return day


def not_before(field: str, day: date, earlier: date | None, what: str) -> date:
    """``day`` unless it is before ``earlier`` (422 naming ``field``)."""
    if earlier is not None and day < earlier:
        raise InvalidField(field, f"日期 {day} 早于{what} {earlier} (must not be before {earlier})")
    return day


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A share in percent with one decimal, or None when nothing was counted."""
    if denominator == 0:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Rate(BaseModel):
    """One county's (or the total's) rate with what it counts."""

    county_code: str | None = Field(description="县（市、区）代码；null 为合计 (all counties)")
    numerator: int = Field(description="分子")
    denominator: int = Field(description="分母")
    rate: Decimal | None = Field(description="比率（%，一位小数）；分母为0时为 null")
