"""Client registry: create, list, revoke (used by the API and by ``hrss clients``)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.clients.models import ApiClient, ClientCreate
from hrss_shared import clock
from hrss_shared.auth import issue_token
from hrss_shared.problems import Conflict, NotFound


async def create(*, session: AsyncSession, secret: str, data: ClientCreate) -> tuple[ApiClient, str]:
    """Register a client and sign its bearer token."""
    client = ApiClient(
        id=f"c-{secrets.token_hex(6)}", name=data.name, scopes=list(data.scopes), county_code=data.county_code
    )
    session.add(client)
    await session.flush()
    token = issue_token(
        secret=secret, client_id=client.id, name=client.name, scopes=client.scopes, county=client.county_code,
        ttl=timedelta(days=data.ttl_days) if data.ttl_days else None,
    )
    return client, token


async def list_clients(*, session: AsyncSession) -> list[ApiClient]:
    return list((await session.exec(select(ApiClient).order_by(col(ApiClient.created_at)))).all())


async def revoke(*, session: AsyncSession, client_id: str) -> ApiClient:
    client = await session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"接入系统 {client_id} 不存在 (client not found)")
    if client.revoked_at is not None:
        raise Conflict(f"接入系统 {client_id} 已吊销 (already revoked)")
    client.revoked_at = clock.now()
    session.add(client)
    await session.flush()
    return client


async def revoked_ids(*, session: AsyncSession) -> set[str]:
    rows = await session.exec(select(ApiClient.id).where(col(ApiClient.revoked_at).is_not(None)))
    return set(rows.all())
