"""Rules of the 失信联合惩戒名单: one listing in force per employer (409 naming it); removal once, not before the
decision date, with a reason. Each change is one event."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.labour_relations import (
    DISHONEST_EMPLOYER_LISTED,
    DISHONEST_EMPLOYER_REMOVED,
    DishonestEmployerChanged,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.events import Contract
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict
from labour_relations.common import not_before, not_future
from labour_relations.dishonesty.models import DishonestEmployer, ListingCreate, ListingRemove, ListingStatus

SORTS = ("decision_date", "created_at")


async def _publish(session: AsyncSession, outbox: Outbox, contract: Contract[DishonestEmployerChanged],
                   row: DishonestEmployer) -> None:
    await outbox.add(session, contract, DishonestEmployerChanged(
        id=row.id, credit_code=row.credit_code, employer_name=row.employer_name, county_code=row.county_code,
        decision_reference=row.decision_reference, decision_date=row.decision_date, status=row.status,
        removed_date=row.removed_date, removal_reason=row.removal_reason))


async def listed(session: AsyncSession, credit_code: str) -> DishonestEmployer | None:
    """The employer's listing in force, if any."""
    return (await session.exec(select(DishonestEmployer).where(
        DishonestEmployer.credit_code == credit_code, DishonestEmployer.status == ListingStatus.listed))).first()


async def add(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: ListingCreate) -> DishonestEmployer:
    """列入名单."""
    principal.check_county(data.county_code)
    not_future("decision_date", data.decision_date)
    await lock_key(session, f"labour-dishonest:{data.credit_code}")
    existing = await listed(session, data.credit_code)
    if existing is not None:
        raise Conflict(f"该单位已在失信联合惩戒名单内（决定文号 {existing.decision_reference}）(the employer is alre"
                       f"ady "
                       "listed)", field_name="credit_code", existing_id=existing.id)
    row = DishonestEmployer(**data.model_dump())
    session.add(row)
    await session.flush()
    await _publish(session, outbox, DISHONEST_EMPLOYER_LISTED, row)
    return row


async def get_or_404(*, session: AsyncSession, listing_id: str) -> DishonestEmployer:
    return await fetch_or_404(session, DishonestEmployer, listing_id, f"名单记录 {listing_id} 不存在 (not found)")


async def remove(*, session: AsyncSession, outbox: Outbox, principal: Principal, listing_id: str,
                 data: ListingRemove) -> DishonestEmployer:
    """移出名单 (惩戒期满或信用修复)."""
    row = await get_or_404(session=session, listing_id=listing_id)
    principal.check_county(row.county_code)
    await lock_key(session, f"labour-dishonest:{row.credit_code}")
    await session.refresh(row)
    if row.status != ListingStatus.listed:
        raise Conflict(f"该记录已于 {row.removed_date} 移出名单 (already removed)", field_name="status",
                       current_status=row.status)
    removed = not_future("removed_date", data.removed_date or clock.today())
    not_before("removed_date", removed, row.decision_date, "列入决定日期")
    row.status, row.removed_date, row.removal_reason = ListingStatus.removed, removed, data.reason
    row.updated_at = clock.now()
    session.add(row)
    await session.flush()
    await _publish(session, outbox, DISHONEST_EMPLOYER_REMOVED, row)
    return row


async def list_listings(*, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
                        status: ListingStatus | None, decided: DateRange, sort: str,
                        ) -> tuple[list[DishonestEmployer], int]:
    query = select(DishonestEmployer).where(*equals(
        (DishonestEmployer.credit_code, credit_code), (DishonestEmployer.county_code, county_code),
        (DishonestEmployer.status, status)), *decided.clauses(col(DishonestEmployer.decision_date)))
    columns = {key: col(getattr(DishonestEmployer, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(DishonestEmployer.id))), page)
