"""Rules of start-up bases: one recognised base of a kind and name per county; revocation once, after recognition."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.startup.bases.models import (
    BASE_KIND_NAMES,
    BaseKind,
    BaseLevel,
    BaseStatus,
    StartupBase,
    StartupBaseCreate,
    StartupBaseRevoke,
)
from hrss_contracts.employment import (
    STARTUP_BASE_RECOGNISED,
    STARTUP_BASE_REVOKED,
    StartupBaseRecognised,
    StartupBaseRevoked,
)
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField

SORTS = ("recognised_date", "name", "capacity")


async def recognise(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: StartupBaseCreate
) -> StartupBase:
    """基地认定."""
    principal.check_county(data.county_code)
    await lock_key(session, f"startup_base:{data.county_code}:{data.name}")
    existing = (await session.exec(select(StartupBase).where(
        StartupBase.kind == data.kind, StartupBase.county_code == data.county_code, StartupBase.name == data.name,
        StartupBase.status == BaseStatus.recognised))).first()
    if existing is not None:
        raise Conflict(f"{BASE_KIND_NAMES[data.kind]}“{data.name}”已于 {existing.recognised_date} 认定 {existing.id} "
                       "(a recognised base of this kind and name exists in the county)",
                       field_name="name", existing_id=existing.id)
    base = StartupBase(**data.model_dump())
    session.add(base)
    await flush_or_conflict(
        session, Conflict("同名基地已认定 (a recognised base of this kind and name exists)", field_name="name")
    )
    await outbox.add(session, STARTUP_BASE_RECOGNISED, StartupBaseRecognised.model_validate(base, from_attributes=True))
    return base


async def get_or_404(*, session: AsyncSession, base_id: str) -> StartupBase:
    return await fetch_or_404(session, StartupBase, base_id, f"创业基地 {base_id} 不存在 (start-up base not found)")


async def revoke(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, base_id: str, data: StartupBaseRevoke
) -> StartupBase:
    """撤销认定, on or after the recognition date."""
    base = await get_or_404(session=session, base_id=base_id)
    principal.check_county(base.county_code)
    if base.status != BaseStatus.recognised:
        raise Conflict(f"基地认定已于 {base.revoked_date} 撤销 (already revoked; status {base.status})",
                       field_name="status", current_status=base.status)
    if data.revoked_date < base.recognised_date:
        raise InvalidField("revoked_date", f"撤销日期早于认定日期 {base.recognised_date} (before recognition)")
    base.status, base.revoked_date, base.revoke_reason = BaseStatus.revoked, data.revoked_date, data.reason
    session.add(base)
    await outbox.add(session, STARTUP_BASE_REVOKED, StartupBaseRevoked(
        id=base.id, credit_code=base.credit_code, kind=base.kind, county_code=base.county_code,
        revoked_date=data.revoked_date, reason=data.reason))
    return base


async def list_bases(
    *, session: AsyncSession, page: PageParams, kind: BaseKind | None, county_code: str | None,
    status: BaseStatus | None, level: BaseLevel | None, credit_code: str | None, dates: DateRange, sort: str,
) -> tuple[list[StartupBase], int]:
    """Bases filtered by kind, county, status, level, operator and recognition date range."""
    query = select(StartupBase).where(*dates.clauses(col(StartupBase.recognised_date)))
    for column, value in ((StartupBase.kind, kind), (StartupBase.county_code, county_code),
                          (StartupBase.status, status), (StartupBase.level, level),
                          (StartupBase.credit_code, credit_code)):
        if value is not None:
            query = query.where(column == value)
    columns = {key: col(getattr(StartupBase, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(StartupBase.id))), page)
