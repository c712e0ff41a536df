"""法定劳动年龄 working age: 16 (policy/working_age.toml) up to the statutory retirement age (shared reference rule).

``working_age_problem(id_number, on, field)`` answers the 422 to raise when the person is outside working age on
``on`` (naming the person's age and the limit), or None. The retirement age follows hrss_shared.reference.retirement
(the 2024 决定 and its 办法, gradual raise from 2025-01-01). A woman's original retirement age (50 or 55) is not on
her ID number: the caller passes ``female_original_age`` when the person's record states it, otherwise the
policy's default (55) applies.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field

from employment.startup.common import POLICY_DIR
from hrss_shared import clock
from hrss_shared.policy import PolicyTable, PolicyVersion
from hrss_shared.problems import InvalidField
from hrss_shared.reference.retirement import (
    RETIREMENT_RULES,
    RetirementCategory,
    add_months,
    age_on,
    category_for,
    retirement_age,
    retirement_date,
    sex_of,
)
from hrss_shared.validators import birth_date_of


class WorkingAgePolicy(PolicyVersion):
    """policy/working_age.toml: the lowest working age and the default original retirement age of a woman."""

    min_age_years: int = Field(ge=14, le=18)
    default_female_original_age: int = Field(ge=50, le=55)


POLICY = PolicyTable.load(POLICY_DIR / "working_age.toml", WorkingAgePolicy)


def category_of(id_number: str, female_original_age: int | None = None) -> RetirementCategory:
    """The retirement table of the person: men's, or a woman's 50 or 55 (the policy's default when not stated)."""
    if sex_of(id_number) == "male":
        return RetirementCategory.male
    return category_for("female", female_original_age or POLICY.at(clock.today()).default_female_original_age)


def retirement_day(id_number: str, female_original_age: int | None = None) -> date:
    """The day the person reaches the statutory retirement age (the first day past working age)."""
    return retirement_date(birth_date_of(id_number), category_of(id_number, female_original_age))


def describe_retirement_age(id_number: str, female_original_age: int | None = None) -> str:
    """e.g. ``60周岁1个月`` — the person's statutory retirement age, in bureau terms."""
    years, months = retirement_age(birth_date_of(id_number), category_of(id_number, female_original_age))
    return f"{years}周岁" + (f"{months}个月" if months else "")


def sixteenth_birthday(id_number: str, min_age_years: int) -> date:
    """The day the person reaches ``min_age_years`` (a Feb 29 birthday: Feb 28 of a common year)."""
    return add_months(birth_date_of(id_number), 12 * min_age_years)


def working_age_problem(
    id_number: str, on: date, field: str, *, female_original_age: int | None = None
) -> InvalidField | None:
    """The 422 naming ``field`` when the person is under the lowest working age or at retirement age on ``on``."""
    rules = POLICY.at(on)
    birth = birth_date_of(id_number)
    age = age_on(birth, on)
    youngest = sixteenth_birthday(id_number, rules.min_age_years)
    if on < youngest:
        return InvalidField(field, f"该人员在 {on} 为 {age} 周岁，未满法定劳动年龄 {rules.min_age_years} 周岁"
                                   f"（{youngest} 起）(aged {age} on {on}, under the working age of "
                                   f"{rules.min_age_years}; "
                                   f"{rules.source})")
    category = category_of(id_number, female_original_age)
    retires = retirement_date(birth, category)
    if on >= retires:
        limit = describe_retirement_age(id_number, female_original_age)
        return InvalidField(field, f"该人员在 {on} 为 {age} 周岁，已达法定退休年龄 {limit}（{retires} 达到）"
                                   f"(aged {age} on {on}: reached the statutory retirement age of {limit} on "
                                   f"{retires}; {RETIREMENT_RULES[category].source})")
    return None


def last_working_day(id_number: str, female_original_age: int | None = None) -> date:
    """The day before the person reaches the statutory retirement age."""
    return retirement_day(id_number, female_original_age) - timedelta(days=1)
