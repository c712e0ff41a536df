"""The read model of ``hrss.employment``: persons' identity and employment sections, employers' profiles.

Each handler is idempotent on its own (items keyed by the record id) and tolerant of order: a
termination or closure that arrives before its registration leaves a terminal item that the registration
then fills in without reopening it. Every other employment event is about a record (a key group, a loan, a
131 service …) and is folded generically into the subject's ``employment`` section.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel import identity
from gateway.readmodel.records import record_handlers
from gateway.readmodel.store import EMPLOYERS, PERSONS, Doc, later, stamp
from hrss_contracts import contracts_of
from hrss_contracts import employment as c
from hrss_shared.consumer import Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.registry import EMPLOYMENT

SECTION = "employment"
TERMINAL = {"terminated", "closed", "cancelled"}
handlers = Handlers()


def _item(items: list[Doc], record_id: str, status: str, at: str) -> Doc:
    found = next((i for i in items if i["id"] == record_id), None)
    if found is None:
        found = {"id": record_id, "status": status, "updated_at": at}
        items.append(found)
    return found


def _settle(doc: Doc, at: str) -> None:
    """Order the lists, derive the employment status and advance ``as_of``."""
    doc["employments"].sort(key=lambda i: (i.get("start_date") or "", i["id"]), reverse=True)
    doc["unemployment_registrations"].sort(key=lambda i: (i.get("registered_date") or "", i["id"]), reverse=True)
    if any(i["status"] == "active" for i in doc["employments"]):
        doc["status"] = "employed"
    elif any(i["status"] == "open" for i in doc["unemployment_registrations"]):
        doc["status"] = "registered_unemployed"
    else:
        doc["status"] = "not_employed"
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.EMPLOYER_REGISTERED)
async def on_employer_registered(session: AsyncSession, event: CloudEvent, data: c.EmployerRegistered) -> None:
    doc = await EMPLOYERS.section(session, data.credit_code, "profile")
    at = stamp(event.time)
    if doc["as_of"] is None or at >= doc["as_of"] or doc["name"] is None:
        doc.update(name=data.name, county_code=data.county_code, industry=data.industry, size=data.size,
                   is_construction=data.is_construction)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.EMPLOYER_UPDATED)
async def on_employer_updated(session: AsyncSession, event: CloudEvent, data: c.EmployerUpdated) -> None:
    doc = await EMPLOYERS.section(session, data.credit_code, "profile")
    at = stamp(event.time)
    if doc["as_of"] is None or at >= doc["as_of"]:
        doc.update(name=data.name, county_code=data.county_code, industry=data.industry, size=data.size,
                   is_construction=data.is_construction)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.EMPLOYER_DEACTIVATED)
async def on_employer_deactivated(session: AsyncSession, event: CloudEvent, data: c.EmployerDeactivated) -> None:
    doc = await EMPLOYERS.section(session, data.credit_code, "profile")
    doc.update(status="inactive", deactivated_date=data.deactivated_date.isoformat())
    doc["county_code"] = doc["county_code"] or data.county_code
    doc["as_of"] = later(doc["as_of"], stamp(event.time))


@handlers.on(c.JOB_SEEKER_REGISTERED)
async def on_job_seeker_registered(session: AsyncSession, event: CloudEvent, data: c.JobSeekerRegistered) -> None:
    at = stamp(event.time)
    person = await identity.section(session, data.id_number)
    identity.change(person, at, name=data.name, county_code=data.county_code, phone=data.phone or person["phone"])
    doc = await PERSONS.section(session, data.id_number, SECTION)
    doc["job_seeker_registered_date"] = data.registered_date.isoformat()
    _settle(doc, at)


@handlers.on(c.JOB_SEEKER_UPDATED)
async def on_job_seeker_updated(session: AsyncSession, event: CloudEvent, data: c.JobSeekerUpdated) -> None:
    at = stamp(event.time)
    person = await identity.section(session, data.id_number)
    if person["as_of"] is None or at >= person["as_of"]:
        identity.change(person, at, phone=data.phone, county_code=data.county_code)
    person["as_of"] = later(person["as_of"], at)


@handlers.on(c.EMPLOYMENT_REGISTERED)
async def on_employment_registered(session: AsyncSession, event: CloudEvent, data: c.EmploymentRegistered) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _item(doc["employments"], data.id, "active", at)
    item.update(credit_code=data.credit_code, employer_name=data.employer_name, county_code=data.county_code,
                occupation=data.occupation, start_date=data.start_date.isoformat())
    item["updated_at"] = later(item["updated_at"], at)
    _settle(doc, at)
    await identity.named(session, data.id_number, data.name, data.county_code, at)


@handlers.on(c.EMPLOYMENT_TERMINATED)
async def on_employment_terminated(session: AsyncSession, event: CloudEvent, data: c.EmploymentTerminated) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _item(doc["employments"], data.id, "terminated", at)
    item.setdefault("credit_code", data.credit_code)
    item.update(status="terminated", end_date=data.end_date.isoformat(), termination_reason=data.reason)
    item["updated_at"] = later(item["updated_at"], at)
    _settle(doc, at)


@handlers.on(c.UNEMPLOYMENT_REGISTERED)
async def on_unemployment_registered(
    session: AsyncSession, event: CloudEvent, data: c.UnemploymentRegistered
) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _item(doc["unemployment_registrations"], data.id, "open", at)
    if "corrected_at" not in item:  # a correction that arrived first holds the right values
        item.update(county_code=data.county_code, registered_date=data.registered_date.isoformat(),
                    reason=data.reason)
    item["updated_at"] = later(item["updated_at"], at)
    _settle(doc, at)
    await identity.named(session, data.id_number, data.name, data.county_code, at)


@handlers.on(c.UNEMPLOYMENT_CLOSED)
async def on_unemployment_closed(session: AsyncSession, event: CloudEvent, data: c.UnemploymentClosed) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _item(doc["unemployment_registrations"], data.id, "closed", at)
    item.update(end_date=data.end_date.isoformat(), close_reason=data.reason, close_reason_code=data.reason_code)
    if item["status"] != "cancelled":  # a 撤销 stands whatever arrives after it
        item["status"] = "closed"
    item["updated_at"] = later(item["updated_at"], at)
    _settle(doc, at)


@handlers.on(c.UNEMPLOYMENT_CORRECTED)
async def on_unemployment_corrected(
    session: AsyncSession, event: CloudEvent, data: c.UnemploymentCorrected
) -> None:
    """失业登记更正: the values after the correction replace the recorded ones (a later event wins)."""
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _item(doc["unemployment_registrations"], data.id, "open", at)
    if item.get("corrected_at") is None or at >= item["corrected_at"]:
        item.update(county_code=data.county_code, registered_date=data.registered_date.isoformat(),
                    reason=data.reason, corrected_at=at)
    item["updated_at"] = later(item["updated_at"], at)
    _settle(doc, at)


@handlers.on(c.UNEMPLOYMENT_CANCELLED)
async def on_unemployment_cancelled(
    session: AsyncSession, event: CloudEvent, data: c.UnemploymentCancelled
) -> None:
    """失业登记撤销: the registration never held (cancelled, whatever arrives after)."""
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _item(doc["unemployment_registrations"], data.id, "cancelled", at)
    item.setdefault("registered_date", data.registered_date.isoformat())
    item.update(status="cancelled", cancel_reason=data.reason)
    item["updated_at"] = later(item["updated_at"], at)
    _settle(doc, at)


HANDLERS = dict(handlers.by_type)
HANDLERS.update(record_handlers(
    (k for k in contracts_of(str(EMPLOYMENT.topic)) if k.type not in HANDLERS), SECTION
))
