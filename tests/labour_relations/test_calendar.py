"""The working-day calendar: policy/calendar.toml against chinese-calendar for every year both cover, and worked
deadlines across the Spring Festival and National Day breaks and their make-up workdays (counted by hand on the
State Council notices), plus a provisional 2027 from the statutory holidays."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from hrss_shared.policy import PolicyError
from labour_relations.workdays import CALENDAR_FILE, STATUTORY_FILE, Calendar

CAL = Calendar.load()


def test_every_year_in_the_data_matches_chinese_calendar_day_by_day() -> None:
    covered = [v.year for v in CAL.years.versions]
    assert covered == [2024, 2025, 2026]
    for year in covered:
        try:
            chinese_calendar.is_workday(date(year, 12, 31))
        except NotImplementedError:  # pragma: no cover - a year the package does not know yet
            continue
        day = date(year, 1, 1)
        while day.year == year:
            assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
            assert (day in CAL.notice(year).days_off()) == (  # type: ignore[union-attr]
                chinese_calendar.is_holiday(day) and chinese_calendar.get_holiday_detail(day)[1] is not None), day
            day += timedelta(days=1)


def test_each_year_names_its_state_council_notice() -> None:
    refs = {v.year: v.source for v in CAL.years.versions}
    assert "国办发明电〔2024〕12号" in refs[2025] and "国办发明电〔2025〕7号" in refs[2026]
    assert all(s.startswith(f"国务院办公厅关于{y}年部分节假日安排的通知") for y, s in refs.items())


@pytest.mark.parametrize(("start", "count", "due"), [
    # Spring Festival 2025: 1/26 (Sun) worked, 1/28–2/4 off, 2/8 (Sat) worked.
    (date(2025, 1, 20), 4, date(2025, 1, 24)),
    (date(2025, 1, 20), 5, date(2025, 1, 26)),   # the make-up Sunday counts
    (date(2025, 1, 20), 6, date(2025, 1, 27)),
    (date(2025, 1, 20), 7, date(2025, 2, 5)),    # the whole break is skipped
    (date(2025, 1, 20), 10, date(2025, 2, 8)),   # the make-up Saturday
    (date(2025, 1, 27), 1, date(2025, 2, 5)),    # 立案 on the last day before the break
    # National Day + Mid-Autumn 2025: 9/28 (Sun) worked, 10/1–10/8 off, 10/11 (Sat) worked.
    (date(2025, 9, 26), 1, date(2025, 9, 28)),
    (date(2025, 9, 26), 3, date(2025, 9, 30)),
    (date(2025, 9, 26), 4, date(2025, 10, 9)),
    (date(2025, 9, 26), 6, date(2025, 10, 11)),
    # Spring Festival 2026: 2/14 (Sat) worked, 2/15–2/23 off, 2/28 (Sat) worked.
    (date(2026, 2, 12), 2, date(2026, 2, 14)),
    (date(2026, 2, 12), 3, date(2026, 2, 24)),
    (date(2026, 2, 12), 7, date(2026, 2, 28)),
    (date(2026, 2, 12), 8, date(2026, 3, 2)),
    # National Day 2026: 9/20 (Sun) worked, 10/1–10/7 off, 10/10 (Sat) worked.
    (date(2026, 9, 18), 1, date(2026, 9, 20)),
    (date(2026, 9, 29), 2, date(2026, 10, 8)),
    (date(2026, 9, 29), 4, date(2026, 10, 10)),
    # 60 working days from 立案 on 2025-09-01: September 22 (with Sun 9/28), October 18 (10/9–10/31 with Sat 10/11)
    # → 40, then the 20th working day of November.
    (date(2025, 9, 1), 60, date(2025, 11, 28)),
])
def test_worked_deadlines_across_the_breaks(start: date, count: int, due: date) -> None:
    deadline = CAL.add_workdays(start, count)
    assert (deadline.date, deadline.provisional) == (due, False)
    # the same count with chinese-calendar's own working days
    days = chinese_calendar.get_workdays(start + timedelta(days=1), due)
    assert len(days) == count and days[-1] == due


def test_2027_has_no_notice_yet_so_its_statutory_holidays_count_provisionally() -> None:
    assert sorted(CAL.statutory_dates(2027)) == [
        date(2027, 1, 1),                                                       # 元旦
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),  # 除夕 and 正月初一至初三
        date(2027, 4, 5),                                                       # 清明
        date(2027, 5, 1), date(2027, 5, 2),                                     # 劳动节 (2 days since 2025)
        date(2027, 6, 9),                                                       # 端午 (五月初五)
        date(2027, 9, 15),                                                      # 中秋 (八月十五)
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),                # 国庆节
    ]
    assert not CAL.is_workday(date(2027, 2, 5)) and not CAL.is_workday(date(2027, 2, 8))
    assert CAL.is_workday(date(2027, 2, 9)) and not CAL.is_workday(date(2027, 2, 13))  # no make-up days known


def test_a_case_accepted_in_november_2026_falls_due_provisionally_in_2027() -> None:
    # Nov 23–Dec 31 2026: 29 working days; January 2027 (1/1 off): 20 → 49; Feb 1–4: 53; 2/5 and 2/8 off;
    # Feb 9–12: 57; Feb 15, 16, 17: 60.
    deadline = CAL.add_workdays(date(2026, 11, 20), 60)
    assert (deadline.date, deadline.provisional, deadline.provisional_years) == (date(2027, 2, 17), True, (2027,))
    assert CAL.add_workdays(date(2026, 11, 20), 29) == CAL.add_workdays(date(2026, 11, 20), 29)
    assert CAL.add_workdays(date(2026, 11, 20), 29).date == date(2026, 12, 31)
    assert not CAL.add_workdays(date(2026, 11, 20), 29).provisional


def test_adding_the_2027_notice_makes_the_deadline_final(tmp_path: Path) -> None:
    with_2027 = tmp_path / "calendar.toml"
    with_2027.write_text(CALENDAR_FILE.read_text(encoding="utf-8") + """
[[version]]
effective_from = 2027-01-01
effective_to = 2027-12-31
source = "国务院办公厅关于2027年部分节假日安排的通知（测试数据 test data）"
holidays = [
  { name = "元旦", first = 2027-01-01, last = 2027-01-03 },
  { name = "春节", first = 2027-02-05, last = 2027-02-13 },
]
workdays = [2027-02-20]
""", encoding="utf-8")
    cal = Calendar.load(with_2027, STATUTORY_FILE)
    # ... Feb 1–4: 53; 2/5–2/13 off; Feb 15–19: 58; Sat 2/20 worked: 59; Feb 22: 60.
    deadline = cal.add_workdays(date(2026, 11, 20), 60)
    assert (deadline.date, deadline.provisional) == (date(2027, 2, 22), False)


def test_before_2025_the_11_day_statutory_holidays_apply() -> None:
    assert len(CAL.statutory_dates(2023)) == 11 and date(2023, 5, 2) not in CAL.statutory_dates(2023)
    # 2008–2013 (国务院令第513号): 除夕、初一、初二; 2014–2024 (第644号): 初一至初三.
    assert {d for d in CAL.statutory_dates(2010) if d.month == 2} == {date(2010, 2, 13), date(2010, 2, 14),
                                                                      date(2010, 2, 15)}
    assert {d for d in CAL.statutory_dates(2014) if d.month in (1, 2)} >= {date(2014, 1, 31), date(2014, 2, 2)}
    assert len(CAL.statutory_dates(2029)) == 13  # (in 2028 中秋 falls on 10/3, inside 国庆节)


def test_a_year_listed_twice_is_refused(tmp_path: Path) -> None:
    text = CALENDAR_FILE.read_text(encoding="utf-8")
    twice = tmp_path / "calendar.toml"
    twice.write_text(text + text[text.index("[[version]]"):], encoding="utf-8")
    with pytest.raises(PolicyError):
        Calendar.load(twice, STATUTORY_FILE)
