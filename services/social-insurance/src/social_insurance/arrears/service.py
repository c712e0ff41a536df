"""Rules of 单位欠缴. "Today" is the bureau's (``hrss_shared.clock``).

A month is due once it has ended. For an employer's active enrolments, the months from each enrolment's start up
to the last due month without a posted contribution are owed (months of a suspension are not). When some person
owes a run of at least the policy's consecutive months (policy/arrears.toml, 2), the employer is in arrears for
``month`` = the end of the latest such run: one record and one ``arrears.raised`` event per employer and month,
naming every person, type and month owed. A record resolves (one ``arrears.resolved`` event) once every month it
named has a posted contribution (or is no longer enrolled with the employer: its enrolment was cancelled or
corrected as wrong). The check runs after an employer's contributions are posted or corrected, and daily.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, time

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    CONTRIBUTION_ARREARS_RAISED,
    CONTRIBUTION_ARREARS_RESOLVED,
    ContributionArrearsRaised,
    ContributionArrearsResolved,
    PersonMonthsOwed,
)
from hrss_shared import clock
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.scheduler import Job, daily_job
from social_insurance.arrears.models import Arrears, ArrearsPolicy, ArrearsStatus
from social_insurance.common import POLICY_DIR, month_index, month_of, months_from
from social_insurance.contributions import service as contributions
from social_insurance.enrolments.models import Enrolment, EnrolmentStatus

POLICY: PolicyTable[ArrearsPolicy] = PolicyTable.load(POLICY_DIR / "arrears.toml", ArrearsPolicy)
JOB = "arrears-check"
SORTS = ("month", "raised_date", "person_count")


def runs(months: list[str]) -> list[list[str]]:
    """Sorted months split into runs of consecutive months."""
    found: list[list[str]] = []
    for month in sorted(months):
        if found and month_index(month) == month_index(found[-1][-1]) + 1:
            found[-1].append(month)
        else:
            found.append([month])
    return found


def employer_lock(credit_code: str) -> str:
    return f"social-insurance-employer:{credit_code}"


async def _owed(*, session: AsyncSession, credit_code: str, today: date) -> tuple[dict[tuple[str, str], list[str]],
                                                                                   str | None]:
    """Months owed by (person, type) over the employer's active enrolments, and the employer's usual county."""
    rows = (await session.exec(select(Enrolment).where(
        Enrolment.credit_code == credit_code, Enrolment.status == EnrolmentStatus.active))).all()
    if not rows:
        return {}, None
    paid = await contributions.posted_months(session=session, id_numbers=sorted({e.id_number for e in rows}))
    last_due = contributions.last_due_month(today)
    owed: dict[tuple[str, str], list[str]] = {}
    for enrolment in rows:
        months = contributions.owed_months(enrolment, paid.get((enrolment.id_number, enrolment.insurance_type), set()),
                                           last_due)
        if months:
            owed.setdefault((enrolment.id_number, enrolment.insurance_type), []).extend(months)
    county = Counter(e.county_code for e in rows).most_common(1)[0][0]
    return owed, county


async def check_employer(*, session: AsyncSession, outbox: Outbox, credit_code: str,
                         today: date | None = None) -> tuple[int, int]:
    """Raise the employer's arrears for its latest month (once) and resolve paid-up records: (raised, resolved)."""
    today = today or clock.today()
    await lock_key(session, employer_lock(credit_code))
    rules = POLICY.at(today)
    owed, county = await _owed(session=session, credit_code=credit_code, today=today)
    raised = resolved = 0
    qualifying = [run for months in owed.values() for run in runs(months) if len(run) >= rules.consecutive_months]
    if qualifying:
        month = max(run[-1] for run in qualifying)
        record_id = f"{credit_code}-{month}"
        if await session.get(Arrears, record_id) is None:
            persons = [{"id_number": p, "insurance_type": t, "months": sorted(m)} for (p, t), m in sorted(owed.items())]
            record = Arrears(
                id=record_id, credit_code=credit_code, county_code=county, month=month,
                consecutive_months=max(len(run) for run in qualifying), persons=persons,
                person_count=len({p for p, _ in owed}), raised_date=today, policy_source=rules.source,
                illustrative=rules.illustrative)
            session.add(record)
            await session.flush()
            await outbox.add(session, CONTRIBUTION_ARREARS_RAISED, ContributionArrearsRaised(
                id=record.id, credit_code=credit_code, county_code=county, month=month,
                consecutive_months=record.consecutive_months,
                persons=[PersonMonthsOwed.model_validate(p) for p in persons], person_count=record.person_count))
            raised = 1
    resolved = await _resolve_paid(session=session, outbox=outbox, credit_code=credit_code, today=today)
    return raised, resolved


async def _resolve_paid(*, session: AsyncSession, outbox: Outbox, credit_code: str, today: date) -> int:
    records = (await session.exec(select(Arrears).where(
        Arrears.credit_code == credit_code, Arrears.status == ArrearsStatus.open))).all()
    if not records:
        return 0
    named = sorted({p["id_number"] for r in records for p in r.persons})
    paid = await contributions.posted_months(session=session, id_numbers=named)
    covered = await _covered(session=session, credit_code=credit_code, id_numbers=named)
    resolved = 0
    for record in records:
        if all(m in paid.get((p["id_number"], p["insurance_type"]), set())
               or m not in covered.get((p["id_number"], p["insurance_type"]), set())
               for p in record.persons for m in p["months"]):
            record.status, record.resolved_date, record.updated_at = ArrearsStatus.resolved, today, clock.now()
            session.add(record)
            await session.flush()
            await outbox.add(session, CONTRIBUTION_ARREARS_RESOLVED, ContributionArrearsResolved(
                id=record.id, credit_code=credit_code, county_code=record.county_code, month=record.month,
                resolved_on=today))
            resolved += 1
    return resolved


async def _covered(*, session: AsyncSession, credit_code: str,
                   id_numbers: list[str]) -> dict[tuple[str, str], set[str]]:
    """Months each (person, type) is enrolled with the employer (an enrolment cancelled as wrong covers none)."""
    rows = (await session.exec(select(Enrolment).where(
        Enrolment.credit_code == credit_code, col(Enrolment.id_number).in_(id_numbers),
        Enrolment.status != EnrolmentStatus.cancelled))).all()
    found: dict[tuple[str, str], set[str]] = {}
    for e in rows:
        last = month_of(e.end_date) if e.end_date else month_of(clock.today())
        found.setdefault((e.id_number, e.insurance_type), set()).update(months_from(month_of(e.start_date), last))
    return found


async def check_all(*, session: AsyncSession, outbox: Outbox, today: date) -> tuple[int, int]:
    """Every employer with active enrolments or open arrears: (raised, resolved)."""
    codes = set((await session.exec(select(Enrolment.credit_code).where(
        Enrolment.status == EnrolmentStatus.active, col(Enrolment.credit_code).is_not(None)).distinct())).all())
    codes |= set((await session.exec(select(Arrears.credit_code).where(
        Arrears.status == ArrearsStatus.open).distinct())).all())
    raised = resolved = 0
    for code in sorted(c for c in codes if c):
        r, s = await check_employer(session=session, outbox=outbox, credit_code=code, today=today)
        raised, resolved = raised + r, resolved + s
    return raised, resolved


def arrears_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 01:30 Beijing time: every employer's arrears raised or resolved."""
    return daily_job(JOB, time(1, 30), outbox,
                     lambda session, box, today: check_all(session=session, outbox=box, today=today),
                     lambda counts: f"arrears raised {counts[0]}, resolved {counts[1]}")


async def get_or_404(*, session: AsyncSession, arrears_id: str) -> Arrears:
    return await fetch_or_404(session, Arrears, arrears_id, f"欠缴记录 {arrears_id} 不存在 (arrears record not found)")


async def list_arrears(
    *, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
    status: ArrearsStatus | None, id_number: str | None, raised: DateRange, sort: str,
) -> tuple[list[Arrears], int]:
    """Arrears records filtered by employer, county, status and raised date range (and a person named, in memory)."""
    query = select(Arrears).where(*equals(
        (Arrears.credit_code, credit_code), (Arrears.county_code, county_code), (Arrears.status, status),
    ), *raised.clauses(col(Arrears.raised_date)))
    if id_number is not None:
        ids = [r.id for r in (await session.exec(query)).all() if any(p["id_number"] == id_number for p in r.persons)]
        query = select(Arrears).where(col(Arrears.id).in_(ids))
    columns = {key: col(getattr(Arrears, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Arrears.id))), page)
