"""The bureau clock: Beijing-time "today", UTC instants, and freeze()/advance() for tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from hrss_shared import clock


def test_today_turns_at_beijing_midnight() -> None:
    with clock.freeze(datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC)):
        assert clock.today() == date(2026, 3, 1)
        assert clock.bureau_now() == datetime(2026, 3, 1, 23, 59, 59, tzinfo=clock.BUREAU_TZ)
    with clock.freeze(datetime(2026, 3, 1, 16, 0, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 3, 2)
        assert clock.bureau_now().hour == 0


def test_now_is_aware_utc() -> None:
    instant = clock.now()
    assert instant.utcoffset() == timedelta(0)
    assert instant.tzinfo is UTC
    assert abs(datetime.now(UTC) - instant) < timedelta(seconds=5)
    assert clock.bureau_now().utcoffset() == timedelta(hours=8)


def test_freeze_with_a_date_is_bureau_midnight() -> None:
    with clock.freeze(date(2026, 1, 1)) as frozen:
        assert frozen == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
        assert clock.now() == frozen
        assert clock.now().tzinfo is UTC
        assert clock.today() == date(2026, 1, 1)


def test_freeze_with_a_naive_datetime_is_bureau_local() -> None:
    with clock.freeze(datetime(2026, 1, 1, 7, 30)):
        assert clock.now() == datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
        assert clock.today() == date(2026, 1, 1)


def test_freeze_nests_and_restores() -> None:
    with clock.freeze(date(2026, 5, 1)):
        with clock.freeze(date(2030, 1, 1)):
            assert clock.today() == date(2030, 1, 1)
        assert clock.today() == date(2026, 5, 1)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_freeze_restores_after_an_exception() -> None:
    with pytest.raises(KeyError), clock.freeze(date(2000, 1, 1)):
        raise KeyError
    assert clock.today().year > 2000


def test_advance_moves_the_innermost_freeze() -> None:
    with clock.freeze(datetime(2026, 3, 1, 15, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 3, 1)
        assert clock.advance(timedelta(hours=1)) == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
        assert clock.today() == date(2026, 3, 2)
        with clock.freeze(date(2020, 1, 1)):
            clock.advance(timedelta(days=1))
            assert clock.today() == date(2020, 1, 2)
        assert clock.today() == date(2026, 3, 2)


def test_advance_outside_freeze_fails() -> None:
    with pytest.raises(RuntimeError):
        clock.advance(timedelta(days=1))


async def test_freeze_holds_across_await_and_in_new_tasks() -> None:
    async def seen() -> date:
        await asyncio.sleep(0)
        return clock.today()

    with clock.freeze(date(2026, 7, 1)):
        await asyncio.sleep(0)
        assert clock.today() == date(2026, 7, 1)
        assert await asyncio.create_task(seen()) == date(2026, 7, 1)


def test_bureau_date_of_stored_utc_timestamps() -> None:
    assert clock.bureau_date(datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert clock.bureau_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        clock.bureau_date(datetime(2026, 3, 1, 16, 0))


def test_today_unfrozen_is_the_bureau_date_and_steps_in_at_beijing_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    """today() keeps the date until the next Beijing midnight (no time-zone work per call) and no longer."""
    assert not clock.is_frozen()
    assert clock.today() == datetime.now(clock.BUREAU_TZ).date()
    # A remembered day whose midnight is due: kept until that instant, computed anew from it on.
    midnight = datetime.combine(clock.today() + timedelta(days=1), datetime.min.time(), clock.BUREAU_TZ).timestamp()
    monkeypatch.setattr(clock, "_today", (date(2000, 1, 1), midnight))
    real_time = clock._time.time
    monkeypatch.setattr(clock._time, "time", lambda: midnight - 0.001)
    assert clock.today() == date(2000, 1, 1)  # just before midnight: the remembered day, no time-zone work
    monkeypatch.setattr(clock._time, "time", lambda: midnight)
    assert clock.today() == datetime.now(clock.BUREAU_TZ).date()  # at midnight: the date again, from the clock
    monkeypatch.setattr(clock._time, "time", real_time)
    with clock.freeze(datetime(2030, 6, 1, 16, 0, tzinfo=UTC)):
        assert clock.is_frozen()
        assert clock.today() == date(2030, 6, 2)  # a freeze is answered, not the remembered day
    assert clock.today() == datetime.now(clock.BUREAU_TZ).date()
