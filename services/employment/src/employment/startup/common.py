"""Pieces the start-up and public-welfare domains share: the policy folder and month arithmetic."""

import calendar
from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationInfo

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (2021-01-31 + 1 → 2021-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of_term(start: date, months: int) -> date:
    """The last day of a term of ``months`` starting on ``start`` (36 months from 2021-03-01 → 2024-02-29)."""
    return add_months(start, months) - timedelta(days=1)


def not_before_start(value: date, info: ValidationInfo) -> date:
    """Field validator for ``end_date``: not before ``start_date`` (a 422 naming end_date)."""
    start = info.data.get("start_date")
    if isinstance(start, date) and value < start:
        raise ValueError(f"end_date 早于 start_date {start} (end date before start date)")
    return value
