"""Gateway app: ``uvicorn --factory gateway.main:create_app``."""

import asyncio
from pathlib import Path

from fastapi import FastAPI

from gateway import alerts, dashboard, indicators, projection
from gateway.clients import service as clients
from gateway.clients.router import router as clients_router
from gateway.config import GatewaySettings
from gateway.db import infra
from gateway.employers.router import router as employers_router
from gateway.persons import rendered
from gateway.persons.fresh import FreshReader, hold_open
from gateway.persons.router import router as persons_router
from hrss_contracts.asyncapi import document
from hrss_shared.app import ServiceRuntime, create_service_app
from hrss_shared.logs import get_logger
from hrss_shared.registry import SERVICES

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


async def _refresh_revocations(runtime: ServiceRuntime, every: float) -> None:
    """Keep the set of revoked clients current from the gateway's own database (the source of truth), so the
    gateway's instances agree even while the broker is down; the other services learn from the topic."""
    while True:
        try:
            async with runtime.reader() as session:
                runtime.auth.revoked.update(await clients.revoked_ids(session=session))
        except Exception as exc:  # noqa: BLE001
            log.warning("revocation_refresh_failed", error=repr(exc))
        await asyncio.sleep(every)


async def _announce_revocations(runtime: ServiceRuntime) -> None:
    """Once the topic has been read to its end: publish the revocation of any revoked client it does not carry."""
    follower, outbox = runtime.revocations, runtime.outbox
    if follower is None or outbox is None:
        return
    await follower.caught_up.wait()
    while True:
        try:
            async with runtime.maker() as session, session.begin():
                published = await clients.publish_unannounced(session=session, outbox=outbox,
                                                              announced=follower.revoked)
            if published:
                log.info("revocations_announced", clients=published)
                if runtime.relay is not None:
                    runtime.relay.wake()
            return
        except Exception as exc:  # noqa: BLE001 - retried: a revoked client must reach every service
            log.warning("revocation_announce_failed", error=repr(exc))
            await asyncio.sleep(10)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    fresh = FreshReader(urls=settings.service_urls, secret=settings.auth_secret.get_secret_value(),
                        timeout=settings.fresh_timeout_seconds)

    async def start_fresh_reads(runtime: ServiceRuntime) -> None:
        runtime.tasks.append(asyncio.create_task(hold_open(fresh), name="fresh-reads"))

    async def start_person_views(runtime: ServiceRuntime) -> None:
        runtime.tasks.append(asyncio.create_task(rendered.follow(runtime.maker), name="person-views"))

    async def start_revocations(runtime: ServiceRuntime) -> None:
        async with runtime.reader() as session:
            runtime.auth.revoked.update(await clients.revoked_ids(session=session))
        runtime.tasks.append(asyncio.create_task(_refresh_revocations(runtime, settings.revocation_refresh_seconds)))
        runtime.tasks.append(asyncio.create_task(_announce_revocations(runtime), name="announce-revocations"))

    # The platform's documentation starts here: each domain service's API docs and event catalogue.
    links = {f"{SERVICES[name].title} {kind}": f"{url.rstrip('/')}/{path}"
             for name, url in settings.service_urls.items() if name in SERVICES
             for kind, path in (("接口文档", "docs"), ("事件目录", "asyncapi"))}
    app = create_service_app(
        settings=settings,
        title="衢州市人社 一卡通 网关 Gateway",
        description="一卡通人员视图、接入系统管理与审计。事件目录 Event catalogue: [/asyncapi](/asyncapi) "
        "(every topic, merged from the contracts; JSON at /asyncapi.json). 各服务接口文档 Each service's docs: "
        + ", ".join(f"[{title}]({url})" for title, url in links.items()) + ". "
        "Read models are built from every domain topic's events "
        "(one module per topic, documents shaped like the answers). The gateway publishes API clients' "
        "revocations on its own topic, which every service follows.",
        infra=infra,
        migrations_dir=MIGRATIONS,
        consumers=[projection.CONSUMER],
        routers=[persons_router, employers_router, alerts.router, indicators.router, clients_router,
                 dashboard.router],
        jobs=[*alerts.JOBS, rendered.job()],
        on_startup=[start_revocations, start_fresh_reads, start_person_views],
        # The whole catalogue: the domain topics its read models consume and its own topic.
        asyncapi=document,
        doc_links=links,
    )
    app.state.fresh = fresh
    app.mount(dashboard.STATIC_PATH, dashboard.static_files(), name="dashboard-static")
    return app
