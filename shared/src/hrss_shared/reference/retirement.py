"""China's statutory retirement age (法定退休年龄) with the gradual raise from 2025-01-01, from retirement_age.toml.

This is the standard statutory age only: voluntary flexible early or late retirement (弹性提前/延迟退休, 办法第三条)
and ages set by other national rules (国家另有规定的，从其规定, e.g. special types of work) are not modelled.
"""

from __future__ import annotations

import calendar
import tomllib
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from importlib.resources import files
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sex = Literal["male", "female"]


class RetirementCategory(StrEnum):
    """Which comparison table (对照表) of the 办法 applies to a person."""

    male = "male"
    female_55 = "female_55"
    female_50 = "female_50"


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _parse_month(value: str) -> int:
    year, month = value.split("-")
    return _month_index(int(year), int(month))


class RetirementRule(BaseModel):
    """One category's parameters from the 办法 and its annex table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    original_age_years: int = Field(ge=16, le=70)
    target_age_years: int = Field(ge=16, le=70)
    first_birth_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    last_birth_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    months_per_step: int = Field(ge=1)
    effective_from: date
    source: str = Field(min_length=1)

    @property
    def steps(self) -> int:
        """How many one-month raises lead from the original to the target age."""
        return (self.target_age_years - self.original_age_years) * 12

    @property
    def first_month(self) -> int:
        """``first_birth_month`` as a count of months since year 0."""
        return _parse_month(self.first_birth_month)

    @model_validator(mode="after")
    def _consistent(self) -> RetirementRule:
        if self.target_age_years <= self.original_age_years:
            raise ValueError("target_age_years must exceed original_age_years")
        last = self.first_month + self.steps * self.months_per_step - 1
        if _parse_month(self.last_birth_month) != last:
            raise ValueError(f"last_birth_month {self.last_birth_month} does not follow from the steps "
                             f"(expected {last // 12:04d}-{last % 12 + 1:02d})")
        # The first raised group reaches its original age in the month the raise takes effect.
        reaches = self.first_month + self.original_age_years * 12
        if reaches != _month_index(self.effective_from.year, self.effective_from.month):
            raise ValueError("first_birth_month plus original_age_years must fall in the month of effective_from")
        return self


class RetirementTable(BaseModel):
    """The whole data file: its source and one rule per category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    male: RetirementRule
    female_55: RetirementRule
    female_50: RetirementRule


def _load() -> RetirementTable:
    text = files("hrss_shared.reference").joinpath("retirement_age.toml").read_text(encoding="utf-8")
    return RetirementTable.model_validate(tomllib.loads(text))


_TABLE = _load()

RETIREMENT_SOURCE: str = _TABLE.source
RETIREMENT_RULES: Mapping[RetirementCategory, RetirementRule] = MappingProxyType({
    RetirementCategory.male: _TABLE.male,
    RetirementCategory.female_55: _TABLE.female_55,
    RetirementCategory.female_50: _TABLE.female_50,
})


def category_for(sex: Sex, female_original_age: int | None) -> RetirementCategory:
    """The category of a person; for a woman the caller must give her original age (50 or 55) from her record."""
    if sex == "male":
        return RetirementCategory.male
    if female_original_age == 55:
        return RetirementCategory.female_55
    if female_original_age == 50:
        return RetirementCategory.female_50
    raise ValueError(f"女职工须注明原法定退休年龄50或55周岁 (a woman's original retirement age must be 50 or 55, "
                     f"got {female_original_age})")


def sex_of(id_number: str) -> Sex:
    """The sex encoded in an 18-digit citizen ID: the 17th digit is odd for men, even for women."""
    v = id_number.strip()
    if len(v) != 18 or not v[:17].isdigit():
        raise ValueError("身份证号码应为18位且前17位为数字 (an 18-character ID starting with 17 digits is needed)")
    return "male" if int(v[16]) % 2 else "female"


def retirement_age(birth_date: date, category: RetirementCategory) -> tuple[int, int]:
    """The statutory retirement age (years, months) of a person born on ``birth_date``."""
    rule = RETIREMENT_RULES[category]
    offset = _month_index(birth_date.year, birth_date.month) - rule.first_month
    raise_months = 0 if offset < 0 else min(offset // rule.months_per_step + 1, rule.steps)
    return divmod(rule.original_age_years * 12 + raise_months, 12)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the end of a shorter month."""
    year, month0 = divmod(_month_index(day.year, day.month) + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def retirement_date(birth_date: date, category: RetirementCategory) -> date:
    """The day the person reaches the statutory retirement age (reached ON this day); see ``add_months``."""
    years, months = retirement_age(birth_date, category)
    return add_months(birth_date, years * 12 + months)


def has_reached_retirement_age(birth_date: date, category: RetirementCategory, on: date) -> bool:
    """Whether the person has reached the statutory retirement age on ``on`` (True from ``retirement_date``)."""
    return on >= retirement_date(birth_date, category)


def age_on(birth_date: date, on: date) -> int:
    """Age in full years on ``on``; born on Feb 29, a year older on Feb 28 of a common year.

    The same month-end rule as :func:`add_months` (民法典 art. 202: 没有对应日的，月末日为期间的最后一日), so
    ``age_on`` and ``retirement_date`` agree on every birthday.
    """
    years = on.year - birth_date.year
    return years if add_months(birth_date, 12 * years) <= on else years - 1
