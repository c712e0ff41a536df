"""Handlers that fold ``hrss.employment`` events into the read model.

Each handler is idempotent on its own (upserts keyed by the record id) and tolerant of
order: a termination or closure that arrives before its registration leaves a terminal row the
registration then fills in without reopening it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers.events import (
    EMPLOYER_DEACTIVATED,
    EMPLOYER_REGISTERED,
    EMPLOYER_UPDATED,
    EmployerDeactivated,
    EmployerRegistered,
    EmployerUpdated,
)
from employment.job_seekers.events import (
    JOB_SEEKER_REGISTERED,
    JOB_SEEKER_UPDATED,
    JobSeekerRegistered,
    JobSeekerUpdated,
)
from employment.registrations.events import (
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    EmploymentRegistered,
    EmploymentTerminated,
    UnemploymentClosed,
    UnemploymentRegistered,
)
from gateway.readmodel.facts import fact_handlers
from gateway.readmodel.models import EmployerView, EmploymentView, PersonView, UnemploymentView
from hrss_shared.catalogue import event_catalogue
from hrss_shared.consumer import Handler, PermanentEventError
from hrss_shared.events import CloudEvent

M = TypeVar("M", bound=BaseModel)
TERMINAL = {"terminated", "closed"}


def parse(event: CloudEvent, model: type[M]) -> M:
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentEventError(f"data does not match {model.__name__}: {exc.errors()[:3]}") from exc


async def person(session: AsyncSession, id_number: str) -> PersonView:
    row = await session.get(PersonView, id_number)
    if row is None:
        row = PersonView(id_number=id_number)
        session.add(row)
    return row


def later(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new > current else current


async def named_in_registration(
    session: AsyncSession, event: CloudEvent, id_number: str, name: str, county_code: str
) -> None:
    """A registration names the person: fill identity gaps and advance both sections' ``as_of``."""
    p = await person(session, id_number)
    p.name = p.name or name
    p.county_code = p.county_code or county_code
    p.identity_as_of = later(p.identity_as_of, event.time)
    p.employment_as_of = later(p.employment_as_of, event.time)


async def on_employer_registered(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, EmployerRegistered)
    row = await session.get(EmployerView, data.credit_code)
    if row is None:
        row = EmployerView(credit_code=data.credit_code, name=data.name, county_code=data.county_code, as_of=event.time)
    row.name, row.county_code, row.industry = data.name, data.county_code, data.industry
    row.is_construction, row.as_of = data.is_construction, later(row.as_of, event.time)
    session.add(row)


async def on_employer_updated(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, EmployerUpdated)
    row = await session.get(EmployerView, data.credit_code)
    if row is None:
        row = EmployerView(credit_code=data.credit_code, name=data.name, county_code=data.county_code, as_of=event.time)
    if event.time >= row.as_of:
        row.name, row.county_code, row.industry = data.name, data.county_code, data.industry
        row.is_construction, row.as_of = data.is_construction, event.time
    session.add(row)


async def on_employer_deactivated(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, EmployerDeactivated)
    row = await session.get(EmployerView, data.credit_code)
    if row is None:
        row = EmployerView(credit_code=data.credit_code, name="", county_code=data.county_code, as_of=event.time)
    row.status, row.deactivated_date = "inactive", data.deactivated_date
    row.as_of = later(row.as_of, event.time)
    session.add(row)


async def on_job_seeker_updated(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, JobSeekerUpdated)
    p = await person(session, data.id_number)
    if p.identity_as_of is None or event.time >= p.identity_as_of:
        p.phone, p.county_code = data.phone, data.county_code
    p.identity_as_of = later(p.identity_as_of, event.time)


async def on_job_seeker_registered(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, JobSeekerRegistered)
    p = await person(session, data.id_number)
    p.name, p.county_code = data.name, data.county_code
    p.phone = data.phone or p.phone
    p.job_seeker_registered_date = data.registered_date
    p.identity_as_of = later(p.identity_as_of, event.time)
    p.employment_as_of = later(p.employment_as_of, event.time)


async def on_employment_registered(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, EmploymentRegistered)
    row = await session.get(EmploymentView, data.id)
    if row is None:
        row = EmploymentView(id=data.id, id_number=data.id_number, credit_code=data.credit_code, status="active",
                             updated_at=event.time)
    row.employer_name, row.county_code, row.occupation = data.employer_name, data.county_code, data.occupation
    row.start_date = data.start_date
    row.updated_at = later(row.updated_at, event.time)
    session.add(row)
    await named_in_registration(session, event, data.id_number, data.name, data.county_code)


async def on_employment_terminated(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, EmploymentTerminated)
    row = await session.get(EmploymentView, data.id)
    if row is None:
        row = EmploymentView(id=data.id, id_number=data.id_number, credit_code=data.credit_code, status="terminated",
                             updated_at=event.time)
    row.status, row.end_date, row.termination_reason = "terminated", data.end_date, data.reason
    row.updated_at = later(row.updated_at, event.time)
    session.add(row)
    p = await person(session, data.id_number)
    p.employment_as_of = later(p.employment_as_of, event.time)


async def on_unemployment_registered(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, UnemploymentRegistered)
    row = await session.get(UnemploymentView, data.id)
    if row is None:
        row = UnemploymentView(id=data.id, id_number=data.id_number, status="open", updated_at=event.time)
    row.county_code, row.registered_date, row.reason = data.county_code, data.registered_date, data.reason
    row.updated_at = later(row.updated_at, event.time)
    session.add(row)
    await named_in_registration(session, event, data.id_number, data.name, data.county_code)


async def on_unemployment_closed(session: AsyncSession, event: CloudEvent) -> None:
    data = parse(event, UnemploymentClosed)
    row = await session.get(UnemploymentView, data.id)
    if row is None:
        row = UnemploymentView(id=data.id, id_number=data.id_number, status="closed", updated_at=event.time)
    row.status, row.end_date, row.close_reason = "closed", data.end_date, data.reason
    row.updated_at = later(row.updated_at, event.time)
    session.add(row)
    p = await person(session, data.id_number)
    p.employment_as_of = later(p.employment_as_of, event.time)


HANDLERS: dict[str, Handler] = {
    EMPLOYER_REGISTERED: on_employer_registered,
    EMPLOYER_UPDATED: on_employer_updated,
    EMPLOYER_DEACTIVATED: on_employer_deactivated,
    JOB_SEEKER_UPDATED: on_job_seeker_updated,
    JOB_SEEKER_REGISTERED: on_job_seeker_registered,
    EMPLOYMENT_REGISTERED: on_employment_registered,
    EMPLOYMENT_TERMINATED: on_employment_terminated,
    UNEMPLOYMENT_REGISTERED: on_unemployment_registered,
    UNEMPLOYMENT_CLOSED: on_unemployment_closed,
}
# Every other employment event type is about a record (a key group, a loan, a 131 service …) and
# is folded generically into the person's or employer's facts.
HANDLERS.update(fact_handlers(t for t in event_catalogue("employment") if t not in HANDLERS))
