"""参保"一件事" (one-stop enrolment) from employment's events. "Today" is the bureau's (``hrss_shared.clock``).

- An employment registration opens pending enrolments with its employer in the policy's types (policy/one_stop.toml:
  企业职工养老, 失业, 工伤) — one per registration and type, and none where the person already has a pending or active
  one of the type with that employer — and publishes one 医保参保申请 for the medical-insurance bureau.
- The first contribution activates a pending enrolment (contributions). One still pending after start date + grace
  days (社会保险法 art. 58: 30 days; on the 30th day still in time) is a coverage gap: one event per enrolment, at
  once when the event arrives after the grace period, otherwise from the daily job.
- A terminated employment ends the person's open enrolments with that employer from its end date.
Redelivered events change nothing: each effect is keyed by the registration id (and the enrolment's state).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from typing import TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import EmploymentRegistered, EmploymentTerminated
from hrss_contracts.social_insurance import (
    COVERAGE_GAP_DETECTED,
    ENROLMENT_REGISTERED,
    MEDICAL_ENROLMENT_REQUESTED,
    CoverageGapDetected,
    MedicalEnrolmentRequested,
)
from hrss_shared import clock
from hrss_shared.consumer import PermanentEventError
from hrss_shared.db import lock_key, lock_keys
from hrss_shared.events import Contract, EventData
from hrss_shared.outbox import Outbox
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.scheduler import Job, daily_job
from social_insurance.common import POLICY_DIR
from social_insurance.enrolments import service as enrolments
from social_insurance.enrolments.models import Enrolment, EnrolmentStatus, Origin
from social_insurance.onestop.models import MedicalRequest, OneStopPolicy

POLICY: PolicyTable[OneStopPolicy] = PolicyTable.load(POLICY_DIR / "one_stop.toml", OneStopPolicy)
GAP_JOB = "coverage-gap-check"
M = TypeVar("M", bound=EventData)


def _rules(start: date) -> OneStopPolicy:
    try:
        return POLICY.at(start)
    except PolicyError as exc:
        raise PermanentEventError(f"用工起始日期 {start} 无适用的参保一件事政策 ({exc})") from exc


async def on_employment_registered(
    *, session: AsyncSession, outbox: Outbox, registrations: Sequence[tuple[str | None, EmploymentRegistered]],
) -> int:
    """Open the 参保"一件事" of a run of employment registrations (a consumer's batch, in order; each with the
    correlation id its events carry); the number of enrolments opened.

    Set-based: the persons locked in one statement, the enrolments and medical requests already there read in one
    query each, the new rows written in one flush and their events in one bulk write per type. A registration's
    effects see those of the registrations before it in the run (the keys grow as rows are planned).
    """
    today = clock.today()
    plans = [(correlation, registration, _rules(registration.start_date))
             for correlation, registration in registrations]
    await lock_keys(session, (enrolments.person_lock(registration.id_number) for _, registration, _ in plans))
    registration_ids = [registration.id for _, registration, _ in plans]
    by_registration, open_with = await enrolments.one_stop_keys(
        session=session, insurance_types=sorted({kind for *_, rules in plans for kind in rules.opened_types}),
        registration_ids=registration_ids, id_numbers=[registration.id_number for _, registration, _ in plans])
    requested = set((await session.exec(select(MedicalRequest.employment_registration_id).where(
        col(MedicalRequest.employment_registration_id).in_(registration_ids)))).all())
    opened: list[tuple[str | None, Enrolment]] = []
    requests: list[tuple[str | None, MedicalEnrolmentRequested]] = []
    rows: list[Enrolment | MedicalRequest] = []
    for correlation, registration, rules in plans:
        for kind in rules.opened_types:
            if (kind, registration.id) in by_registration or \
                    (kind, registration.id_number, registration.credit_code) in open_with:
                continue  # this registration opened it already, or the person has one open with this employer
            enrolment = enrolments.pending_one_stop(
                id_number=registration.id_number, name=registration.name, county_code=registration.county_code,
                insurance_type=kind, credit_code=registration.credit_code, start_date=registration.start_date,
                employment_registration_id=registration.id)
            by_registration.add((kind, registration.id))
            open_with.add((kind, registration.id_number, registration.credit_code))
            opened.append((correlation, enrolment))
            rows.append(enrolment)
        if registration.id not in requested:
            requested.add(registration.id)
            request = MedicalRequest(
                employment_registration_id=registration.id, id_number=registration.id_number,
                credit_code=registration.credit_code, county_code=registration.county_code,
                start_date=registration.start_date, requested_date=today)
            rows.append(request)
            requests.append((correlation, MedicalEnrolmentRequested(
                id=request.id, id_number=registration.id_number, name=registration.name,
                credit_code=registration.credit_code, employer_name=registration.employer_name,
                county_code=registration.county_code, start_date=registration.start_date,
                employment_registration_id=registration.id, requested_date=today)))
    gaps = [(correlation, gap) for correlation, enrolment in opened if (gap := _gap(enrolment, today)) is not None]
    session.add_all(rows)
    await session.flush()
    await _publish(session, outbox, ENROLMENT_REGISTERED, [(c, enrolments.one_stop_registered(e)) for c, e in opened])
    await _publish(session, outbox, MEDICAL_ENROLMENT_REQUESTED, requests)
    await _publish(session, outbox, COVERAGE_GAP_DETECTED, gaps)
    return len(opened)


async def _publish(session: AsyncSession, outbox: Outbox, contract: Contract[M],
                   events: Sequence[tuple[str | None, M]]) -> None:
    """Stage ``events`` (correlation id, data) with one bulk write."""
    await outbox.add_many(session, contract, [data for _, data in events],
                          correlations=[correlation for correlation, _ in events])


async def on_employment_terminated(*, session: AsyncSession, outbox: Outbox, termination: EmploymentTerminated) -> int:
    """A terminated employment ends the employer-bound enrolments from its end date; the number ended."""
    return await enrolments.end_for_termination(
        session=session, outbox=outbox, id_number=termination.id_number, credit_code=termination.credit_code,
        end_date=termination.end_date, reason=termination.reason, employment_registration_id=termination.id)


def due_date(enrolment: Enrolment) -> tuple[date, OneStopPolicy]:
    """The last day the enrolment may still be pending (start date + grace days), and the policy."""
    rules = POLICY.at(enrolment.start_date)
    return enrolment.start_date + timedelta(days=rules.grace_days), rules


def _gap(enrolment: Enrolment, today: date) -> CoverageGapDetected | None:
    """A pending enrolment past its grace days becomes a coverage gap (marked on the enrolment): its event."""
    if enrolment.status != EnrolmentStatus.pending or enrolment.gap_detected_date is not None:
        return None
    due, rules = due_date(enrolment)
    if today <= due:
        return None
    enrolment.gap_detected_date = today
    enrolment.updated_at = clock.now()
    return CoverageGapDetected(
        id=enrolment.id, id_number=enrolment.id_number, county_code=enrolment.county_code,
        insurance_type=enrolment.insurance_type, credit_code=enrolment.credit_code, start_date=enrolment.start_date,
        grace_days=rules.grace_days, due_date=due, detected_date=today, policy_source=rules.source)


async def _gap_if_due(*, session: AsyncSession, outbox: Outbox, enrolment: Enrolment, today: date) -> bool:
    gap = _gap(enrolment, today)
    if gap is None:
        return False
    session.add(enrolment)
    await session.flush()
    await outbox.add(session, COVERAGE_GAP_DETECTED, gap)
    return True


async def detect_gaps(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Every pending 一件事 enrolment past its grace period gets its coverage-gap event (once); the number found."""
    ids = (await session.exec(select(Enrolment.id).where(
        Enrolment.status == EnrolmentStatus.pending, Enrolment.origin == Origin.one_stop,
        col(Enrolment.gap_detected_date).is_(None)).order_by(col(Enrolment.id)))).all()
    found = 0
    for enrolment_id in ids:
        enrolment = await session.get(Enrolment, enrolment_id)
        if enrolment is None:
            continue
        await lock_key(session, enrolments.person_lock(enrolment.id_number))
        await session.refresh(enrolment)
        found += await _gap_if_due(session=session, outbox=outbox, enrolment=enrolment, today=today)
    return found


def gap_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 01:00 Beijing time: pending enrolments past the grace days become coverage gaps."""
    return daily_job(GAP_JOB, time(1, 0), outbox,
                     lambda session, box, today: detect_gaps(session=session, outbox=box, today=today),
                     lambda n: f"coverage gaps {n}")
