"""Rules of 培训机构 and 培训资质认定.

- A credit code registers once (409 naming the institution already registered with it).
- Name and status change (active 正常 ⇄ suspended 暂停, either → closed 关闭); a closed institution changes no more.
- Only an active institution is accredited; one occupation's accreditation periods of an institution do not
  overlap (a renewal starts the day after the previous period ends, or later).
- :func:`missing_periods`: the days of a period an institution is not accredited for an occupation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    INSTITUTION_ACCREDITED,
    INSTITUTION_REGISTERED,
    INSTITUTION_UPDATED,
    InstitutionAccredited,
    InstitutionRegistered,
    InstitutionUpdated,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict
from training.institutions.models import (
    STATUS_NAMES,
    Accreditation,
    AccreditationCreate,
    Institution,
    InstitutionCreate,
    InstitutionKind,
    InstitutionStatus,
    InstitutionUpdate,
)

SORTS = ("created_at", "name")


def lock_name(institution_id: str) -> str:
    """The key that serialises changes of one institution (its status, accreditations, courses)."""
    return f"training-institution:{institution_id}"


async def get_by_credit_code(*, session: AsyncSession, credit_code: str) -> Institution | None:
    return (await session.exec(select(Institution).where(Institution.credit_code == credit_code))).first()


async def get_or_404(*, session: AsyncSession, institution_id: str) -> Institution:
    return await fetch_or_404(session, Institution, institution_id,
                              f"培训机构 {institution_id} 不存在 (training institution not found)")


async def accreditations_of(*, session: AsyncSession, institution_ids: Sequence[str]) -> dict[str, list[Accreditation]]:
    """Each institution's accreditations, by occupation code and start date."""
    if not institution_ids:
        return {}
    rows = await session.exec(
        select(Accreditation).where(col(Accreditation.institution_id).in_(list(institution_ids)))
        .order_by(col(Accreditation.occupation_code), col(Accreditation.valid_from))
    )
    found: dict[str, list[Accreditation]] = defaultdict(list)
    for row in rows.all():
        found[row.institution_id].append(row)
    return found


async def create(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: InstitutionCreate
) -> Institution:
    """培训机构登记: a credit code registers once."""
    principal.check_county(data.county_code)
    await lock_key(session, data.credit_code)
    existing = await get_by_credit_code(session=session, credit_code=data.credit_code)
    if existing is not None:
        raise Conflict(f"统一社会信用代码 {data.credit_code} 已登记为培训机构“{existing.name}”（{existing.id}）"
                       "(a training institution with this credit code is already registered)",
                       field_name="credit_code", existing_id=existing.id)
    institution = Institution(**data.model_dump())
    session.add(institution)
    await flush_or_conflict(session, Conflict(f"统一社会信用代码 {data.credit_code} 已登记 (already registered)",
                                              field_name="credit_code"))
    await outbox.add(session, INSTITUTION_REGISTERED,
                     InstitutionRegistered.model_validate(institution, from_attributes=True))
    return institution


async def update(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, institution_id: str, data: InstitutionUpdate
) -> Institution:
    """信息变更: the name, or the status (暂停, 恢复, 关闭); a closed institution changes no more."""
    await lock_key(session, lock_name(institution_id))
    institution = await get_or_404(session=session, institution_id=institution_id)
    principal.check_county(institution.county_code)
    if institution.status == InstitutionStatus.closed:
        raise Conflict(f"培训机构“{institution.name}”已关闭，不能变更 (the institution is closed; its record is final)",
                       field_name="status", current_status=institution.status)
    values = data.model_dump(exclude_unset=True, mode="json")
    changed = [name for name, value in values.items() if getattr(institution, name) != value]
    if not changed:
        return institution
    previous_status = institution.status
    for name in changed:
        setattr(institution, name, values[name])
    institution.updated_at = clock.now()
    session.add(institution)
    await session.flush()
    await outbox.add(session, INSTITUTION_UPDATED, InstitutionUpdated(
        **institution.model_dump(include={"id", "credit_code", "name", "county_code", "kind", "status"}),
        changed=changed, previous_status=previous_status if "status" in changed else None,
    ))
    return institution


async def accredit(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, institution_id: str, data: AccreditationCreate
) -> Institution:
    """培训资质认定: an active institution is accredited for an occupation from ``valid_from`` to ``valid_until``."""
    await lock_key(session, lock_name(institution_id))
    institution = await get_or_404(session=session, institution_id=institution_id)
    principal.check_county(institution.county_code)
    if institution.status != InstitutionStatus.active:
        name = STATUS_NAMES[InstitutionStatus(institution.status)]
        raise Conflict(f"培训机构“{institution.name}”状态为{name}（{institution.status}），不能认定培训资质 "
                       "(only an active institution is accredited)", field_name="status",
                       current_status=institution.status)
    mine = (await accreditations_of(session=session, institution_ids=[institution.id])).get(institution.id, [])
    for other in mine:
        if other.occupation_code == data.occupation_code and other.valid_from <= data.valid_until \
                and other.valid_until >= data.valid_from:
            raise Conflict(f"培训机构“{institution.name}”已有职业 {other.occupation_code} 的资质认定 {other.id}，"
                           f"有效期 {other.valid_from}～{other.valid_until}，与 {data.valid_from}～{data.valid_until} "
                           "重叠 (overlaps an accreditation for the same occupation)",
                           field_name="valid_from", existing_id=other.id)
    accreditation = Accreditation(institution_id=institution.id, **data.model_dump())
    session.add(accreditation)
    await session.flush()
    await outbox.add(session, INSTITUTION_ACCREDITED, InstitutionAccredited(
        id=institution.id, accreditation_id=accreditation.id, credit_code=institution.credit_code,
        county_code=institution.county_code, **data.model_dump()))
    return institution


def uncovered(periods: Sequence[tuple[date, date]], start: date, end: date) -> list[tuple[date, date]]:
    """The runs of days from ``start`` to ``end`` (inclusive) that no period (inclusive bounds) covers."""
    gaps: list[tuple[date, date]] = []
    cursor = start  # the first day not yet known to be covered
    for first, last in sorted(periods):
        if cursor > end:
            break
        if last < cursor:
            continue
        if first > cursor:
            gaps.append((cursor, min(first - timedelta(days=1), end)))
        cursor = max(cursor, last + timedelta(days=1))
    if cursor <= end:
        gaps.append((cursor, end))
    return gaps


async def missing_periods(
    *, session: AsyncSession, institution_id: str, occupation_code: str, start: date, end: date
) -> list[tuple[date, date]]:
    """The days from ``start`` to ``end`` on which the institution is not accredited for ``occupation_code``."""
    rows = await session.exec(select(col(Accreditation.valid_from), col(Accreditation.valid_until)).where(
        Accreditation.institution_id == institution_id, Accreditation.occupation_code == occupation_code,
        col(Accreditation.valid_until) >= start, col(Accreditation.valid_from) <= end,
    ))
    return uncovered([(first, last) for first, last in rows.all()], start, end)


async def list_institutions(
    *, session: AsyncSession, page: PageParams, county_code: str | None, kind: InstitutionKind | None,
    status: InstitutionStatus | None, occupation_code: str | None, accredited_on: date | None,
    created: DateRange, sort: str,
) -> tuple[list[Institution], int]:
    """Institutions filtered by county, kind, status, accredited occupation (on a day) and registration date."""
    query = select(Institution).where(*equals(
        (Institution.county_code, county_code), (Institution.kind, kind), (Institution.status, status),
    ), *created.day_clauses(col(Institution.created_at)))
    if occupation_code is not None or accredited_on is not None:
        accredited = select(Accreditation.institution_id).where(*equals(
            (Accreditation.occupation_code, occupation_code),
        ))
        if accredited_on is not None:
            accredited = accredited.where(col(Accreditation.valid_from) <= accredited_on,
                                          col(Accreditation.valid_until) >= accredited_on)
        query = query.where(col(Institution.id).in_(accredited))
    columns = {key: col(getattr(Institution, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Institution.id))), page)
