"""/v1/clients — API client management (admin)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from gateway.clients import service
from gateway.clients.models import ClientCreate, ClientCreated, ClientPublic
from hrss_shared.app import OutboxDep, RuntimeDep, SessionDep, require
from hrss_shared.auth import ADMIN, Principal

router = APIRouter(prefix="/v1/clients", tags=["clients 接入系统管理"])
Admin = Annotated[Principal, Depends(require(ADMIN))]


@router.post("", status_code=201, summary="新增接入系统 Create a client")
async def create_client(body: ClientCreate, session: SessionDep, runtime: RuntimeDep, _: Admin) -> ClientCreated:
    client, token = await service.create(
        session=session, secret=runtime.settings.auth_secret.get_secret_value(), data=body
    )
    return ClientCreated(**ClientPublic.model_validate(client).model_dump(), token=token)


@router.get("", summary="接入系统列表 List clients")
async def list_clients(session: SessionDep, _: Admin) -> list[ClientPublic]:
    return [ClientPublic.model_validate(c) for c in await service.list_clients(session=session)]


@router.post(
    "/{client_id}/revoke", summary="吊销接入系统 Revoke a client",
    description="Every service refuses the client's tokens within seconds (the revocation is published on the "
    "gateway's topic, which every service follows); this instance at once.",
)
async def revoke_client(
    client_id: str, session: SessionDep, outbox: OutboxDep, runtime: RuntimeDep, _: Admin
) -> ClientPublic:
    client = await service.revoke(session=session, outbox=outbox, client_id=client_id)
    runtime.auth.revoked.add(client.id)
    return ClientPublic.model_validate(client)
