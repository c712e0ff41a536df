"""Rules of 技能大师工作室 and 培训基地.

- A skill master leads one active master studio at a time (409 naming it); an employer operates one active
  training base of a kind at a time (409 naming it). A higher level is a new recognition (撤销 the lower one
  first, with the date it was superseded).
- Revocation 撤销: of an active platform, with a reason and a date not before its recognition date.
- Each is one event on hrss.training; the plan counts new master studios and new 企业高技能人才培训示范基地 by
  their recognition year (``GET /v1/statistics``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    MASTER_STUDIO_RECOGNISED,
    MASTER_STUDIO_REVOKED,
    TRAINING_BASE_RECOGNISED,
    TRAINING_BASE_REVOKED,
    PlatformRecognised,
    PlatformRevoked,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField, NotFound
from training.platforms.models import (
    BASE_KIND_NAMES,
    TYPE_NAMES,
    BaseKind,
    MasterStudioCreate,
    Platform,
    PlatformLevel,
    PlatformStatus,
    PlatformType,
    Revocation,
    TrainingBaseCreate,
)

SORTS = ("recognised_date", "created_at")
CONTRACTS = {PlatformType.master_studio: (MASTER_STUDIO_RECOGNISED, MASTER_STUDIO_REVOKED),
             PlatformType.training_base: (TRAINING_BASE_RECOGNISED, TRAINING_BASE_REVOKED)}


async def recognise(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: MasterStudioCreate | TrainingBaseCreate
) -> Platform:
    """认定 a master studio or a training base."""
    principal.check_county(data.county_code)
    if isinstance(data, MasterStudioCreate):
        platform_type, kind = PlatformType.master_studio, None
        await lock_key(session, f"training-master:{data.lead_id_number}")
        clash = (Platform.lead_id_number == data.lead_id_number, "lead_id_number", "该技能大师已领办")
    else:
        platform_type, kind = PlatformType.training_base, data.kind
        await lock_key(session, f"training-base:{data.credit_code}:{data.kind}")
        clash = (Platform.kind == data.kind, "kind", f"该单位已有有效的{BASE_KIND_NAMES[data.kind]}")
    condition, field, words = clash
    query = select(Platform).where(Platform.platform_type == platform_type, Platform.status == PlatformStatus.active,
                                   condition)
    if platform_type == PlatformType.training_base:
        query = query.where(Platform.credit_code == data.credit_code)
    existing = (await session.exec(query)).first()
    if existing is not None:
        raise Conflict(f"{words}“{existing.name}”（{existing.id}，{existing.recognised_date} 认定）"
                       f"(an active {platform_type} already exists)", field_name=field, existing_id=existing.id)
    platform = Platform(**data.model_dump(exclude={"kind"}), platform_type=platform_type, kind=kind)
    session.add(platform)
    await session.flush()
    await outbox.add(session, CONTRACTS[platform_type][0], PlatformRecognised(
        id=platform.id, credit_code=platform.credit_code, county_code=platform.county_code,
        platform_type=platform.platform_type, base_kind=platform.kind, level=platform.level, name=platform.name,
        employer_name=platform.employer_name, lead_id_number=platform.lead_id_number, lead_name=platform.lead_name,
        occupation_codes=list(platform.occupation_codes), recognised_date=platform.recognised_date))
    return platform


async def get_or_404(*, session: AsyncSession, platform_type: PlatformType, platform_id: str) -> Platform:
    platform = await fetch_or_404(session, Platform, platform_id,
                                  f"{TYPE_NAMES[platform_type]} {platform_id} 不存在 (not found)")
    if platform.platform_type != platform_type:
        raise NotFound(f"{TYPE_NAMES[platform_type]} {platform_id} 不存在 (not found)")
    return platform


async def revoke(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, platform_type: PlatformType, platform_id: str,
    data: Revocation,
) -> Platform:
    await lock_key(session, f"training-platform:{platform_id}")
    platform = await get_or_404(session=session, platform_type=platform_type, platform_id=platform_id)
    principal.check_county(platform.county_code)
    if platform.status == PlatformStatus.revoked:
        raise Conflict(f"{TYPE_NAMES[platform_type]}已于 {platform.revoked_date} 撤销 (already revoked)",
                       field_name="status", current_status=platform.status)
    if data.revoked_date < platform.recognised_date:
        raise InvalidField("revoked_date", f"撤销日期早于认定日期 {platform.recognised_date} "
                                           "(before the recognition date)")
    platform.status = PlatformStatus.revoked
    platform.revoked_date = data.revoked_date
    platform.revoke_reason = data.reason
    platform.updated_at = clock.now()
    session.add(platform)
    await session.flush()
    await outbox.add(session, CONTRACTS[platform_type][1], PlatformRevoked(
        id=platform.id, credit_code=platform.credit_code, county_code=platform.county_code,
        platform_type=platform.platform_type, base_kind=platform.kind, level=platform.level,
        revoked_date=data.revoked_date, reason=data.reason))
    return platform


async def list_platforms(
    *, session: AsyncSession, page: PageParams, platform_type: PlatformType, county_code: str | None,
    credit_code: str | None, level: PlatformLevel | None, kind: BaseKind | None, status: PlatformStatus | None,
    occupation_code: str | None, recognised: DateRange, sort: str,
) -> tuple[list[Platform], int]:
    query = select(Platform).where(Platform.platform_type == platform_type, *equals(
        (Platform.county_code, county_code), (Platform.credit_code, credit_code), (Platform.level, level),
        (Platform.kind, kind), (Platform.status, status),
    ), *recognised.clauses(col(Platform.recognised_date)))
    if occupation_code is not None:
        query = query.where(_has_occupation(occupation_code))
    columns = {key: col(getattr(Platform, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Platform.id))), page)


def _has_occupation(code: str) -> Any:
    """The JSON list holds ``code`` (a quoted match: codes are fixed-format, so one cannot contain another)."""
    return cast(Platform.occupation_codes, String).contains(f'"{code}"')
