"""Key-group rules: membership of a registered job seeker, one open membership per group."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_seekers import service as job_seekers
from employment.key_groups.models import KeyGroup, KeyGroupMembership, MembershipCreate, MembershipEnd
from hrss_contracts.employment import KEY_GROUP_ADDED, KEY_GROUP_ENDED, KeyGroupAdded, KeyGroupEnded
from hrss_shared.auth import Principal
from hrss_shared.db import flush_or_conflict
from hrss_shared.outbox import Outbox
from hrss_shared.problems import Conflict, InvalidField, NotFound


async def groups_on(*, session: AsyncSession, id_number: str, on: date) -> set[KeyGroup]:
    """The key groups a person belongs to on a given day."""
    rows = await session.exec(
        select(KeyGroupMembership.group).where(
            KeyGroupMembership.id_number == id_number,
            col(KeyGroupMembership.start_date) <= on,
            or_(col(KeyGroupMembership.end_date).is_(None), col(KeyGroupMembership.end_date) >= on),
        )
    )
    return {KeyGroup(g) for g in rows.all()}


async def list_for_person(*, session: AsyncSession, id_number: str) -> list[KeyGroupMembership]:
    query = select(KeyGroupMembership).where(KeyGroupMembership.id_number == id_number)
    return list((await session.exec(query.order_by(col(KeyGroupMembership.start_date)))).all())


async def add(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, id_number: str, data: MembershipCreate
) -> KeyGroupMembership:
    """Record a membership; the person must be a registered job seeker."""
    seeker = await job_seekers.get_or_404(session=session, id_number=id_number)
    principal.check_county(seeker.county_code)
    open_same = await session.exec(select(KeyGroupMembership).where(
        KeyGroupMembership.id_number == id_number, KeyGroupMembership.group == data.group,
        col(KeyGroupMembership.end_date).is_(None)))
    existing = open_same.first()
    if existing is not None:
        raise Conflict(f"该人员已有有效的{data.group}认定 {existing.id} (an open membership exists)",
                       field_name="group", existing_id=existing.id)
    membership = KeyGroupMembership(id_number=id_number, county_code=seeker.county_code, **data.model_dump())
    session.add(membership)
    await flush_or_conflict(session, Conflict("该人员已有有效的认定 (an open membership exists)", field_name="group"))
    await outbox.add(session, KEY_GROUP_ADDED, KeyGroupAdded.model_validate(membership, from_attributes=True))
    return membership


async def end(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, id_number: str, membership_id: str,
    data: MembershipEnd,
) -> KeyGroupMembership:
    membership = await session.get(KeyGroupMembership, membership_id)
    if membership is None or membership.id_number != id_number:
        raise NotFound(f"重点群体认定 {membership_id} 不存在 (membership not found)")
    principal.check_county(membership.county_code)
    if membership.end_date is not None and membership.end_date <= data.end_date:
        raise Conflict(f"该认定已于 {membership.end_date} 终止 (already ended)")
    if data.end_date < membership.start_date:
        raise InvalidField("end_date", f"终止日期早于认定起始日期 {membership.start_date} (before the start date)")
    membership.end_date = data.end_date
    session.add(membership)
    await outbox.add(session, KEY_GROUP_ENDED, KeyGroupEnded(
        id=membership.id, id_number=id_number, group=membership.group, end_date=data.end_date))
    return membership
