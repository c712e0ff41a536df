"""Service application factory: lifespan (migrations, relay, consumers), auth, errors, health."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import os
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from hrss_shared import auth as authn
from hrss_shared import (
    bulk,
    catalogue,
    clock,
    db,
    idempotency,
    kafka_security,
    metrics,
    migrations,
    privacy,
    ratelimit,
    text,
    waiting,
)
from hrss_shared.audit import AuditChain, AuditWriter, new_chain_id
from hrss_shared.consumer import BatchHook, ConsumerRunner, Handler
from hrss_shared.events import CloudEvent
from hrss_shared.infra import InfraTables
from hrss_shared.kafka import BrokerProbe, ProducerFactory, ensure_topics
from hrss_shared.logs import (
    CORRELATION_HEADER,
    CORRELATION_KEY,
    SCOPE_KEY,
    configure_logging,
    correlation_id,
    get_logger,
    new_correlation_id,
)
from hrss_shared.outbox import PENDING_FLAG, Outbox
from hrss_shared.paging import MAX_OFFSET, Page, PageParams, page_of
from hrss_shared.problems import (
    BodyLimit,
    InvalidField,
    ProblemError,
    install_problem_handlers,
    problem_of,
    unexpected_error_response,
)
from hrss_shared.registry import DLQ_SUFFIX, REVOCATIONS_TOPIC
from hrss_shared.registry import service as registered
from hrss_shared.relay import Backoff, FileLock, OutboxRelay
from hrss_shared.revocations import RevocationFollower
from hrss_shared.scheduler import Daily, Job, JobContext, Scheduler
from hrss_shared.settings import ServiceSettings

log = get_logger(__name__)

# How long shutdown waits for the background tasks to finish after cancelling them.
STOP_TASKS_SECONDS = 10.0


@dataclass
class ConsumerSpec:
    """A consumer group of this service: the topics (without prefix), handlers by event type, batch hooks."""

    group: str
    topics: list[str]
    handlers: dict[str, Handler]
    hooks: Sequence[BatchHook] = ()


def merge_consumers(group: str, *specs: ConsumerSpec) -> ConsumerSpec:
    """One consumer group doing the work of several: every topic, the hooks of each in order, and for an event type
    that several handle, their handlers one after the other in the same transaction.

    A service has one processed-event table (deduplicated by the event's source and id), so it runs one consumer
    group: a second group would find every event already recorded by the first and skip it. Parts of a service
    that follow events each declare their own spec and the service merges them here (the gateway's read models,
    alerts and indicators are one group: each event is parsed once and every part sees it)."""
    handlers: dict[str, list[Handler]] = {}
    for spec in specs:
        for event_type, handler in spec.handlers.items():
            handlers.setdefault(event_type, []).append(handler)
    return ConsumerSpec(
        group=group,
        topics=list(dict.fromkeys(t for spec in specs for t in spec.topics)),
        handlers={t: hs[0] if len(hs) == 1 else _chain(hs) for t, hs in handlers.items()},
        hooks=[hook for spec in specs for hook in spec.hooks],
    )


def _chain(handlers: list[Handler]) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        for handler in handlers:
            await handler(session, event)

    return handle


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    engine: AsyncEngine
    maker: db.SessionMaker
    reader: db.SessionMaker
    lookups: db.KeyLookups
    infra: InfraTables
    auth: authn.Authenticator
    probe: BrokerProbe
    audit: AuditWriter
    outbox: Outbox | None = None
    relay: OutboxRelay | None = None
    scheduler: Scheduler | None = None
    checkpointer: db.WalCheckpointer | None = None  # SQLite: the WAL checkpoints, off the event loop
    revocations: RevocationFollower | None = None
    consumers: list[ConsumerRunner] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


StartupHook = Callable[[ServiceRuntime], Awaitable[None]]


class OutboxRef:
    """The running service's outbox, for work done outside a request (consumers, scheduled jobs).

    Build one before the app, hand it to the consumers' handlers and the jobs, and pass ``ref.bind`` in
    ``on_startup``: their events then go out through the outbox in the same transaction as their change."""

    def __init__(self, service: str = "the service") -> None:
        self._service = service
        self._outbox: Outbox | None = None

    async def bind(self, runtime: ServiceRuntime) -> None:
        """A start-up hook: take the outbox the service's runtime built."""
        self._outbox = runtime.outbox

    def __call__(self) -> Outbox:
        if self._outbox is None:
            raise RuntimeError(f"{self._service}'s outbox is not ready (the service has not started)")
        return self._outbox


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    infra: InfraTables,
    migrations_dir: Path,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[ConsumerSpec] = (),
    extra_topics: Sequence[str] = (),
    on_startup: Sequence[StartupHook] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
    asyncapi: Callable[[], dict[str, Any]] | None = None,
    doc_links: Mapping[str, str] | None = None,
    jobs: Sequence[Job] = (),
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    """Build a service's FastAPI app; it publishes to its registry topic (if any) through its outbox.

    ``body_limits`` gives routes under a path prefix a body limit of their own (an import's streamed file) in
    place of ``HRSS_MAX_BODY_BYTES``; the bulk paths (``/v1/bulk/``) always have theirs
    (:data:`hrss_shared.bulk.BODY_LIMITS`)."""
    configure_logging(service=settings.service_name, level=settings.log_level, json=settings.log_json)
    kafka_security.options()  # incomplete HRSS_KAFKA_* settings stop the service here, not at its first send
    entry = registered(settings.service_name)
    topic = entry.topic

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url
        engine = db.make_engine(url, background_checkpoints=True)
        maker = db.make_sessionmaker(engine)
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(60), wait=wait_exponential(max=5), retry=retry_if_exception_type(OSError),
            reraise=True,
        ):
            with attempt:
                await migrations.upgrade(engine, migrations_dir)
        dev_token = settings.dev_token.get_secret_value() if settings.dev_token else None
        runtime = ServiceRuntime(
            settings=settings, engine=engine, maker=maker, reader=db.make_reader(engine), infra=infra,
            lookups=db.KeyLookups(url),
            audit=AuditWriter(maker, AuditChain(infra.audit_log, new_chain_id(settings.service_name))),
            auth=authn.Authenticator(secret=settings.auth_secret.get_secret_value(), dev_token=dev_token),
            probe=BrokerProbe(settings.bootstrap_servers, settings.service_name),
        )
        if topic is not None:
            runtime.outbox = Outbox(infra.outbox, topic=settings.topic(topic), source=entry.source, publishes=topic,
                                    key_secret=settings.event_key_secret.get_secret_value())
            if settings.relay_enabled:
                lock = None
                if engine.dialect.name != "postgresql":
                    lock = FileLock(Path(f"{engine.url.database}.relay.lock"))
                runtime.relay = OutboxRelay(
                    maker=maker, reader=runtime.reader, table=infra.outbox, dialect=engine.dialect.name, lock=lock,
                    producers=ProducerFactory(settings.bootstrap_servers, client_id=f"{settings.service_name}-relay"),
                )
        if len(consumers) > 1:
            raise ValueError(
                "one consumer group per service: its processed-event table would make a second group skip every "
                "event the first recorded; merge them with hrss_shared.app.merge_consumers(group, *specs)")
        if settings.consumers_enabled:
            for spec in consumers:
                runtime.consumers.append(
                    ConsumerRunner(
                        group_id=f"{settings.topic_prefix}{spec.group}",
                        topics=[settings.topic(t) for t in spec.topics],
                        handlers=spec.handlers, hooks=list(spec.hooks), maker=maker,
                        processed=infra.processed_events, bootstrap=settings.bootstrap_servers,
                        max_retries=settings.consumer_max_retries,
                        after_commit=runtime.relay.wake if runtime.relay is not None else None,
                    )
                )
        # Per-client rate limit (hrss_shared.ratelimit): counted in memory, shared through rate_counts meanwhile.
        runtime.auth.limiter = ratelimit.RateLimiter(
            policy=ratelimit.load_policy(settings.rate_limit_policy), maker=maker, reader=runtime.reader,
            table=infra.rate_counts,
        )
        runtime.tasks.append(asyncio.create_task(runtime.auth.limiter.run(settings.rate_limit_flush_seconds),
                                                 name="rate-limit"))
        # Revoked clients, replayed from the gateway's topic and followed (hrss_shared.revocations).
        runtime.revocations = RevocationFollower(
            auth=runtime.auth, bootstrap=settings.bootstrap_servers, topic=settings.topic(REVOCATIONS_TOPIC),
            partitions=settings.topic_partitions, client_id=f"{settings.service_name}-revocations",
            replication_factor=settings.topic_replication_factor,
        )
        runtime.tasks.append(asyncio.create_task(runtime.revocations.run(), name="revocations"))
        scheduled = [*jobs, idempotency_purge_job(runtime), ratelimit.purge_job(infra.rate_counts)]
        scheduled += [outbox_purge_job(runtime)] if runtime.outbox is not None else []
        if settings.scheduler_enabled and scheduled:
            runtime.scheduler = Scheduler(
                maker=maker, reader=runtime.reader, table=infra.scheduled_jobs, jobs=scheduled, clock=clock.now,
                owner=f"{settings.service_name}@{socket.gethostname()}:{os.getpid()}",
            )
            runtime.tasks.append(asyncio.create_task(runtime.scheduler.run(), name="scheduler"))
        runtime.tasks.append(asyncio.create_task(runtime.audit.run(), name="audit"))
        if engine.dialect.name == "sqlite":  # the engine's commits leave checkpoints to it (db.WalCheckpointer)
            runtime.checkpointer = db.WalCheckpointer(str(engine.url.database))
            runtime.tasks.append(asyncio.create_task(runtime.checkpointer.run(), name="wal-checkpoint"))
        app.state.runtime = runtime
        for hook in on_startup:
            await hook(runtime)
        wanted = [settings.topic(t) for t in ([topic] if topic else []) + list(extra_topics)]
        for spec in consumers:
            wanted += [settings.topic(t) for t in spec.topics] + [settings.topic(t) + DLQ_SUFFIX for t in spec.topics]
        runtime.tasks.append(asyncio.create_task(_start_messaging(runtime, wanted), name="messaging"))
        # Objects made at start-up live as long as the process: keep the cyclic GC from re-scanning them; and let it
        # look at young objects less often (settings.gc_young_threshold), the older generations as CPython does.
        gc.set_threshold(settings.gc_young_threshold, *gc.get_threshold()[1:])
        gc.freeze()
        log.info("service_started", port=settings.port, database=engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            if runtime.relay is not None:
                await runtime.relay.finish()
            await stop_tasks(runtime.tasks)
            await runtime.probe.close()
            await runtime.lookups.close()
            await engine.dispose()
            log.info("service_stopped")

    app = ServiceApp(
        title=title, description=description, version="1.0.0", lifespan=lifespan, openapi_tags=openapi_tags,
        # No OpenTelemetry is configured; FastAPI's native hook would still probe for it on every request (for logs,
        # through the environment).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.max_body_bytes = settings.max_body_bytes  # 413 before the body is read (ServiceApp)
    app.body_limits = {**bulk.BODY_LIMITS, **(body_limits or {})}  # every service's /v1/bulk/ paths
    # Prometheus metrics (hrss_shared.metrics), a registry per app; RequestMiddleware times every request into it.
    app.state.metrics = metrics.ServiceMetrics(settings.service_name)
    # The routers' DirectRoutes (the hottest reads) are served by RequestMiddleware itself (see DirectRoute).
    direct = [route for router in routers for route in router.routes if isinstance(route, DirectRoute)]
    app.add_middleware(RequestMiddleware, meter=app.state.metrics, direct=direct)
    install_problem_handlers(app)
    app.add_exception_handler(idempotency.Replay, _replay)  # type: ignore[arg-type]
    app.add_exception_handler(ratelimit.RateLimited, ratelimit.rate_limited_response)  # 429 with Retry-After
    # The domain's routes first: every request matches routes in order, and they carry the traffic.
    for router in routers:
        app.include_router(router)
    app.include_router(health_router())
    app.include_router(metrics.metrics_router(app.state.metrics, authorize, runtime_of))
    if asyncapi is not None:
        app.include_router(asyncapi_router(asyncapi, links={"接口文档 API docs": "docs", **(doc_links or {})}))
    app.include_router(audit_router(settings.service_name))
    # FastAPI adds its docs routes first; match them last, after the routes that carry the traffic.
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.router.routes.sort(key=lambda route: getattr(route, "path", None) in docs)
    return app


async def stop_tasks(tasks: Sequence[asyncio.Task[Any]], *, within: float = STOP_TASKS_SECONDS) -> None:
    """Cancel ``tasks`` and wait for them, cancelling again each second: a cancellation that lands while a library
    awaits under ``asyncio.wait_for`` can be swallowed (Python 3.11), and shutdown must not wait for ever. A task
    still running after ``within`` seconds is named in the log and left."""
    pending = {task for task in tasks if not task.done()}
    deadline = asyncio.get_running_loop().time() + within
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            log.warning("tasks_not_stopped", tasks=sorted(t.get_name() for t in pending))
            return
        _, pending = await asyncio.wait(pending, timeout=min(1.0, left))
    for task in tasks:  # collect their outcomes, so no "exception was never retrieved" warning
        if not task.cancelled():
            task.exception()


async def _replay(request: Request, exc: idempotency.Replay) -> Response:
    return exc.response()


class ServiceApp(FastAPI):
    """FastAPI with the body limit outermost (:class:`hrss_shared.problems.BodyLimit`): one wrapper that leaves
    bodiless requests alone, where FastAPI's own ``max_body_size`` put four layers around every request."""

    max_body_bytes: int = 1024 * 1024
    body_limits: dict[str, int] = {}  # noqa: RUF012 - replaced per app by create_service_app

    def build_middleware_stack(self) -> ASGIApp:
        return BodyLimit(super().build_middleware_stack(), self.max_body_bytes, by_prefix=self.body_limits)


def outbox_purge_job(runtime: ServiceRuntime) -> Job:
    """Daily: delete outbox rows published more than ``outbox_retention_days`` ago (the topic keeps the event)."""
    table = runtime.infra.outbox
    keep = timedelta(days=runtime.settings.outbox_retention_days)

    async def purge(context: JobContext) -> str:
        async with context.maker() as session, session.begin():
            cutoff = context.scheduled_for - keep
            result = await session.execute(
                table.delete().where(table.c.published_at.is_not(None), table.c.published_at < cutoff)
            )
        return f"purged {result.rowcount} published outbox rows"  # type: ignore[attr-defined]

    return Job(name="outbox-purge", schedule=Daily(time(3, 0)), run=purge)


def idempotency_purge_job(runtime: ServiceRuntime) -> Job:
    """Daily: forget the answers kept for ``Idempotency-Key`` retries once their retention has passed."""
    table = runtime.infra.idempotency_keys
    keep = timedelta(hours=runtime.settings.idempotency_retention_hours)

    async def purge(context: JobContext) -> str:
        async with context.maker() as session, session.begin():
            result = await session.execute(table.delete().where(table.c.created_at < context.scheduled_for - keep))
        return f"purged {result.rowcount} idempotency keys"  # type: ignore[attr-defined]

    return Job(name="idempotency-purge", schedule=Daily(time(3, 10)), run=purge)


async def _start_messaging(runtime: ServiceRuntime, topics: list[str]) -> None:
    """Create topics (retrying while the broker is down), then run the relay and consumers."""
    backoff = Backoff(0.5, 10.0)
    while topics:
        try:
            await ensure_topics(
                runtime.settings.bootstrap_servers, topics, partitions=runtime.settings.topic_partitions,
                replication_factor=runtime.settings.topic_replication_factor,
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
# Dependencies are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, a hand-off that
# costs more than most of them do.

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# OpenAPI answers of a route that checks its credential itself (see :func:`authorize`).
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": title, "content": {"application/problem+json": {}}}
    for status, title in ((401, "未认证 Unauthorized"), (403, "无权限 Forbidden"), (404, "未找到 Not found"),
                          (422, "数据校验失败 Validation failed"))
}


def runtime_of(request: Request) -> ServiceRuntime:
    """The service's runtime, for code that has the request (dependencies use :data:`RuntimeDep`)."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> ServiceRuntime:
    return runtime_of(request)


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def unit_of_work(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request's session: one transaction, committed once after the handler and its answer succeed.

    Reads (GET, HEAD) get a read-only session that takes no write lock (their audit rows are written by
    :class:`RequestMiddleware`). A write commits after the response model is serialised, with the audit of any
    unmasked personal data in the same transaction, so a client never gets an error for a saved write; any
    error rolls everything back, except a refusal marked :func:`hrss_shared.problems.recorded`, whose
    record and event commit first. A write with an ``Idempotency-Key`` commits later, together with its
    answer (:mod:`hrss_shared.idempotency`; :class:`RequestMiddleware` finishes it).
    """
    if request.method in SAFE_METHODS:
        async with runtime.reader() as session:
            try:
                yield session
            finally:
                await session.rollback()
        return
    claim = await _claim(request, runtime)
    stack = contextlib.AsyncExitStack()
    session = await stack.enter_async_context(runtime.maker())
    handed_over = False
    try:
        if claim is not None:
            # Copies of one request queue here (PostgreSQL; SQLite has one writer): the later ones find the answer.
            await db.lock_key(session, f"idempotency:{claim.client_id}:{claim.key}")
            row = await idempotency.stored(session, runtime.infra.idempotency_keys, claim.client_id, claim.key)
            if row is not None:
                raise idempotency.replay_or_refuse(row, claim.request_hash)
        try:
            yield session
        except ProblemError as exc:
            if not exc.keep_writes:
                await session.rollback()
            elif claim is not None:
                _hand_over(request, runtime, session, stack, claim, [])
                handed_over = True
            else:
                await _commit(runtime, session, [])
            raise
        except BaseException:
            await session.rollback()
            raise
        rows = _audit_rows(request)
        if claim is not None:
            _hand_over(request, runtime, session, stack, claim, rows)
            handed_over = True
        else:
            await _commit(runtime, session, rows)
    finally:
        if not handed_over:
            await stack.aclose()


async def _claim(request: Request, runtime: ServiceRuntime) -> idempotency.Claim | None:
    key = idempotency.key_of(request)
    if key is None:
        return None
    principal = runtime.auth.authenticate(request.headers.get("authorization"))
    return idempotency.Claim(principal.client_id, key, await idempotency.request_hash(request))


async def _commit(runtime: ServiceRuntime, session: AsyncSession, audit_rows: list[dict[str, Any]]) -> None:
    """Commit a write; its audit rows go onto this process's audit chain in the same transaction."""
    if audit_rows:
        async with runtime.audit.chain.appending(session, audit_rows):
            await session.commit()
    else:
        await session.commit()
    _wake_relay(session, runtime)


PENDING_COMMIT = "hrss.pending_commit"  # scope key of a write whose commit waits for its answer


def _hand_over(request: Request, runtime: ServiceRuntime, session: AsyncSession, stack: contextlib.AsyncExitStack,
               claim: idempotency.Claim, audit_rows: list[dict[str, Any]]) -> None:
    """Leave the write open: the middleware commits it with its stored answer (``PendingCommit.finish``)."""
    request.scope[PENDING_COMMIT] = PendingCommit(runtime, session, stack, claim, audit_rows)


@dataclass
class PendingCommit:
    """A write with an ``Idempotency-Key``: open until its answer is known, then committed with it."""

    runtime: ServiceRuntime
    session: AsyncSession
    stack: contextlib.AsyncExitStack
    claim: idempotency.Claim
    audit_rows: list[dict[str, Any]]
    start: Message | None = None
    body: bytearray = field(default_factory=bytearray)
    finished: bool = False

    async def finish(self, scope: Scope) -> Response | None:
        """Store the answer and commit; ``None`` when done, otherwise the answer to send instead."""
        assert self.start is not None
        self.finished = True
        table = self.runtime.infra.idempotency_keys
        try:
            try:
                row = idempotency.answer_row(self.claim, self.start["status"], self.start.get("headers", []),
                                             bytes(self.body))
                await self.session.execute(insert(table), [row])
                await _commit(self.runtime, self.session, self.audit_rows)
                return None
            except IntegrityError as exc:
                await self.session.rollback()
                async with self.runtime.reader() as reader:  # another copy of the request committed first
                    first = await idempotency.stored(reader, table, self.claim.client_id, self.claim.key)
                if first is None:
                    return unexpected_error_response(Request(scope), exc)
                try:
                    return idempotency.replay_or_refuse(first, self.claim.request_hash).response()
                except ProblemError as refused:
                    return problem_of(Request(scope), refused)
            except Exception as exc:  # noqa: BLE001 - nothing committed (or unknown): the client retries with its key
                with contextlib.suppress(Exception):
                    await self.session.rollback()
                return unexpected_error_response(Request(scope), exc)
        finally:
            await self.stack.aclose()

    async def abandon(self) -> None:
        self.finished = True
        try:
            with contextlib.suppress(Exception):
                await self.session.rollback()
        finally:
            await self.stack.aclose()


def _wake_relay(session: AsyncSession, runtime: ServiceRuntime) -> None:
    if session.info.pop(PENDING_FLAG, False) and runtime.relay is not None:
        runtime.relay.wake()


def _audit_rows(request: Request) -> list[dict[str, Any]]:
    """The audit rows of what this request showed unmasked (see :mod:`hrss_shared.privacy`), once."""
    disclosure: privacy.Disclosure | None = getattr(request.state, "disclosure", None)
    principal: authn.Principal | None = getattr(request.state, "principal", None)
    if disclosure is None or principal is None:
        return []
    rows = privacy.audit_rows(
        disclosure, client_id=principal.client_id, client_name=principal.name,
        action=f"{request.method} {request.url.path}",
        purpose_text=privacy.purpose(request.headers.get(privacy.PURPOSE_HEADER)),
    )
    disclosure.audited = True
    return rows


def _edge_problem(scope: Scope) -> ProblemError | None:
    """What no handler may see: a NUL in the path or in a query parameter (PostgreSQL refuses it in text, and
    no identifier or filter has one), and an ``X-Purpose`` that breaks the one-line text rules."""
    if "\x00" in scope["path"]:
        return InvalidField("path", "含 NUL 字符 (contains a NUL character)")
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                return InvalidField(name.replace("\x00", "") or "query", "含 NUL 字符 (contains a NUL character)")
    for value in header_values(scope, PURPOSE_KEY):
        try:
            text.check_text(unquote(value), field=f"header.{privacy.PURPOSE_HEADER}", max_length=privacy.PURPOSE_MAX)
        except ProblemError as exc:
            return exc
    return None


PURPOSE_KEY = privacy.PURPOSE_HEADER.lower().encode()


class RequestMiddleware:
    """Per request: the correlation id (``X-Correlation-ID``, or a new one) in logs, events and the answer; the
    audit of what a successful answer shows unmasked, written before it starts (for reads, and any request
    without a unit of work), so no unmasked answer leaves without its audit row; and the answer to an error
    no handler took: 503 with ``Retry-After`` while the database is unreachable, 500 otherwise — sent here
    rather than raised to the server, which would close the client's keep-alive connection after it."""

    def __init__(self, app: ASGIApp, meter: metrics.ServiceMetrics | None = None,
                 direct: Sequence[DirectRoute] = ()) -> None:
        self.app = app
        self.meter = meter  # the request's time, by route template and status class (hrss_shared.metrics)
        self.direct = tuple(direct)  # served here, past the routing (DirectRoute.serve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = perf_counter()
        status = 500  # an answer that never started
        cid = (header(scope, CORRELATION_KEY) or "")[:64] or new_correlation_id()
        scope[SCOPE_KEY] = cid  # still readable by the outermost error handler after the reset below
        token = correlation_id.set(cid)
        started = False
        refused = _edge_problem(scope)
        if refused is not None:
            try:
                response = problem_of(Request(scope), refused)
                response.headers[CORRELATION_HEADER] = cid
                await response(scope, receive, send)
            finally:
                correlation_id.reset(token)
            return

        async def send_audited(message: Message) -> None:
            nonlocal started, status
            pending: PendingCommit | None = scope.get(PENDING_COMMIT)
            if pending is not None and not pending.finished:
                # An idempotent write: its answer is stored and committed with it before any of it goes out.
                if message["type"] == "http.response.start":
                    pending.start = message
                    return
                pending.body += message.get("body", b"")
                if message.get("more_body", False):
                    return
                instead = await pending.finish(scope)
                if instead is not None:
                    await instead(scope, receive, send_audited)
                    return
                assert pending.start is not None
                await send_audited(pending.start)
                message = {**message, "body": bytes(pending.body)}
            if message["type"] == "http.response.start":
                state = scope.get("state")
                disclosure: privacy.Disclosure | None = state.get("disclosure") if state else None
                if (disclosure is not None and disclosure.disclosed and not disclosure.audited
                        and message["status"] < 400):
                    request = Request(scope)
                    await runtime_of(request).audit.append(_audit_rows(request))
                message["headers"] = [*message.get("headers", ()), (CORRELATION_KEY, cid.encode())]
                started = True
                status = message["status"]
            await send(message)

        try:
            for route in self.direct:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child)
                    await route.serve(scope, receive, send_audited)
                    break
            else:
                await self.app(scope, receive, send_audited)
        except Exception as exc:
            pending = scope.get(PENDING_COMMIT)
            if pending is not None and not pending.finished:
                await pending.abandon()
            if started:
                raise  # the answer is on its way; the server can only close the connection
            await unexpected_error_response(Request(scope), exc)(scope, receive, send_audited)
        finally:
            pending = scope.get(PENDING_COMMIT)
            if pending is not None and not pending.finished:
                await pending.abandon()  # no answer was made: nothing commits, the client may retry
            correlation_id.reset(token)
            if self.meter is not None:
                self.meter.observe(scope, status, perf_counter() - began)


SessionDep = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]


async def get_outbox(runtime: RuntimeDep) -> Outbox:
    if runtime.outbox is None:
        raise RuntimeError("this service publishes no events")
    return runtime.outbox


OutboxDep = Annotated[Outbox, Depends(get_outbox)]





def authorize(request: Request, scope: str) -> authn.Principal:
    """The request's client, which must hold ``scope``; starts the request's disclosure (see :func:`require`).

    Every authenticated request counts once against the client's rate limit (429 once it is used up).
    """
    auth = runtime_of(request).auth
    principal = auth.authenticate(header(request.scope, b"authorization"))
    state = request.scope.setdefault("state", {})  # the dict behind request.state, read without its AttributeError
    # Once a request: a waiting read (DirectRoute.waiting) calls its endpoint again after each change.
    if auth.limiter is not None and state.get("principal") is None:
        auth.limiter.hit(principal.client_id)
    principal.require(scope)
    state["principal"] = principal
    state["disclosure"] = privacy.begin(principal.sees_pii)
    return principal


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the request header ``name`` (lower-case bytes, as ASGI gives names), read straight from
    the scope: the hottest reads skip building Starlette's ``Headers`` and the ``KeyError`` of a missing one."""
    for key, value in scope["headers"]:
        if key == name:
            found: str = value.decode("latin-1")
            return found
    return None


def header_values(scope: Scope, name: bytes) -> list[str]:
    """Every value of the request header ``name`` (lower-case bytes), in order (see :func:`header`)."""
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


def require(scope: str) -> Callable[[Request], Awaitable[authn.Principal]]:
    """Dependency factory: the caller must hold ``scope`` (401 without a credential, 403 without the scope).

    It also starts the request's :class:`hrss_shared.privacy.Disclosure`, so personal fields of the answer
    are masked unless the client holds ``pii:read``, and audited when it does (in the request's unit of
    work for a write, by :class:`RequestMiddleware` otherwise).
    """

    async def dependency(request: Request) -> authn.Principal:
        return authorize(request, scope)

    return dependency


class Serialized(bytes):
    """An answer a :class:`DirectRoute` endpoint returns already serialised with the route's response model (stored
    finished by a read model, see :func:`hrss_shared.privacy.serialising`): sent as it is."""


class DirectRoute(APIRoute):
    """A route for the hottest reads: its endpoint is called directly with the request and its path
    parameters, validated with their declared types; what it returns is serialised with its declared
    response model. No dependency solving: the endpoint checks its credential itself (:func:`authorize`),
    and takes no query, header or body parameters. OpenAPI documents it like any route.

    An endpoint may return its answer already serialised (:class:`Serialized`), e.g. stored finished by a read model.

    Its answers carry an ``ETag`` (of the serialised body), and a request whose ``If-None-Match`` names it gets
    ``304 Not Modified`` without the body. A route made with :meth:`waiting` also honours ``Prefer: wait=N``
    (:mod:`hrss_shared.waiting`): when the answer is the one the client holds (or a 404 and it holds none), it waits
    up to N seconds for its subject (the path parameter ``key``) to change, reading again after each change.

    FastAPI's general request handling costs ~150 µs a request here, more than the person view's own work. So a
    DirectRoute of a service's routers is also matched first by :class:`RequestMiddleware`, which serves it itself
    (:meth:`serve`) without the routing and exception layers below it: the app's exception handlers still answer
    what the endpoint raises, and the request is timed, audited and correlated like any other.
    """

    signal: waiting.ChangeSignal | None = None
    signal_key: str = ""
    _handler: Callable[[Request], Coroutine[Any, Any, Response]]  # what get_route_handler built (serve calls it)

    @classmethod
    def waiting(cls, signal: waiting.ChangeSignal, key: str) -> type[DirectRoute]:
        """A DirectRoute whose readers may wait for changes of the subject named by path parameter ``key``."""
        return type("WaitingDirectRoute", (cls,), {"signal": signal, "signal_key": key})

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        signature = inspect.signature(self.endpoint, eval_str=True)
        names = [name for name in signature.parameters if name != "request"]
        unsupported = [name for name in names if not re.search(r"\{" + name + r"(:[^}]*)?\}", self.path_format)]
        if unsupported:
            raise TypeError(f"DirectRoute {self.path}: only path parameters and the request, not {unsupported}")
        if self.signal is not None and self.signal_key not in names:
            raise TypeError(f"DirectRoute {self.path}: waits on path parameter {self.signal_key!r}, which it lacks")
        adapters = {name: TypeAdapter(signature.parameters[name].annotation) for name in names}
        answer = TypeAdapter(self.response_model)
        endpoint = self.endpoint
        status_code = self.status_code or 200
        signal, signal_key = self.signal, self.signal_key

        async def read(request: Request, values: dict[str, Any], held: str | None) -> Response:
            result = await endpoint(request=request, **values)
            body = result if isinstance(result, Serialized) else answer.dump_json(result)
            etag = waiting.etag_of(body)
            if waiting.none_match(held, etag):
                return Response(status_code=304, headers={"ETag": etag})
            return Response(body, status_code=status_code, media_type="application/json", headers={"ETag": etag})

        async def handler(request: Request) -> Response:
            values: dict[str, Any] = {}
            for name, adapter in adapters.items():
                try:
                    values[name] = adapter.validate_python(request.path_params[name])
                except ValidationError as exc:
                    raise RequestValidationError(
                        [{**error, "loc": ("path", name, *error["loc"])} for error in exc.errors()]
                    ) from None
            held = header(request.scope, b"if-none-match")
            wait = waiting.preferred_wait(header_values(request.scope, b"prefer")) if signal is not None else None
            if not wait or signal is None:
                return await read(request, values, held)
            deadline = perf_counter() + wait
            while True:
                with signal.watch(str(values[signal_key])) as changed:
                    try:
                        response: Response | None = await read(request, values, held)
                    except ProblemError as exc:
                        # Not there yet, and the client holds nothing: what it waits for is its appearance.
                        if exc.status != 404 or held is not None or perf_counter() >= deadline:
                            raise
                        response = None
                    remaining = deadline - perf_counter()
                    if response is not None and (response.status_code != 304 or remaining <= 0):
                        response.headers["Preference-Applied"] = f"wait={wait:g}"
                        return response
                    began = perf_counter()
                    await waiting.until_changed(changed, remaining)
                    # Kept out of the request-time histogram (hrss_shared.metrics): the wait is the client's wish.
                    request.scope[waiting.WAITED] = request.scope.get(waiting.WAITED, 0.0) + perf_counter() - began

        self._handler = handler
        return handler

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request this route matched (its path parameters in ``scope``), as the app would: what the
        endpoint raises goes to the app's handler of that exception (a problem answer), or on up when none takes
        it (an unexpected error)."""
        request = Request(scope, receive, send)
        try:
            response = await self._handler(request)
        except Exception as exc:
            handler = _exception_handler(request.app, exc)
            if handler is None:
                raise
            response = handler(request, exc)
            if inspect.isawaitable(response):
                response = await response
        await response(scope, receive, send)


def _exception_handler(app: FastAPI, exc: Exception) -> Callable[..., Any] | None:
    """The handler Starlette's exception middleware would give ``exc``: by status code for an HTTPException, then
    by the exception's classes (``Exception`` itself is the outermost error handler's, not this one's)."""
    handlers = app.exception_handlers
    if isinstance(exc, StarletteHTTPException) and exc.status_code in handlers:
        return handlers[exc.status_code]
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None


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
        body = {"status": "ready" if ready else "not_ready", "service": runtime.settings.service_name, "checks": checks,
                "details": await _details(runtime)}
        return JSONResponse(body, status_code=200 if ready else 503)

    return router


class AuditEntry(BaseModel):
    """One unmasked read: who, what, about whom, when and why."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    client_id: str
    client_name: str
    action: str
    subject: privacy.PersonIdNumber | None
    purpose: str | None
    correlation_id: str | None
    fields: list[str] | None


async def _details(runtime: ServiceRuntime) -> dict[str, Any]:
    """What the mechanisms are doing: consumers' counters, the relay, scheduled jobs' last runs."""
    details: dict[str, Any] = {
        "consumers": {c.group_id: {"healthy": c.healthy, **vars(c.stats)} for c in runtime.consumers},
    }
    if runtime.relay is not None:
        details["relay"] = {"healthy": runtime.relay.healthy, "published": runtime.relay.published_total}
    if runtime.revocations is not None:
        details["revocations"] = runtime.revocations.status()
    if runtime.auth.limiter is not None:
        details["rate_limit"] = runtime.auth.limiter.status()
    if runtime.checkpointer is not None:
        details["wal_checkpoint"] = runtime.checkpointer.status()
    if runtime.scheduler is not None:
        try:
            details["jobs"] = await asyncio.wait_for(runtime.scheduler.status(), 3)
        except Exception as exc:  # noqa: BLE001 - readiness reports, it does not fail on a detail
            details["jobs"] = f"unavailable: {type(exc).__name__}"
    return details


def asyncapi_router(build: Callable[[], dict[str, Any]], links: Mapping[str, str] | None = None) -> APIRouter:
    """``/asyncapi.json``: the AsyncAPI 3 document of the events this service publishes (or, for the gateway,
    consumes), generated from the contracts; ``/asyncapi``: the same catalogue as a page (with ``links``)."""
    router = APIRouter(tags=["docs 文档"])
    cache: list[dict[str, Any]] = []

    def built() -> dict[str, Any]:
        if not cache:
            cache.append(build())
        return cache[0]

    @router.get("/asyncapi.json", summary="事件目录 AsyncAPI 3 document of the event contracts")
    async def asyncapi_document() -> JSONResponse:
        return JSONResponse(built())

    @router.get("/asyncapi", summary="事件目录页面 The event catalogue as a page", response_class=HTMLResponse)
    async def asyncapi_page() -> HTMLResponse:
        return HTMLResponse(catalogue.render(built(), links=dict(links or {})))

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
    ) -> Page[AuditEntry]:
        t = runtime.infra.audit_log
        query = select(t)
        if subject:
            query = query.where(t.c.subject == subject)
        if client_id:
            query = query.where(t.c.client_id == client_id)
        count = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = (await session.execute(query.order_by(t.c.id.desc()).limit(limit).offset(offset))).all()
        return page_of(AuditEntry, rows, count, PageParams(limit=limit, offset=offset))

    return router
