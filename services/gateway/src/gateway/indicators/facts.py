"""The indicator consumer's handlers: each event updates the one fact row of its record (see models.KIND_COLUMNS).

Idempotent: a row is keyed by kind and record id and an event sets values, never adds to them. Order: an event
about a record's state (a snapshot: insurance enrolments, cards, arrears cases, disputes, training results)
applies only if it is not older than the newest one applied; dates that only one event type carries (a start, an
end) are set whatever the order. A cancellation voids the row for good: a voided row is never counted again.

Rows are worked on in memory per consumed batch (:data:`ROWS`, a batch hook: one load of every row the batch's events
name before its handlers, one upsert of the changed rows after them; see :mod:`gateway.readmodel.rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.indicators.models import IndicatorFact
from gateway.readmodel.rows import RowsHook, RowTable
from gateway.readmodel.store import stamp
from hrss_contracts import contracts_of
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lr
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent, Contract
from hrss_shared.reference.retirement import Sex, category_for, retirement_date, sex_of
from hrss_shared.registry import LABOUR_RELATIONS
from hrss_shared.validators import birth_date_of

handlers = Handlers()
# A woman's original retirement age is not on her ID number nor on the employment events: the employment service's
# default (policy/working_age.toml default_female_original_age = 55) applies, as in its natural-attrition count.
FEMALE_ORIGINAL_AGE = 55


def retires_on(id_number: str) -> date:
    """The day the person reaches the statutory retirement age (hrss_shared.reference.retirement)."""
    return _retires_on(birth_date_of(id_number), sex_of(id_number))


@lru_cache(maxsize=1 << 16)
def _retires_on(birth: date, sex: Sex) -> date:
    # By what the answer depends on, not by the person: a batch's many persons share few birth dates.
    return retirement_date(birth, category_for(sex, FEMALE_ORIGINAL_AGE))


FACTS = RowTable(IndicatorFact)
_KIND_OF: dict[str, str] = {}  # event type -> the kind of fact its handler updates (learnt from the first one)
_event_type: ContextVar[str | None] = ContextVar("indicator_event_type", default=None)


def _keys(events: Sequence[CloudEvent]) -> dict[RowTable, set[str]]:
    keys = set()
    for event in events:
        kind, record_id = _KIND_OF.get(event.type), event.data.get("id")
        if kind is not None and isinstance(record_id, str):
            keys.add(f"{kind}:{record_id}")
    return {FACTS: keys}


ROWS = RowsHook([FACTS], _keys)


async def _row(session: AsyncSession, kind: str, record_id: str, at: str) -> tuple[Any, bool]:
    """The fact row of a record (created empty if new) and whether an event at ``at`` is not older than the row."""
    event_type = _event_type.get()
    if event_type is not None:
        _KIND_OF.setdefault(event_type, kind)
    key = f"{kind}:{record_id}"
    row, new = await FACTS.get_or_new(session, key, key=key, kind=kind, record_id=record_id, event_time=at)
    if new:
        return row, True
    newer = at >= row.event_time
    if newer:
        row.event_time = at
    return row, newer


def _set(row: Any, **values: Any) -> None:
    for name, value in values.items():
        setattr(row, name, value)


# ---- hrss.employment ----------------------------------------------------------------------------------------


@handlers.on(emp.EMPLOYMENT_REGISTERED)
async def on_employment_registered(session: AsyncSession, event: CloudEvent, data: emp.EmploymentRegistered) -> None:
    row, _ = await _row(session, "employment", data.id, stamp(event.time))
    _set(row, subject=data.id_number, county_code=data.county_code, start_date=data.start_date,
         retires_on=retires_on(data.id_number))


@handlers.on(emp.EMPLOYMENT_TERMINATED)
async def on_employment_terminated(session: AsyncSession, event: CloudEvent, data: emp.EmploymentTerminated) -> None:
    row, _ = await _row(session, "employment", data.id, stamp(event.time))
    _set(row, subject=data.id_number, end_date=data.end_date, retires_on=retires_on(data.id_number))


@handlers.on(emp.UNEMPLOYMENT_REGISTERED)
async def on_unemployment_registered(
    session: AsyncSession, event: CloudEvent, data: emp.UnemploymentRegistered
) -> None:
    row, newer = await _row(session, "unemployment", data.id, stamp(event.time))
    _set(row, subject=data.id_number)
    if newer or row.start_date is None:
        _set(row, county_code=data.county_code, start_date=data.registered_date)


@handlers.on(emp.UNEMPLOYMENT_CORRECTED)
async def on_unemployment_corrected(session: AsyncSession, event: CloudEvent, data: emp.UnemploymentCorrected) -> None:
    row, newer = await _row(session, "unemployment", data.id, stamp(event.time))
    _set(row, subject=data.id_number)
    if newer or row.start_date is None:
        _set(row, county_code=data.county_code, start_date=data.registered_date)


@handlers.on(emp.UNEMPLOYMENT_CLOSED)
async def on_unemployment_closed(session: AsyncSession, event: CloudEvent, data: emp.UnemploymentClosed) -> None:
    row, _ = await _row(session, "unemployment", data.id, stamp(event.time))
    _set(row, subject=data.id_number, end_date=data.end_date)


@handlers.on(emp.UNEMPLOYMENT_CANCELLED)
async def on_unemployment_cancelled(
    session: AsyncSession, event: CloudEvent, data: emp.UnemploymentCancelled
) -> None:
    row, _ = await _row(session, "unemployment", data.id, stamp(event.time))
    _set(row, subject=data.id_number, void=True)


# ---- hrss.training ------------------------------------------------------------------------------------------


@handlers.on(tr.ENROLMENT_COMPLETED)
async def on_training_completed(session: AsyncSession, event: CloudEvent, data: tr.TrainingCompleted) -> None:
    row, newer = await _row(session, "training", data.id, stamp(event.time))
    _set(row, subject=data.id_number, county_code=data.county_code, category=data.course_kind,
         start_date=data.completed_date)
    if newer or row.status is None:
        _set(row, status="completed", flag=data.result == "passed")


@handlers.on(tr.ENROLMENT_CORRECTED)
async def on_training_corrected(
    session: AsyncSession, event: CloudEvent, data: tr.TrainingEnrolmentCorrected
) -> None:
    row, newer = await _row(session, "training", data.id, stamp(event.time))
    if newer:
        _set(row, subject=data.id_number, county_code=data.county_code, status=data.status,
             flag=data.result == "passed" if data.result is not None else None)


@handlers.on(tr.ENROLMENT_CANCELLED)
async def on_training_cancelled(
    session: AsyncSession, event: CloudEvent, data: tr.TrainingEnrolmentCancelled
) -> None:
    row, _ = await _row(session, "training", data.id, stamp(event.time))
    _set(row, subject=data.id_number, void=True)


@handlers.on(tr.CERTIFICATE_ISSUED)
async def on_certificate_issued(session: AsyncSession, event: CloudEvent, data: tr.CertificateIssued) -> None:
    row, newer = await _row(session, "certificate", data.id, stamp(event.time))
    if newer or row.start_date is None:
        _set(row, subject=data.id_number, county_code=data.county_code, level=data.level,
             start_date=data.issued_date)


@handlers.on(tr.CERTIFICATE_CORRECTED)
async def on_certificate_corrected(session: AsyncSession, event: CloudEvent, data: tr.CertificateCorrected) -> None:
    row, newer = await _row(session, "certificate", data.id, stamp(event.time))
    if newer or row.start_date is None:
        _set(row, subject=data.id_number, county_code=data.county_code, level=data.level,
             start_date=data.issued_date)


@handlers.on(tr.CERTIFICATE_CANCELLED)
async def on_certificate_cancelled(session: AsyncSession, event: CloudEvent, data: tr.CertificateCancelled) -> None:
    row, _ = await _row(session, "certificate", data.id, stamp(event.time))
    _set(row, subject=data.id_number, void=True)


async def _platform_recognised(session: AsyncSession, event: CloudEvent, data: tr.PlatformRecognised) -> None:
    row, _ = await _row(session, "platform", data.id, stamp(event.time))
    _set(row, subject=data.credit_code, county_code=data.county_code, start_date=data.recognised_date,
         category=data.base_kind if data.platform_type == "training_base" else data.platform_type)


async def _platform_revoked(session: AsyncSession, event: CloudEvent, data: tr.PlatformRevoked) -> None:
    row, _ = await _row(session, "platform", data.id, stamp(event.time))
    _set(row, subject=data.credit_code, county_code=data.county_code, end_date=data.revoked_date,
         category=data.base_kind if data.platform_type == "training_base" else data.platform_type)


handlers.on(tr.MASTER_STUDIO_RECOGNISED)(_platform_recognised)
handlers.on(tr.TRAINING_BASE_RECOGNISED)(_platform_recognised)
handlers.on(tr.MASTER_STUDIO_REVOKED)(_platform_revoked)
handlers.on(tr.TRAINING_BASE_REVOKED)(_platform_revoked)


# ---- hrss.social-insurance ------------------------------------------------------------------------------------


async def _enrolment(session: AsyncSession, event: CloudEvent, data: si.InsuranceEnrolmentEvent) -> None:
    row, newer = await _row(session, "insurance", data.id, stamp(event.time))
    if newer:
        _set(row, subject=data.id_number, county_code=data.county_code, category=data.insurance_type,
             status=data.status, start_date=data.start_date, end_date=data.end_date)
    if data.status == "cancelled":
        row.void = True


_ENROLMENT_CONTRACTS: tuple[Contract[Any], ...] = (
    si.ENROLMENT_REGISTERED, si.ENROLMENT_ACTIVATED, si.ENROLMENT_SUSPENDED, si.ENROLMENT_RESUMED,
    si.ENROLMENT_ENDED, si.ENROLMENT_CORRECTED, si.ENROLMENT_CANCELLED)
for _enrolment_contract in _ENROLMENT_CONTRACTS:
    handlers.on(_enrolment_contract)(_enrolment)


@handlers.on(si.CARD_ISSUED)
async def on_card_issued(session: AsyncSession, event: CloudEvent, data: si.CardIssued) -> None:
    row, newer = await _row(session, "card", data.id, stamp(event.time))
    _set(row, subject=data.id_number, county_code=data.county_code, start_date=data.issued_date)
    if newer:
        row.status = data.status


async def _card_ended(session: AsyncSession, event: CloudEvent, data: si.CardReplaced | si.CardCancelled) -> None:
    row, _ = await _row(session, "card", data.id, stamp(event.time))
    end = data.replaced_date if isinstance(data, si.CardReplaced) else data.cancelled_date
    _set(row, subject=data.id_number, county_code=data.county_code, end_date=end, status="cancelled")


handlers.on(si.CARD_REPLACED)(_card_ended)
handlers.on(si.CARD_CANCELLED)(_card_ended)


# ---- hrss.labour-relations ------------------------------------------------------------------------------------


async def _arrears_case(session: AsyncSession, event: CloudEvent, data: lr.ArrearsCaseChanged) -> None:
    row, newer = await _row(session, "arrears_case", data.id, stamp(event.time))
    if newer:
        _set(row, subject=data.credit_code, county_code=data.county_code, status=data.status,
             start_date=data.filed_date, end_date=data.concluded_date, due_date=data.deadline_date,
             flag=data.on_time, category="group" if data.group_case else "single")
    if data.status == "cancelled":
        row.void = True


for _case_contract in contracts_of(str(LABOUR_RELATIONS.topic)):
    if _case_contract.model is lr.ArrearsCaseChanged:
        handlers.on(_case_contract)(_arrears_case)


@handlers.on(lr.PAYROLL_RECORDED)
async def on_payroll_recorded(session: AsyncSession, event: CloudEvent, data: lr.PayrollRecorded) -> None:
    row, _ = await _row(session, "payroll", data.id, stamp(event.time))
    _set(row, subject=data.credit_code, county_code=data.county_code, start_date=data.paid_date, flag=data.online)


@handlers.on(lr.PAYROLL_CANCELLED)
async def on_payroll_cancelled(session: AsyncSession, event: CloudEvent, data: lr.PayrollCancelled) -> None:
    row, _ = await _row(session, "payroll", data.id, stamp(event.time))
    _set(row, subject=data.credit_code, county_code=data.county_code, void=True)


async def _dispute(session: AsyncSession, event: CloudEvent, data: lr.DisputeChanged) -> None:
    row, newer = await _row(session, "dispute", data.id, stamp(event.time))
    if newer:
        _set(row, subject=data.credit_code, county_code=data.county_code, status=data.status,
             start_date=data.filed_date, category=data.channel)
    if data.status == "cancelled":
        row.void = True


_DISPUTE_CONTRACTS: tuple[Contract[Any], ...] = (lr.DISPUTE_FILED, lr.DISPUTE_CONCLUDED, lr.DISPUTE_CORRECTED,
                                               lr.DISPUTE_CANCELLED)
for _dispute_contract in _DISPUTE_CONTRACTS:
    handlers.on(_dispute_contract)(_dispute)


def _batched(event_type: str, handler: Handler) -> Handler:
    async def run(session: AsyncSession, event: CloudEvent) -> None:
        token = _event_type.set(event_type)
        try:
            await handler(session, event)
        finally:
            _event_type.reset(token)

    return ROWS.scoped(run)


for _type, _handler in list(handlers.by_type.items()):
    handlers.by_type[_type] = _batched(_type, _handler)
