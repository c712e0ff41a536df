"""法定劳动年龄: 16 up to the statutory retirement age, at every edge (issue 11's worked examples)."""

from __future__ import annotations

from datetime import date

import pytest

from employment.working_age import (
    POLICY,
    describe_retirement_age,
    last_working_day,
    retirement_day,
    working_age_problem,
)
from hrss_shared.validators import make_id_number

MAN_1965_03 = make_id_number("330802", date(1965, 3, 10), 1)  # odd sequence: male
WOMAN_1975_01 = make_id_number("330803", date(1975, 1, 20), 2)  # even sequence: female
TEEN = make_id_number("330822", date(2010, 6, 15), 3)


def reason(problem: object) -> str:
    assert problem is not None
    errors = problem.errors  # type: ignore[attr-defined]
    assert [e.field for e in errors] == ["start_date"]
    return str(errors[0].reason)


def test_the_day_before_the_16th_birthday_is_refused_naming_the_age_and_the_limit() -> None:
    text = reason(working_age_problem(TEEN, date(2026, 6, 14), "start_date"))
    assert "15 周岁" in text
    assert "未满法定劳动年龄 16 周岁" in text
    assert "2026-06-15" in text
    assert "劳动法" in text


def test_on_the_16th_birthday_is_working_age() -> None:
    assert working_age_problem(TEEN, date(2026, 6, 15), "start_date") is None


def test_a_man_born_1965_03_retires_at_60_and_1_month() -> None:
    assert describe_retirement_age(MAN_1965_03) == "60周岁1个月"
    assert retirement_day(MAN_1965_03) == date(2025, 4, 10)
    assert last_working_day(MAN_1965_03) == date(2025, 4, 9)
    # The day after his old retirement age (60, reached 2025-03-10) and the day before the new one: working age.
    assert working_age_problem(MAN_1965_03, date(2025, 3, 11), "start_date") is None
    assert working_age_problem(MAN_1965_03, date(2025, 4, 9), "start_date") is None
    text = reason(working_age_problem(MAN_1965_03, date(2025, 4, 10), "start_date"))
    assert "60 周岁" in text
    assert "已达法定退休年龄 60周岁1个月" in text
    assert "2025-04-10" in text
    assert "附件1" in text


def test_a_woman_born_1975_01_whose_original_age_is_50_retires_at_50_and_1_month() -> None:
    assert describe_retirement_age(WOMAN_1975_01, 50) == "50周岁1个月"
    assert working_age_problem(WOMAN_1975_01, date(2025, 1, 21), "start_date", female_original_age=50) is None
    assert working_age_problem(WOMAN_1975_01, date(2025, 2, 19), "start_date", female_original_age=50) is None
    text = reason(working_age_problem(WOMAN_1975_01, date(2025, 2, 20), "start_date", female_original_age=50))
    assert "已达法定退休年龄 50周岁1个月" in text
    assert "附件3" in text


def test_a_woman_born_1975_01_on_the_55_table_by_default_retires_at_56_and_4_months() -> None:
    assert POLICY.at(date(2026, 1, 1)).default_female_original_age == 55
    assert describe_retirement_age(WOMAN_1975_01) == "56周岁4个月"
    assert retirement_day(WOMAN_1975_01) == date(2031, 5, 20)
    # The day after her old retirement age (55, reached 2030-01-20) and the day before the new one.
    assert working_age_problem(WOMAN_1975_01, date(2030, 1, 21), "start_date") is None
    assert working_age_problem(WOMAN_1975_01, date(2031, 5, 19), "start_date") is None
    text = reason(working_age_problem(WOMAN_1975_01, date(2031, 5, 20), "start_date"))
    assert "56 周岁" in text
    assert "56周岁4个月" in text
    assert "附件2" in text


def test_a_man_born_before_1965_keeps_60() -> None:
    man = make_id_number("330881", date(1964, 12, 31), 5)
    assert describe_retirement_age(man) == "60周岁"
    assert working_age_problem(man, date(2024, 12, 30), "start_date") is None
    assert "60周岁" in reason(working_age_problem(man, date(2024, 12, 31), "start_date"))


@pytest.mark.parametrize("original", [49, 56])
def test_a_womans_original_age_must_be_50_or_55(original: int) -> None:
    with pytest.raises(ValueError):
        working_age_problem(WOMAN_1975_01, date(2026, 1, 1), "start_date", female_original_age=original)
