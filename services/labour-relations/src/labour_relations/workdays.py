"""Working days on China's official calendar: the State Council's annual holiday notices (policy/calendar.toml),
and, for a year whose notice is not in the data yet, a provisional count from weekends and the statutory holidays
of 全国年节及纪念日放假办法 (policy/statutory_holidays.toml).

A deadline of N working days "from" a date counts the working days after it: day 1 is the first working day
after the start date, and the deadline is the N-th (劳动保障监察条例 art. 17: 60 working days from 立案).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import chinese_calendar
from lunardate import LunarDate
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hrss_shared.policy import PolicyError, PolicyTable, PolicyVersion

POLICY_DIR = Path(__file__).resolve().parent / "policy"
CALENDAR_FILE = POLICY_DIR / "calendar.toml"
STATUTORY_FILE = POLICY_DIR / "statutory_holidays.toml"


class HolidaySpan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    first: date
    last: date

    @model_validator(mode="after")
    def _ordered(self) -> HolidaySpan:
        if self.last < self.first:
            raise ValueError(f"{self.name}: last {self.last} before first {self.first}")
        return self

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


class YearCalendar(PolicyVersion):
    """One year of calendar.toml: the notice's days off and its make-up workdays (调休上班)."""

    holidays: list[HolidaySpan] = Field(min_length=1)
    workdays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_year(self) -> YearCalendar:
        year = self.effective_from.year
        if self.effective_from != date(year, 1, 1) or self.effective_to != date(year, 12, 31):
            raise ValueError("a calendar version covers one whole year "
                             f"(got {self.effective_from}..{self.effective_to})")
        for day in [d for span in self.holidays for d in span.days()] + list(self.workdays):
            if day.year != year:
                raise ValueError(f"{day} is not in {year}")
        return self

    @property
    def year(self) -> int:
        return self.effective_from.year

    def days_off(self) -> frozenset[date]:
        return frozenset(d for span in self.holidays for d in span.days())


class StatutoryHoliday(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    calendar: Literal["solar", "lunar", "solar_term"]
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    term: str | None = None
    days: int = Field(ge=1, le=7)
    eve: bool = False  # 除夕: the day before lunar 1/1

    def dates(self, year: int) -> list[date]:
        """The holiday's days in ``year`` (solar)."""
        if self.calendar == "solar_term":
            terms = chinese_calendar.get_solar_terms(date(year, 1, 1), date(year, 12, 31))
            first = next(day for day, name in terms if name == self.term)
        else:
            assert self.month is not None and self.day is not None
            if self.calendar == "solar":
                first = date(year, self.month, self.day)
            else:
                first = LunarDate(year, self.month, self.day).to_solar_date()
        found = [first + timedelta(days=i) for i in range(self.days)]
        return [first - timedelta(days=1), *found] if self.eve else found


class StatutoryHolidays(PolicyVersion):
    holidays: list[StatutoryHoliday] = Field(min_length=1)


@dataclass(frozen=True)
class Deadline:
    """A working-day deadline and whether a year it spans was counted provisionally."""

    date: date
    provisional: bool
    provisional_years: tuple[int, ...] = ()


@dataclass
class Calendar:
    """The official calendar the service counts on (one per process; see :func:`install`)."""

    years: PolicyTable[YearCalendar]
    statutory: PolicyTable[StatutoryHolidays]
    _off: dict[int, frozenset[date]] = field(default_factory=dict)
    _on: dict[int, frozenset[date]] = field(default_factory=dict)

    @classmethod
    def load(cls, calendar_file: Path = CALENDAR_FILE, statutory_file: Path = STATUTORY_FILE) -> Calendar:
        years = PolicyTable.load(calendar_file, YearCalendar)
        seen = [v.year for v in years.versions]
        if len(set(seen)) != len(seen):
            raise PolicyError(f"{calendar_file}: a year appears twice")
        return cls(years=years, statutory=PolicyTable.load(statutory_file, StatutoryHolidays))

    def notice(self, year: int) -> YearCalendar | None:
        """The year's State Council notice, when the data has it."""
        return next((v for v in self.years.versions if v.year == year), None)

    def is_provisional(self, year: int) -> bool:
        return self.notice(year) is None

    def statutory_dates(self, year: int) -> frozenset[date]:
        """The statutory holidays of ``year`` under the 放假办法 in force on 1 January of that year."""
        rules = self.statutory.at(date(year, 1, 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return frozenset(d for holiday in rules.holidays for d in holiday.dates(year))

    def _load_year(self, year: int) -> None:
        if year in self._off:
            return
        notice = self.notice(year)
        if notice is not None:
            self._off[year], self._on[year] = notice.days_off(), frozenset(notice.workdays)
        else:
            self._off[year], self._on[year] = self.statutory_dates(year), frozenset()

    def is_workday(self, day: date) -> bool:
        """A working day: a make-up workday, or a weekday that is not a day off."""
        self._load_year(day.year)
        if day in self._on[day.year]:
            return True
        return day.weekday() < 5 and day not in self._off[day.year]

    def add_workdays(self, start: date, count: int) -> Deadline:
        """The ``count``-th working day after ``start``."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, left = start, count
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        years = tuple(y for y in range(start.year, day.year + 1) if self.is_provisional(y))
        return Deadline(date=day, provisional=bool(years), provisional_years=years)

    def workdays_between(self, after: date, until: date) -> int:
        """Working days after ``after`` up to and including ``until`` (0 when ``until`` is not later)."""
        n, day = 0, after
        while day < until:
            day += timedelta(days=1)
            n += self.is_workday(day)
        return n


_current: list[Calendar] = []


def install(calendar: Calendar) -> None:
    """Make ``calendar`` the one this process counts on (the app does it at creation from its settings)."""
    _current[:] = [calendar]


def current() -> Calendar:
    if not _current:
        install(Calendar.load())
    return _current[0]
