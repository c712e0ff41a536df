"""失业人员“131”服务 rules.

- A service is recorded only for a person whose unemployment registration was open on the service date
  (registered on or before it, not yet closed by it); the record belongs to that registration.
- A job posting is recommended to a person at most once per registration.
- The package (职业指导, 岗位推荐, 培训推荐 counts) and its deadline (registered_date + days) come from the
  policy version in force on the registration date; only services inside that window count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.registrations.models import UnemploymentRegistration, UnemploymentStatus
from employment.service_records.models import (
    SERVICE_KIND_NAMES,
    OverdueRow,
    PackageItem,
    PackageSummary,
    ServiceKind,
    ServiceRecord,
    ServiceRecordCreate,
)
from employment.service_records.policy import SERVICE_131, Service131Policy, policy_on
from hrss_contracts.employment import SERVICE_RECORD_RECORDED, ServiceRecordRecorded
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField, NotFound

SORT_COLUMNS = {"service_date": col(ServiceRecord.service_date), "created_at": col(ServiceRecord.created_at)}
REPORT_SORTS = ("deadline_date", "registered_date")
Reg = UnemploymentRegistration


# ---- package progress (pure) ---------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    deadline_date: date
    items: list[PackageItem]
    late_records: int

    @property
    def complete(self) -> bool:
        return all(item.missing == 0 for item in self.items)

    @property
    def missing(self) -> list[PackageItem]:
        return [item for item in self.items if item.missing]


def progress(
    *, policy: Service131Policy, registered_date: date, services: Iterable[tuple[str, date]], as_of: date
) -> Progress:
    """Count the services given from registration to the deadline (and by ``as_of``) against the package."""
    deadline = registered_date + timedelta(days=policy.days)
    last = min(deadline, as_of)
    counts: Counter[str] = Counter()
    late = 0
    for kind, day in services:
        if registered_date <= day <= last:
            counts[kind] += 1
        elif deadline < day <= as_of:
            late += 1
    items = [
        PackageItem(kind=kind, kind_name=SERVICE_KIND_NAMES[kind], required=needed, received=counts[kind],
                    missing=max(needed - counts[kind], 0))
        for kind, needed in policy.required().items()
    ]
    return Progress(deadline_date=deadline, items=items, late_records=late)


# ---- recording -----------------------------------------------------------------------------


def _open_on(day: date) -> Any:
    """WHERE: the unemployment registration was open on ``day``."""
    return and_(col(Reg.registered_date) <= day, or_(col(Reg.end_date).is_(None), col(Reg.end_date) > day))


async def _registration_for(*, session: AsyncSession, id_number: str, day: date) -> UnemploymentRegistration:
    """The registration open on ``day``; 422 if the open one starts later, 409 naming why otherwise."""
    query = select(Reg).where(Reg.id_number == id_number)
    covering = (await session.exec(query.where(_open_on(day)).order_by(col(Reg.registered_date).desc()))).first()
    if covering is not None:
        return covering
    latest = (await session.exec(query.order_by(col(Reg.registered_date).desc()))).first()
    if latest is None:
        raise Conflict("该人员未办理失业登记，不能提供“131”服务记录 (no unemployment registration for this person)",
                       field_name="id_number")
    if latest.status == UnemploymentStatus.open and day < latest.registered_date:
        raise InvalidField("service_date", f"服务日期早于失业登记日期 {latest.registered_date} "
                                           f"(before the unemployment registration date)")
    if latest.end_date is not None and latest.end_date <= day:
        raise Conflict(f"该人员的失业登记 {latest.id} 已于 {latest.end_date} 注销（{latest.close_reason}），"
                       f"{day} 不在失业登记期间 (the unemployment registration was closed before the service date)",
                       field_name="id_number", existing_id=latest.id)
    raise Conflict(f"该人员在 {day} 无有效失业登记 (no unemployment registration open on the service date)",
                   field_name="service_date")


async def record(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: ServiceRecordCreate
) -> ServiceRecord:
    """Record one 131 service for a registered unemployed person."""
    await lock_key(session, data.id_number)
    registration = await _registration_for(session=session, id_number=data.id_number, day=data.service_date)
    principal.check_county(registration.county_code)
    if data.job_posting_id is not None:
        earlier = (await session.exec(select(ServiceRecord).where(
            ServiceRecord.unemployment_registration_id == registration.id,
            ServiceRecord.job_posting_id == data.job_posting_id))).first()
        if earlier is not None:
            raise Conflict(f"岗位 {data.job_posting_id} 已于 {earlier.service_date} 推荐给该人员 "
                           f"(this job posting was already recommended during this registration)",
                           field_name="job_posting_id", existing_id=earlier.id)
    row = ServiceRecord(**data.model_dump(), name=registration.name, county_code=registration.county_code,
                        unemployment_registration_id=registration.id)
    session.add(row)
    await flush_or_conflict(session, Conflict("该岗位已推荐给该人员 (this job posting was already recommended)",
                       field_name="job_posting_id"))
    await outbox.add(session, SERVICE_RECORD_RECORDED, ServiceRecordRecorded.model_validate(row, from_attributes=True))
    return row


async def get_or_404(*, session: AsyncSession, record_id: str) -> ServiceRecord:
    return await fetch_or_404(
        session, ServiceRecord, record_id, f"服务记录 {record_id} 不存在 (service record not found)"
    )


async def list_records(
    *, session: AsyncSession, page: PageParams, id_number: str | None = None, county_code: str | None = None,
    kind: ServiceKind | None = None, served: DateRange | None = None, sort: str = "-service_date",
) -> tuple[list[ServiceRecord], int]:
    """Service records matching the filters, in ``sort`` order (latest service first by default)."""
    query = select(ServiceRecord)
    query = query.where(*equals(
        (ServiceRecord.id_number, id_number),
        (ServiceRecord.county_code, county_code),
        (ServiceRecord.kind, kind),
    ))
    if served:
        query = query.where(*served.clauses(col(ServiceRecord.service_date)))
    return await fetch_page(session, query.order_by(*order_by(sort, SORT_COLUMNS, col(ServiceRecord.id))), page)


# ---- progress and the overdue report -------------------------------------------------------


async def _services(*, session: AsyncSession, registrations: Any) -> dict[str, list[tuple[str, date]]]:
    """(kind, service_date) of every record of the registrations selected by the ``registrations`` id query."""
    query = select(col(ServiceRecord.unemployment_registration_id), col(ServiceRecord.kind),
                   col(ServiceRecord.service_date)).where(col(ServiceRecord.unemployment_registration_id).in_(registrations))
    result: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for registration_id, kind, day in (await session.exec(query)).all():
        result[registration_id].append((kind, day))
    return result


async def summary(
    *, session: AsyncSession, principal: Principal, id_number: str, as_of: date,
    table: PolicyTable[Service131Policy] = SERVICE_131,
) -> PackageSummary:
    """The person's package progress for the registration open on ``as_of`` (else the latest one before it)."""
    query = select(Reg).where(Reg.id_number == id_number, col(Reg.registered_date) <= as_of)
    registration = (await session.exec(query.where(_open_on(as_of)))).first() or (
        await session.exec(query.order_by(col(Reg.registered_date).desc()))).first()
    if registration is None:
        raise NotFound(f"该人员在 {as_of} 前未办理失业登记 (no unemployment registration on or before as_of)")
    principal.check_county(registration.county_code)
    services = await _services(session=session, registrations=[registration.id])
    policy = policy_on(registration.registered_date, table)
    still_open = registration.end_date is None or registration.end_date > as_of
    base = {
        "id_number": registration.id_number, "name": registration.name, "county_code": registration.county_code,
        "unemployment_registration_id": registration.id, "registered_date": registration.registered_date,
        "registration_status": registration.status, "end_date": registration.end_date, "as_of": as_of,
    }
    if policy is None:
        return PackageSummary(**base, days=None, deadline_date=None, policy_source=None, policy_illustrative=False,
                              items=[], late_records=0, complete=False, overdue=False)
    done = progress(policy=policy, registered_date=registration.registered_date,
                    services=services.get(registration.id, []), as_of=as_of)
    return PackageSummary(
        **base, days=policy.days, deadline_date=done.deadline_date, policy_source=policy.source,
        policy_illustrative=policy.illustrative, items=done.items,
        late_records=done.late_records, complete=done.complete,
        overdue=still_open and not done.complete and as_of > done.deadline_date,
    )


async def overdue_report(
    *, session: AsyncSession, page: PageParams, as_of: date, county_code: str | None = None,
    registered: DateRange | None = None, sort: str = "deadline_date",
    table: PolicyTable[Service131Policy] = SERVICE_131,
) -> tuple[list[OverdueRow], int]:
    """Registered unemployed whose registration is past the policy's days without the full package by then."""
    shortest = min(v.days for v in table.versions)
    query = select(Reg).where(_open_on(as_of), col(Reg.registered_date) < as_of - timedelta(days=shortest))
    if county_code:
        query = query.where(Reg.county_code == county_code)
    if registered:
        query = query.where(*registered.clauses(col(Reg.registered_date)))
    registrations = (await session.exec(query)).all()
    services = await _services(session=session, registrations=select(query.subquery().c.id))
    rows: list[OverdueRow] = []
    for registration in registrations:
        policy = policy_on(registration.registered_date, table)
        if policy is None:
            continue
        done = progress(policy=policy, registered_date=registration.registered_date,
                        services=services.get(registration.id, []), as_of=as_of)
        if as_of > done.deadline_date and not done.complete:
            rows.append(OverdueRow(
                id_number=registration.id_number, name=registration.name, county_code=registration.county_code,
                unemployment_registration_id=registration.id, registered_date=registration.registered_date,
                days=policy.days, deadline_date=done.deadline_date, policy_illustrative=policy.illustrative,
                missing=done.missing,
            ))
    key = sort.removeprefix("-")
    rows.sort(key=lambda r: (getattr(r, key), r.id_number, r.unemployment_registration_id),
              reverse=sort.startswith("-"))
    return rows[page.offset:page.offset + page.limit], len(rows)
