"""The bureau clock: instants in UTC, the bureau's day in Beijing time, and a freeze for tests.

Every rule that compares with "today" calls ``today()`` here, never ``date.today()`` or the server's date.
``freeze()`` and ``advance()`` are for tests: they override the clock process-wide (so the override holds
across ``await`` and in tasks created while frozen) and are not meant for concurrent use in production code.
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BUREAU_TZ = ZoneInfo("Asia/Shanghai")

# Innermost freeze last; each entry is an aware UTC instant.
_frozen: list[datetime] = []


def now() -> datetime:
    """The current instant as an aware datetime in UTC (for stored timestamps)."""
    return _frozen[-1] if _frozen else datetime.now(UTC)


def is_frozen() -> bool:
    """Whether a test has frozen the clock (then "today" may go backwards: nothing may be cached against it)."""
    return bool(_frozen)


def bureau_now() -> datetime:
    """The current instant as an aware datetime in Beijing time."""
    return now().astimezone(BUREAU_TZ)


# today() unfrozen: the bureau's date and the POSIX instant its next midnight (Beijing time) begins. Until then the
# answer is the same date, so the hot paths (validators, consumers: once per event) skip the time-zone conversion.
_today: tuple[date, float] = (date.min, 0.0)


def today() -> date:
    """The bureau's date today (Beijing time)."""
    if _frozen:
        return _frozen[-1].astimezone(BUREAU_TZ).date()
    global _today
    day, until = _today
    if _time.time() < until:
        return day
    local = datetime.now(BUREAU_TZ)
    day = local.date()
    midnight = datetime.combine(day + timedelta(days=1), time(), BUREAU_TZ)
    _today = (day, midnight.timestamp())
    return day


def bureau_date(instant: datetime) -> date:
    """The bureau's date (Beijing time) of an aware instant, e.g. a stored UTC timestamp."""
    if instant.utcoffset() is None:
        raise ValueError(f"时间须带时区 (instant must be timezone-aware, got naive {instant.isoformat()})")
    return instant.astimezone(BUREAU_TZ).date()


def _as_utc(at: datetime | date) -> datetime:
    """An aware UTC instant for ``at``: a date is bureau-local midnight, a naive datetime bureau-local time."""
    if not isinstance(at, datetime):
        at = datetime.combine(at, time())
    if at.utcoffset() is None:
        at = at.replace(tzinfo=BUREAU_TZ)
    return at.astimezone(UTC)


@contextmanager
def freeze(at: datetime | date) -> Iterator[datetime]:
    """Tests only: make the clock answer ``at`` inside the block (nestable); yields the frozen UTC instant."""
    _frozen.append(_as_utc(at))
    depth = len(_frozen)
    try:
        yield _frozen[-1]
    finally:
        del _frozen[depth - 1 :]


def advance(delta: timedelta) -> datetime:
    """Tests only: move the innermost frozen instant by ``delta``; returns the new UTC instant."""
    if not _frozen:
        raise RuntimeError("advance() only works inside clock.freeze()")
    _frozen[-1] += delta
    return _frozen[-1]
