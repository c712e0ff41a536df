"""Rules of 欠薪联合预警. A signal (social-insurance contribution arrears, a missed payroll, a payroll below the
minimum wage, a complaint, a group case) is recorded once per source record; the employer's score is the sum of its
live signals' weights, each halved every ``half_life_days`` (policy/warnings.toml). Whenever a signal is added or
ends, and daily, the score is compared with the threshold: reaching it with no open warning raises ONE warning (an
event listing the signals); falling below it clears the open warning (an event)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.labour_relations import (
    WARNING_CLEARED,
    WARNING_RAISED,
    SignalScore,
    WarningCleared,
    WarningRaised,
)
from hrss_shared import clock
from hrss_shared.db import lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.scheduler import Job, daily_job
from labour_relations.warnings.models import (
    ArrearsWarning,
    Signal,
    SignalKind,
    SignalPoints,
    WarningPolicy,
    WarningStatus,
)
from labour_relations.workdays import POLICY_DIR

POLICY: PolicyTable[WarningPolicy] = PolicyTable.load(POLICY_DIR / "warnings.toml", WarningPolicy)
SORTS = ("raised_date", "score", "created_at")
REVIEW_JOB = "arrears-warning-review"


def employer_lock(credit_code: str) -> str:
    return f"labour-employer:{credit_code}"


async def live_signals(session: AsyncSession, credit_code: str, today: date) -> list[SignalPoints]:
    """The employer's signals that count today, with their decayed points (largest first)."""
    rules = POLICY.at(today)
    rows = (await session.exec(select(Signal).where(
        Signal.credit_code == credit_code, col(Signal.ended_date).is_(None),
        col(Signal.occurred_date) <= today,
        col(Signal.occurred_date) > today - timedelta(days=rules.window_days)))).all()
    found = []
    for row in rows:
        weight = rules.weights.get(SignalKind(row.kind), 0.0)
        points = round(weight * 0.5 ** ((today - row.occurred_date).days / rules.half_life_days), 2)
        if points > 0:
            found.append(SignalPoints(kind=SignalKind(row.kind), reference=row.reference,
                                      occurred_date=row.occurred_date, weight=weight, points=points))
    return sorted(found, key=lambda s: (-s.points, s.occurred_date, s.reference))


def total(signals: list[SignalPoints]) -> float:
    return round(sum(s.points for s in signals), 2)


async def open_warning(session: AsyncSession, credit_code: str) -> ArrearsWarning | None:
    return (await session.exec(select(ArrearsWarning).where(
        ArrearsWarning.credit_code == credit_code, ArrearsWarning.status == WarningStatus.open))).first()


async def evaluate(*, session: AsyncSession, outbox: Outbox, credit_code: str, county_code: str | None,
                   today: date) -> ArrearsWarning | None:
    """Compare the employer's score with the threshold: raise one warning on reaching it, clear it below it."""
    await lock_key(session, employer_lock(credit_code))
    rules = POLICY.at(today)
    signals = await live_signals(session, credit_code, today)
    score = total(signals)
    current = await open_warning(session, credit_code)
    if score >= rules.threshold and current is None:
        warning = ArrearsWarning(
            credit_code=credit_code, county_code=county_code, score=score, threshold=rules.threshold,
            raised_date=today, signals=[s.model_dump(mode="json") for s in signals], policy_source=rules.source,
            illustrative=rules.illustrative)
        session.add(warning)
        await session.flush()
        await outbox.add(session, WARNING_RAISED, WarningRaised(
            id=warning.id, credit_code=credit_code, county_code=county_code, score=score, threshold=rules.threshold,
            raised_date=today, signals=[SignalScore(**s.model_dump()) for s in signals], policy_source=rules.source,
            illustrative=rules.illustrative))
        return warning
    if score < rules.threshold and current is not None:
        current.status, current.cleared_date, current.cleared_score = WarningStatus.cleared, today, score
        current.updated_at = clock.now()
        session.add(current)
        await session.flush()
        await outbox.add(session, WARNING_CLEARED, WarningCleared(
            id=current.id, credit_code=credit_code, county_code=current.county_code, score=score,
            threshold=rules.threshold, cleared_date=today))
    return current


async def add_signal(*, session: AsyncSession, outbox: Outbox, credit_code: str, county_code: str | None,
                     kind: SignalKind, reference: str, occurred_date: date) -> bool:
    """Record a signal once (by kind and source record) and re-evaluate the employer; False when already known."""
    await lock_key(session, employer_lock(credit_code))
    known = (await session.exec(select(Signal.id).where(Signal.kind == kind, Signal.reference == reference))).first()
    if known is not None:
        return False
    today = clock.today()  # an event stamped later than the bureau's today (clock skew) counts from today
    session.add(Signal(credit_code=credit_code, county_code=county_code, kind=kind, reference=reference,
                       occurred_date=min(occurred_date, today)))
    await session.flush()
    await evaluate(session=session, outbox=outbox, credit_code=credit_code, county_code=county_code, today=today)
    return True


async def end_signal(*, session: AsyncSession, outbox: Outbox, credit_code: str, kind: SignalKind | None,
                     reference: str, ended: date) -> int:
    """End the live signals of a source record (resolved or withdrawn) and re-evaluate; the number ended."""
    await lock_key(session, employer_lock(credit_code))
    query = select(Signal).where(Signal.credit_code == credit_code, Signal.reference == reference,
                                 col(Signal.ended_date).is_(None))
    if kind is not None:
        query = query.where(Signal.kind == kind)
    rows = (await session.exec(query)).all()
    for row in rows:
        row.ended_date = ended
        session.add(row)
    if rows:
        await session.flush()
        await evaluate(session=session, outbox=outbox, credit_code=credit_code, county_code=rows[0].county_code,
                       today=clock.today())
    return len(rows)


async def withdraw_signals(*, session: AsyncSession, outbox: Outbox, credit_code: str, reference: str) -> int:
    """A record cancelled as wrongly recorded no longer signals anything."""
    return await end_signal(session=session, outbox=outbox, credit_code=credit_code, kind=None, reference=reference,
                            ended=clock.today())


async def review_open(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Re-evaluate every employer with an open warning (decay may clear it); the number cleared."""
    rows = (await session.exec(select(ArrearsWarning.credit_code, ArrearsWarning.county_code).where(
        ArrearsWarning.status == WarningStatus.open).order_by(col(ArrearsWarning.credit_code)))).all()
    cleared = 0
    for credit_code, county_code in rows:
        warning = await evaluate(session=session, outbox=outbox, credit_code=credit_code, county_code=county_code,
                                 today=today)
        cleared += warning is not None and warning.status == WarningStatus.cleared
    return cleared


def review_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 00:30 Beijing time: open warnings whose score decayed below the threshold are cleared."""
    return daily_job(REVIEW_JOB, time(0, 30), outbox,
                     lambda session, box, today: review_open(session=session, outbox=box, today=today),
                     lambda n: f"cleared {n} warnings")


async def list_warnings(*, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
                        status: WarningStatus | None, raised: DateRange, sort: str) -> tuple[list[ArrearsWarning], int]:
    query = select(ArrearsWarning).where(*equals(
        (ArrearsWarning.credit_code, credit_code), (ArrearsWarning.county_code, county_code),
        (ArrearsWarning.status, status)), *raised.clauses(col(ArrearsWarning.raised_date)))
    columns = {key: col(getattr(ArrearsWarning, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(ArrearsWarning.id))), page)
