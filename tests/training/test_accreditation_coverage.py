"""The days of a course no accreditation covers (training.institutions.service.uncovered), against counting days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from training.institutions.service import uncovered

BASE = date(2026, 1, 1)
day = st.integers(min_value=0, max_value=60).map(lambda n: BASE + timedelta(days=n))
period = st.tuples(day, day).map(lambda p: (min(p), max(p)))


def days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


@given(periods=st.lists(period, max_size=5), course=period)
def test_uncovered_runs_are_exactly_the_days_no_period_covers(periods: list[tuple[date, date]],
                                                              course: tuple[date, date]) -> None:
    gaps = uncovered(periods, *course)
    covered: set[date] = set().union(*(days(a, b) for a, b in periods)) if periods else set()
    expected = days(*course) - covered
    found: set[date] = set().union(*(days(a, b) for a, b in gaps)) if gaps else set()
    assert found == expected
    for (a, b), (c, _) in zip(gaps, gaps[1:], strict=False):  # runs in order, separated by covered days
        assert a <= b < c - timedelta(days=1)


def test_edges() -> None:
    may = (date(2026, 3, 1), date(2026, 4, 30))
    assert uncovered([(date(2026, 1, 1), date(2026, 4, 30))], *may) == []
    assert uncovered([(date(2026, 1, 1), date(2026, 4, 29))], *may) == [(date(2026, 4, 30), date(2026, 4, 30))]
    assert uncovered([(date(2026, 3, 2), date(2026, 4, 30))], *may) == [(date(2026, 3, 1), date(2026, 3, 1))]
    assert uncovered([(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 30))], *may) == []
    assert uncovered([], *may) == [may]
