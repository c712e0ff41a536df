"""最近一次联系 the latest recorded contact of a person with the public employment service.

The automatic 失业登记注销 for no contact (policy ``no_contact_months``) counts from the later of the registration
date and the latest of these, each dated on or before the day judged (a record dated later is not a contact yet):

- ``service_131``: a 131 service record (career guidance, job recommendation of a posting, training referral) —
  its ``service_date``;
- ``job_seeker_registered``: 求职登记 — its ``registered_date``;
- ``job_seeker_updated``: a change of the job seeker's record (求职登记变更) — the bureau day of ``updated_at``;
- ``key_group``: a key-group certification (重点群体认定, e.g. 就业困难人员) — its ``start_date``;
- ``public_welfare``: a public-welfare placement (公益性岗位安置) — its ``start_date``;
- ``startup_loan``: a start-up loan application (创业担保贷款申请) — its ``applied_date``;
- ``startup_subsidy``: a start-up subsidy claim, granted or refused (创业补贴申领) — its ``applied_date``.

Skill certificates from training are not counted: they are issued by evaluation organisations, not a contact with
the public employment service, and the employment service consumes no training enrolments.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_seekers.models import JobSeeker
from employment.key_groups.models import KeyGroupMembership
from employment.public_welfare.models import PublicWelfarePlacement
from employment.service_records.models import ServiceRecord
from employment.startup.loans.models import StartupLoan
from employment.startup.subsidies.models import StartupSubsidy, StartupSubsidyRefusal
from hrss_shared import clock

# kind → (model, its id_number column, its contact-date column); the list the README documents.
DATED_CONTACTS: dict[str, tuple[Any, Any, Any]] = {
    "service_131": (ServiceRecord, ServiceRecord.id_number, ServiceRecord.service_date),
    "job_seeker_registered": (JobSeeker, JobSeeker.id_number, JobSeeker.registered_date),
    "key_group": (KeyGroupMembership, KeyGroupMembership.id_number, KeyGroupMembership.start_date),
    "public_welfare": (PublicWelfarePlacement, PublicWelfarePlacement.id_number, PublicWelfarePlacement.start_date),
    "startup_loan": (StartupLoan, StartupLoan.id_number, StartupLoan.applied_date),
    "startup_subsidy": (StartupSubsidy, StartupSubsidy.id_number, StartupSubsidy.applied_date),
    "startup_subsidy_refused": (StartupSubsidyRefusal, StartupSubsidyRefusal.id_number,
                                StartupSubsidyRefusal.applied_date),
}
CONTACT_KINDS = (*DATED_CONTACTS, "job_seeker_updated")


def _later(current: date | None, other: date | None) -> date | None:
    if other is None:
        return current
    return other if current is None or other > current else current


def _bureau_day(instant: datetime) -> date:
    return clock.bureau_date(instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC))


async def last_contacts(*, session: AsyncSession, id_numbers: Iterable[str], on: date) -> dict[str, date]:
    """The latest contact on or before ``on`` of each person (people with none recorded are absent)."""
    people = sorted(set(id_numbers))
    latest: dict[str, date] = {}
    for start in range(0, len(people), 500):
        chunk = people[start:start + 500]
        for _, person, day in DATED_CONTACTS.values():
            rows = (await session.exec(
                select(person, func.max(day)).where(col(person).in_(chunk), day <= on).group_by(person))).all()
            for id_number, last in rows:
                found = _later(latest.get(id_number), last)
                if found is not None:
                    latest[id_number] = found
        updated = (await session.exec(select(JobSeeker.id_number, JobSeeker.updated_at).where(
            col(JobSeeker.id_number).in_(chunk), col(JobSeeker.updated_at).is_not(None)))).all()
        for id_number, instant in updated:
            if instant is None:
                continue
            day_updated = _bureau_day(instant)
            if day_updated <= on:
                found = _later(latest.get(id_number), day_updated)
                if found is not None:
                    latest[id_number] = found
    return latest
