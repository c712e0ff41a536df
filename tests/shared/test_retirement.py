"""Statutory retirement age with the gradual raise of the 2024 NPC Standing Committee decision and its 办法."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrss_shared.reference.retirement import (
    RETIREMENT_RULES,
    RETIREMENT_SOURCE,
    RetirementCategory,
    RetirementRule,
    add_months,
    age_on,
    category_for,
    has_reached_retirement_age,
    retirement_age,
    retirement_date,
    sex_of,
)

MALE = RetirementCategory.male
F55 = RetirementCategory.female_55
F50 = RetirementCategory.female_50


def _groups(category: RetirementCategory) -> list[tuple[date, date, tuple[int, int]]]:
    """Walk birth months from 1960 to 1990 and collect (first month, last month, age) of each raised group."""
    groups: list[tuple[date, date, tuple[int, int]]] = []
    month = date(1960, 1, 1)
    original = (RETIREMENT_RULES[category].original_age_years, 0)
    while month < date(1990, 1, 1):
        age = retirement_age(month, category)
        if age != original:
            if groups and groups[-1][2] == age:
                groups[-1] = (groups[-1][0], month, age)
            else:
                groups.append((month, month, age))
        month = add_months(month, 1)
    return groups


@pytest.mark.parametrize(
    ("category", "steps", "first", "last", "before", "target"),
    [
        (MALE, 36, ("1965-01", "1965-04", (60, 1)), ("1976-09", "1976-12", (63, 0)), (60, 0), (63, 0)),
        (F55, 36, ("1970-01", "1970-04", (55, 1)), ("1981-09", "1981-12", (58, 0)), (55, 0), (58, 0)),
        (F50, 60, ("1975-01", "1975-02", (50, 1)), ("1984-11", "1984-12", (55, 0)), (50, 0), (55, 0)),
    ],
)
def test_groups_match_the_annex_tables(
    category: RetirementCategory,
    steps: int,
    first: tuple[str, str, tuple[int, int]],
    last: tuple[str, str, tuple[int, int]],
    before: tuple[int, int],
    target: tuple[int, int],
) -> None:
    groups = _groups(category)
    # The last group (target age) runs on for everyone born later; only its annex months are checked.
    assert len(groups) == steps == RETIREMENT_RULES[category].steps
    assert [(a.strftime("%Y-%m"), b.strftime("%Y-%m"), age) for a, b, age in groups[:1]] == [first]
    assert (groups[-1][0].strftime("%Y-%m"), groups[-1][2]) == (last[0], last[2])
    assert retirement_age(date.fromisoformat(last[1] + "-28"), category) == target
    assert retirement_age(add_months(date.fromisoformat(first[0] + "-01"), -1), category) == before
    ages = [age for _, _, age in groups]
    assert ages == [divmod(before[0] * 12 + i, 12) for i in range(1, steps + 1)]
    span = RETIREMENT_RULES[category].months_per_step
    assert all(add_months(a, span - 1) == b for a, b, _ in groups[:-1])


def test_men() -> None:
    assert retirement_age(date(1964, 12, 31), MALE) == (60, 0)
    assert retirement_date(date(1964, 12, 31), MALE) == date(2024, 12, 31)
    assert retirement_age(date(1965, 1, 15), MALE) == (60, 1)
    assert retirement_age(date(1965, 4, 30), MALE) == (60, 1)
    assert retirement_age(date(1965, 5, 1), MALE) == (60, 2)
    assert retirement_age(date(1976, 12, 31), MALE) == (63, 0)
    assert retirement_age(date(1977, 6, 1), MALE) == (63, 0)
    assert retirement_age(date(2000, 1, 1), MALE) == (63, 0)


def test_a_man_born_1965_03_10_retires_on_2025_04_10() -> None:
    born = date(1965, 3, 10)
    assert retirement_date(born, MALE) == date(2025, 4, 10)
    assert age_on(born, date(2025, 3, 10)) == 60
    assert not has_reached_retirement_age(born, MALE, date(2025, 3, 10))
    assert not has_reached_retirement_age(born, MALE, date(2025, 4, 9))
    assert has_reached_retirement_age(born, MALE, date(2025, 4, 10))
    assert has_reached_retirement_age(born, MALE, date(2030, 1, 1))


def test_women_original_50() -> None:
    born = date(1975, 1, 20)
    assert retirement_age(born, F50) == (50, 1)
    assert retirement_date(born, F50) == date(2025, 2, 20)
    assert not has_reached_retirement_age(born, F50, date(2025, 1, 20))
    assert not has_reached_retirement_age(born, F50, date(2025, 2, 19))
    assert has_reached_retirement_age(born, F50, date(2025, 2, 20))
    assert retirement_age(date(1974, 12, 31), F50) == (50, 0)
    assert retirement_age(date(1975, 3, 1), F50) == (50, 2)
    assert retirement_age(date(1984, 12, 1), F50) == (55, 0)
    assert retirement_age(date(1984, 10, 31), F50) == (54, 11)
    assert retirement_age(date(1990, 6, 1), F50) == (55, 0)


def test_women_original_55() -> None:
    assert retirement_age(date(1969, 12, 31), F55) == (55, 0)
    assert retirement_age(date(1970, 5, 1), F55) == (55, 2)
    assert retirement_date(date(1970, 5, 1), F55) == date(2025, 7, 1)
    assert retirement_age(date(1981, 12, 1), F55) == (58, 0)
    assert retirement_age(date(1981, 8, 31), F55) == (57, 11)
    assert retirement_age(date(1985, 1, 1), F55) == (58, 0)


def test_retirement_date_clamps_to_the_end_of_the_month() -> None:
    assert retirement_date(date(1965, 3, 31), MALE) == date(2025, 4, 30)
    assert not has_reached_retirement_age(date(1965, 3, 31), MALE, date(2025, 4, 29))
    assert has_reached_retirement_age(date(1965, 3, 31), MALE, date(2025, 4, 30))
    # Born on Feb 29, a whole-year age falls on Feb 28 of a common year (and age_on agrees).
    assert retirement_date(date(1980, 2, 29), MALE) == date(2043, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


def test_age_on_birthdays() -> None:
    born = date(2010, 6, 15)
    assert age_on(born, date(2026, 6, 14)) == 15
    assert age_on(born, date(2026, 6, 15)) == 16
    assert age_on(born, date(2010, 6, 15)) == 0


def test_age_on_feb_29_follows_the_month_end_rule() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2024, 2, 28)) == 15
    assert age_on(born, date(2024, 2, 29)) == 16
    assert age_on(born, date(2025, 2, 27)) == 16
    assert age_on(born, date(2025, 2, 28)) == 17
    assert age_on(born, date(2025, 3, 1)) == 17


def test_category_for() -> None:
    assert category_for("male", None) is MALE
    assert category_for("male", 55) is MALE
    assert category_for("female", 55) is F55
    assert category_for("female", 50) is F50
    for bad in (None, 60, 0):
        with pytest.raises(ValueError, match="50"):
            category_for("female", bad)


def test_sex_of() -> None:
    assert sex_of("330802199001011234") == "male"  # 17th digit 3
    assert sex_of("33080219900101124X") == "female"  # 17th digit 4
    assert sex_of("330802199001011000") == "female"  # 0 is even
    for bad in ("3308021990010112", "3308021990010112X4", "33080219900101-234", ""):
        with pytest.raises(ValueError):
            sex_of(bad)


def test_source_is_exposed() -> None:
    assert "渐进式延迟法定退休年龄的决定" in RETIREMENT_SOURCE
    assert "2024年9月13日" in RETIREMENT_SOURCE
    assert "附件1 男职工" in RETIREMENT_RULES[MALE].source
    assert all(rule.effective_from == date(2025, 1, 1) for rule in RETIREMENT_RULES.values())


def test_data_rejects_a_table_that_contradicts_its_arithmetic() -> None:
    good = RETIREMENT_RULES[MALE].model_dump()
    RetirementRule.model_validate(good)
    with pytest.raises(ValueError, match="last_birth_month"):
        RetirementRule.model_validate({**good, "last_birth_month": "1977-04"})
    with pytest.raises(ValueError, match="effective_from"):
        RetirementRule.model_validate({**good, "first_birth_month": "1965-02", "last_birth_month": "1977-01"})


@given(
    category=st.sampled_from(list(RetirementCategory)),
    first=st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)),
    second=st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)),
)
def test_age_is_monotonic_and_bounded(category: RetirementCategory, first: date, second: date) -> None:
    earlier, later = sorted((first, second))
    rule = RETIREMENT_RULES[category]
    assert retirement_age(earlier, category) <= retirement_age(later, category)
    for born in (earlier, later):
        years, months = retirement_age(born, category)
        assert 0 <= months < 12
        assert (rule.original_age_years, 0) <= (years, months) <= (rule.target_age_years, 0)
        assert age_on(born, retirement_date(born, category)) >= years
