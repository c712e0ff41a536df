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

from collections.abc import Callable
from datetime import date, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import EmploymentRegistered, EmploymentTerminated
from hrss_contracts.social_insurance import (
    COVERAGE_GAP_DETECTED,
    MEDICAL_ENROLMENT_REQUESTED,
    CoverageGapDetected,
    MedicalEnrolmentRequested,
)
from hrss_shared import clock
from hrss_shared.consumer import PermanentEventError
from hrss_shared.db import lock_key
from hrss_shared.outbox import Outbox
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.scheduler import Job, daily_job
from social_insurance.common import POLICY_DIR
from social_insurance.enrolments import service as enrolments
from social_insurance.enrolments.models import Enrolment, EnrolmentStatus, Origin
from social_insurance.onestop.models import MedicalRequest, OneStopPolicy

POLICY: PolicyTable[OneStopPolicy] = PolicyTable.load(POLICY_DIR / "one_stop.toml", OneStopPolicy)
GAP_JOB = "coverage-gap-check"


def _rules(start: date) -> OneStopPolicy:
    try:
        return POLICY.at(start)
    except PolicyError as exc:
        raise PermanentEventError(f"用工起始日期 {start} 无适用的参保一件事政策 ({exc})") from exc


async def on_employment_registered(*, session: AsyncSession, outbox: Outbox, registration: EmploymentRegistered) -> int:
    """Open the 参保"一件事" of an employment registration; the number of enrolments opened."""
    today = clock.today()
    rules = _rules(registration.start_date)
    await lock_key(session, enrolments.person_lock(registration.id_number))
    opened: list[Enrolment] = []
    for kind in rules.opened_types:
        enrolment = await enrolments.open_pending(
            session=session, outbox=outbox, id_number=registration.id_number, name=registration.name,
            county_code=registration.county_code, insurance_type=kind, credit_code=registration.credit_code,
            start_date=registration.start_date, employment_registration_id=registration.id)
        if enrolment is not None:
            opened.append(enrolment)
    if await session.scalar(select(MedicalRequest.id).where(
            MedicalRequest.employment_registration_id == registration.id)) is None:
        request = MedicalRequest(
            employment_registration_id=registration.id, id_number=registration.id_number,
            credit_code=registration.credit_code, county_code=registration.county_code,
            start_date=registration.start_date, requested_date=today)
        session.add(request)
        await session.flush()
        await outbox.add(session, MEDICAL_ENROLMENT_REQUESTED, MedicalEnrolmentRequested(
            id=request.id, id_number=registration.id_number, name=registration.name,
            credit_code=registration.credit_code, employer_name=registration.employer_name,
            county_code=registration.county_code, start_date=registration.start_date,
            employment_registration_id=registration.id, requested_date=today))
    for enrolment in opened:
        await _gap_if_due(session=session, outbox=outbox, enrolment=enrolment, today=today)
    return len(opened)


async def on_employment_terminated(*, session: AsyncSession, outbox: Outbox, termination: EmploymentTerminated) -> int:
    """A terminated employment ends the employer-bound enrolments from its end date; the number ended."""
    return await enrolments.end_for_termination(
        session=session, outbox=outbox, id_number=termination.id_number, credit_code=termination.credit_code,
        end_date=termination.end_date, reason=termination.reason, employment_registration_id=termination.id)


def due_date(enrolment: Enrolment) -> tuple[date, OneStopPolicy]:
    """The last day the enrolment may still be pending (start date + grace days), and the policy."""
    rules = POLICY.at(enrolment.start_date)
    return enrolment.start_date + timedelta(days=rules.grace_days), rules


async def _gap_if_due(*, session: AsyncSession, outbox: Outbox, enrolment: Enrolment, today: date) -> bool:
    if enrolment.status != EnrolmentStatus.pending or enrolment.gap_detected_date is not None:
        return False
    due, rules = due_date(enrolment)
    if today <= due:
        return False
    enrolment.gap_detected_date = today
    enrolment.updated_at = clock.now()
    session.add(enrolment)
    await session.flush()
    await outbox.add(session, COVERAGE_GAP_DETECTED, CoverageGapDetected(
        id=enrolment.id, id_number=enrolment.id_number, county_code=enrolment.county_code,
        insurance_type=enrolment.insurance_type, credit_code=enrolment.credit_code, start_date=enrolment.start_date,
        grace_days=rules.grace_days, due_date=due, detected_date=today, policy_source=rules.source))
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
