"""Service application factory: lifespan (migrations, relay, consumers), auth, errors, health."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from hrss_shared import auth as authn
from hrss_shared import db, migrations
from hrss_shared.consumer import DLQ_SUFFIX, ConsumerRunner, Handler
from hrss_shared.infra import InfraTables
from hrss_shared.kafka import BrokerProbe, ProducerFactory, ensure_topics
from hrss_shared.logs import CorrelationMiddleware, configure_logging, get_logger
from hrss_shared.outbox import PENDING_FLAG, Outbox
from hrss_shared.paging import MAX_OFFSET
from hrss_shared.problems import install_problem_handlers
from hrss_shared.relay import Backoff, FileLock, OutboxRelay
from hrss_shared.settings import ServiceSettings

log = get_logger(__name__)


@dataclass
class ConsumerSpec:
    """A consumer group of this service: the topics (without prefix) and handlers by event type."""

    group: str
    topics: list[str]
    handlers: dict[str, Handler]


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    engine: AsyncEngine
    maker: db.SessionMaker
    infra: InfraTables
    auth: authn.Authenticator
    probe: BrokerProbe
    outbox: Outbox | None = None
    relay: OutboxRelay | None = None
    consumers: list[ConsumerRunner] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


StartupHook = Callable[[ServiceRuntime], Awaitable[None]]


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    infra: InfraTables,
    migrations_dir: Path,
    routers: Sequence[APIRouter] = (),
    topic: str | None = None,
    consumers: Sequence[ConsumerSpec] = (),
    extra_topics: Sequence[str] = (),
    on_startup: Sequence[StartupHook] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    """Build a service's FastAPI app; ``topic`` is the topic it publishes to through its outbox."""
    configure_logging(service=settings.service_name, level=settings.log_level, json=settings.log_json)
    source = f"/hrss/{settings.service_name}"

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url
        engine = db.make_engine(url)
        maker = db.make_sessionmaker(engine)
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(60), wait=wait_exponential(max=5), retry=retry_if_exception_type(OSError),
            reraise=True,
        ):
            with attempt:
                await migrations.upgrade(engine, migrations_dir)
        dev_token = settings.dev_token.get_secret_value() if settings.dev_token else None
        runtime = ServiceRuntime(
            settings=settings, engine=engine, maker=maker, infra=infra,
            auth=authn.Authenticator(secret=settings.auth_secret.get_secret_value(), dev_token=dev_token),
            probe=BrokerProbe(settings.bootstrap_servers, settings.service_name),
        )
        if topic is not None:
            runtime.outbox = Outbox(infra.outbox, topic=settings.topic(topic), source=source)
            if settings.relay_enabled:
                lock = None
                if engine.dialect.name != "postgresql":
                    lock = FileLock(Path(f"{engine.url.database}.relay.lock"))
                runtime.relay = OutboxRelay(
                    maker=maker, table=infra.outbox, dialect=engine.dialect.name, lock=lock,
                    producers=ProducerFactory(settings.bootstrap_servers, client_id=f"{settings.service_name}-relay"),
                )
        if settings.consumers_enabled:
            for spec in consumers:
                runtime.consumers.append(
                    ConsumerRunner(
                        group_id=f"{settings.topic_prefix}{spec.group}",
                        topics=[settings.topic(t) for t in spec.topics],
                        handlers=spec.handlers, maker=maker, processed=infra.processed_events,
                        bootstrap=settings.bootstrap_servers, max_retries=settings.consumer_max_retries,
                    )
                )
        app.state.runtime = runtime
        for hook in on_startup:
            await hook(runtime)
        wanted = [settings.topic(t) for t in ([topic] if topic else []) + list(extra_topics)]
        for spec in consumers:
            wanted += [settings.topic(t) for t in spec.topics] + [settings.topic(t) + DLQ_SUFFIX for t in spec.topics]
        runtime.tasks.append(asyncio.create_task(_start_messaging(runtime, wanted), name="messaging"))
        log.info("service_started", port=settings.port, database=engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            for task in runtime.tasks:
                task.cancel()
            await asyncio.gather(*runtime.tasks, return_exceptions=True)
            await runtime.probe.close()
            await engine.dispose()
            log.info("service_stopped")

    app = FastAPI(
        title=title, description=description, version="1.0.0", lifespan=lifespan, openapi_tags=openapi_tags,
    )
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    app.include_router(health_router())
    app.include_router(audit_router(settings.service_name))
    for router in routers:
        app.include_router(router)
    return app


async def _start_messaging(runtime: ServiceRuntime, topics: list[str]) -> None:
    """Create topics (retrying while the broker is down), then run the relay and consumers."""
    backoff = Backoff(0.5, 10.0)
    while topics:
        try:
            await ensure_topics(
                runtime.settings.bootstrap_servers, topics, partitions=runtime.settings.topic_partitions
            )
            break
        except Exception as exc:  # noqa: BLE001
            delay = backoff.next()
            log.warning("topic_setup_failed", error=repr(exc), retry_in=delay)
            await asyncio.sleep(delay)
    workers: list[Awaitable[None]] = [c.run() for c in runtime.consumers]
    if runtime.relay is not None:
        workers.append(runtime.relay.run())
    await asyncio.gather(*workers)


# ---- dependencies ---------------------------------------------------------------------------


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.maker() as session:
        yield session
        if session.info.pop(PENDING_FLAG, False) and runtime.relay is not None:
            runtime.relay.wake()


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_outbox(runtime: RuntimeDep) -> Outbox:
    if runtime.outbox is None:
        raise RuntimeError("this service publishes no events")
    return runtime.outbox


OutboxDep = Annotated[Outbox, Depends(get_outbox)]


def require(scope: str) -> Callable[[Request, ServiceRuntime], authn.Principal]:
    """Dependency factory: the caller must hold ``scope`` (401 without a credential, 403 without the scope)."""

    def dependency(request: Request, runtime: RuntimeDep) -> authn.Principal:
        principal = runtime.auth.authenticate(request.headers.get("authorization"))
        principal.require(scope)
        request.state.principal = principal
        return principal

    return dependency


class Presenter:
    """Masks PII for clients without ``pii:read`` and audits unmasked reads."""

    def __init__(self, request: Request, runtime: RuntimeDep) -> None:
        self.request = request
        self.runtime = runtime

    async def __call__(
        self, payload: Any, *, principal: authn.Principal, session: AsyncSession, subjects: Sequence[str] = ()
    ) -> Any:
        result = await authn.present(
            payload, principal=principal, request=self.request, session=session,
            audit_table=self.runtime.infra.audit_log, subjects=subjects,
        )
        if principal.sees_pii:
            await session.commit()
        return result


PresenterDep = Annotated[Presenter, Depends()]


# ---- routers --------------------------------------------------------------------------------


def health_router() -> APIRouter:
    router = APIRouter(tags=["health 健康检查"])

    @router.get("/healthz", summary="存活检查 Liveness")
    async def healthz(runtime: RuntimeDep) -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service_name}

    @router.get("/readyz", summary="就绪检查 Readiness (database and broker)")
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(db.ping(runtime.engine), 3)
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"failed: {type(exc).__name__}"
        try:
            await runtime.probe.check()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"failed: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        body = {"status": "ready" if ready else "not_ready", "service": runtime.settings.service_name, "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    return router


def audit_router(service: str) -> APIRouter:
    router = APIRouter(prefix="/v1/audit", tags=["audit 审计日志"])

    @router.get("", summary="敏感信息查询审计日志 Audit log of unmasked reads (admin)")
    async def list_audit(
        runtime: RuntimeDep,
        session: SessionDep,
        principal: Annotated[authn.Principal, Depends(require(authn.ADMIN))],
        subject: str | None = None,
        client_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        t = runtime.infra.audit_log
        query = select(t)
        if subject:
            query = query.where(t.c.subject == subject)
        if client_id:
            query = query.where(t.c.client_id == client_id)
        count = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = (await session.execute(query.order_by(t.c.id.desc()).limit(limit).offset(offset))).mappings().all()
        return {"data": [dict(r) for r in rows], "count": count, "limit": limit, "offset": offset}

    return router
