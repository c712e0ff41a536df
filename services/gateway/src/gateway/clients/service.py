"""Client registry: create, list, revoke (used by the API and by ``hrss clients``).

A revocation is published (``hrss.gateway.client.revoked.v1``, in the revoke's own transaction through the
outbox), and every service follows the gateway's topic (``hrss_shared.revocations``): the client's tokens are
refused everywhere, also by services started later.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.clients.models import ApiClient, ClientCreate
from hrss_contracts.gateway import CLIENT_REVOKED, ClientRevoked
from hrss_shared import clock
from hrss_shared.auth import issue_token
from hrss_shared.outbox import Outbox
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


async def revoke(*, session: AsyncSession, outbox: Outbox, client_id: str) -> ApiClient:
    """Revoke a client for good and publish its revocation to every service."""
    client = await session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"接入系统 {client_id} 不存在 (client not found)")
    if client.revoked_at is not None:
        raise Conflict(f"接入系统 {client_id} 已吊销 (already revoked)")
    client.revoked_at = clock.now()
    session.add(client)
    await session.flush()
    await outbox.add(session, CLIENT_REVOKED, ClientRevoked(client_id=client.id, revoked_at=client.revoked_at))
    return client


async def revoked_ids(*, session: AsyncSession) -> set[str]:
    """The ids of every revoked client."""
    rows = await session.exec(select(ApiClient.id).where(col(ApiClient.revoked_at).is_not(None)))
    return set(rows.all())


async def publish_unannounced(*, session: AsyncSession, outbox: Outbox, announced: set[str]) -> list[str]:
    """Publish the revocation of every revoked client the topic does not carry (``announced``): clients revoked
    before revocations were published, or a topic that lost its events. A duplicate changes nothing."""
    rows = await session.exec(select(ApiClient).where(col(ApiClient.revoked_at).is_not(None)))
    published = []
    for client in rows.all():
        if client.id not in announced and client.revoked_at is not None:
            await outbox.add(session, CLIENT_REVOKED, ClientRevoked(client_id=client.id, revoked_at=client.revoked_at))
            published.append(client.id)
    return published
