"""Types the social-insurance domains share: insurance types, months (YYYY-MM), the policy folder, yuan rounding."""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from hrss_contracts.social_insurance import MONTH_PATTERN
from hrss_shared.money import CENT

POLICY_DIR = Path(__file__).resolve().parent / "policy"


class InsuranceType(StrEnum):
    employee_pension = "employee_pension"  # 企业职工基本养老保险
    resident_pension = "resident_pension"  # 城乡居民基本养老保险
    unemployment = "unemployment"  # 失业保险
    work_injury = "work_injury"  # 工伤保险


TYPE_NAMES = {
    InsuranceType.employee_pension: "企业职工基本养老保险", InsuranceType.resident_pension: "城乡居民基本养老保险",
    InsuranceType.unemployment: "失业保险", InsuranceType.work_injury: "工伤保险",
}
TYPES_DESCRIPTION = ("险种 employee_pension 企业职工基本养老 / resident_pension 城乡居民基本养老 / "
                     "unemployment 失业 / work_injury 工伤")


def round_fen(value: Decimal) -> Decimal:
    """Yuan to the fen, half up (四舍五入到分)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# ---- months 月份 YYYY-MM ----------------------------------------------------------------------------

def month_of(day: date) -> str:
    """``date(2026, 3, 9)`` → ``"2026-03"``."""
    return f"{day.year:04d}-{day.month:02d}"


def month_index(month: str) -> int:
    """``"2026-03"`` → a count of months since year 0 (for arithmetic)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_at(index: int) -> str:
    """The inverse of :func:`month_index`."""
    year, mon0 = divmod(index, 12)
    return f"{year:04d}-{mon0 + 1:02d}"


def first_day(month: str) -> date:
    """The first day of ``month``."""
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def months_from(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when ``last`` is earlier)."""
    return [month_at(i) for i in range(month_index(first), month_index(last) + 1)]


def _str_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("应为字符串 (must be a string)")
    return value


@functools.lru_cache(maxsize=4096)
def _valid_month(value: str) -> str:
    """The month of ``value`` (surrounding spaces off); remembered, as a bulk request's rows repeat a few months
    (a refusal raises, so it is never remembered)."""
    v = value.strip()
    if not re.fullmatch(MONTH_PATTERN, v):
        raise ValueError(f"月份应为 YYYY-MM 格式，如 2026-03 (month must be YYYY-MM, got {v[:20]!r})")
    if not 1990 <= int(v[:4]) <= 2099:
        raise ValueError(f"月份超出支持范围 1990-01～2099-12 (month out of range, got {v})")
    return v


# 费款所属期 a calendar month as ``YYYY-MM``.
Month = Annotated[
    str, BeforeValidator(_str_only), AfterValidator(_valid_month),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "examples": ["2026-03"]}, mode="validation"),
]
