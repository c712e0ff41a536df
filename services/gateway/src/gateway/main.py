"""Gateway app: ``uvicorn --factory gateway.main:create_app``."""

import asyncio
from pathlib import Path

from fastapi import FastAPI

from gateway import readmodel
from gateway.clients import service as clients
from gateway.clients.router import router as clients_router
from gateway.config import GatewaySettings
from gateway.db import infra
from gateway.persons.router import router as persons_router
from hrss_contracts.asyncapi import document
from hrss_shared.app import ServiceRuntime, create_service_app
from hrss_shared.logs import get_logger

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


async def _refresh_revocations(runtime: ServiceRuntime, every: float) -> None:
    """Keep the set of revoked clients current (a revoke on another instance takes effect here too)."""
    while True:
        try:
            async with runtime.reader() as session:
                runtime.auth.revoked = await clients.revoked_ids(session=session)
        except Exception as exc:  # noqa: BLE001
            log.warning("revocation_refresh_failed", error=repr(exc))
        await asyncio.sleep(every)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    async def start_refresh(runtime: ServiceRuntime) -> None:
        async with runtime.reader() as session:
            runtime.auth.revoked = await clients.revoked_ids(session=session)
        runtime.tasks.append(asyncio.create_task(_refresh_revocations(runtime, settings.revocation_refresh_seconds)))

    return create_service_app(
        settings=settings,
        title="衢州市人社 一卡通 网关 Gateway",
        description="一卡通人员视图、接入系统管理与审计。Read models are built from every domain topic's events "
        "(one module per topic, documents shaped like the answers).",
        infra=infra,
        migrations_dir=MIGRATIONS,
        consumers=[readmodel.CONSUMER],
        routers=[persons_router, clients_router],
        on_startup=[start_refresh],
        asyncapi=lambda: document(list(readmodel.MODULES)),
    )
