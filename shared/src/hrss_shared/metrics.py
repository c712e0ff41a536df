"""Prometheus metrics of a service at ``/metrics`` (text exposition format), one registry per app.

* ``hrss_http_request_duration_seconds{route,method,status}``: a histogram of every request's time, labelled
  by the route's template (``/v1/persons/{id_number}``, never the raw path: one series per route, not per person),
  the method and the status class (``2xx`` …). Timed by ``hrss_shared.app.RequestMiddleware`` (no layer of its
  own) and counted without a lock in :meth:`ServiceMetrics.observe` (about a microsecond: the event loop is the
  only writer); prometheus_client writes them out at scrape time.
* The outbox: unpublished rows and the age of the oldest (one query on the ``published_at`` index), cached for
  :data:`CACHE_SECONDS`, so frequent scrapes do not load the database; rows published by this process.
* Consumers: lag per partition (end offset minus position, read from each runner's live Kafka consumer at
  scrape time and cached with the rest, so the polling loop does no extra work), events by outcome, events
  dead-lettered per topic, and the delay of the newest applied event.
* Scheduled jobs: whether the last run succeeded, when it finished, consecutive failures (the
  ``scheduled_jobs`` table, read with the outbox query's cache).

The route needs the ``metrics:read`` scope (admin passes too): the house rule is that every route but health
and documentation takes a credential, and Prometheus sends one with ``authorization`` in its scrape config.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import Scope

from hrss_shared.auth import METRICS_READ
from hrss_shared.logs import get_logger
from hrss_shared.waiting import WAITED

if TYPE_CHECKING:
    from hrss_shared.app import ServiceRuntime
    from hrss_shared.consumer import ConsumerRunner

log = get_logger(__name__)

# How long the database-backed values (outbox backlog, jobs) and the consumer lag are reused between scrapes.
CACHE_SECONDS = 2.0
# How long a scrape waits for one partition's position (known at once unless the consumer is being reset).
POSITION_WAIT_SECONDS = 0.1
# How long a scrape waits for the broker's end offsets of a consumer's partitions.
END_OFFSETS_WAIT_SECONDS = 1.0
# Latency buckets (seconds): the person view answers in about a millisecond, imports take seconds.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNMATCHED = "unmatched"  # the route label of a request no route matched (one series, whatever the path)
STATUS_CLASSES = ("0xx", "1xx", "2xx", "3xx", "4xx", "5xx")


@dataclass
class Snapshot:
    """The values read at scrape time that cost a query or an await; reused for :data:`CACHE_SECONDS`."""

    taken: float = float("-inf")  # time.monotonic() when read
    outbox_pending: int | None = None
    outbox_oldest_age: float | None = None
    lag: list[tuple[str, str, int, int]] = field(default_factory=list)  # group, topic, partition, lag
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Series:
    """One route/method/status class's histogram: a count per bucket (the last one past every bound) and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.total = 0.0


class ServiceMetrics:
    """A service's metrics: its own registry (several apps in one process never share a series), the request
    histogram, and the runtime's values collected at scrape time (:meth:`refresh`, then :meth:`exposition`)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.runtime: ServiceRuntime | None = None
        self.snapshot = Snapshot()
        self._refreshing = asyncio.Lock()
        self.requests: dict[tuple[str, str, int], _Series] = {}  # (route, method, status // 100) -> histogram
        self._templates: dict[int, str] = {}  # id(endpoint) -> path, for routes that are not FastAPI's APIRoute
        self.registry.register(_RuntimeCollector(self))

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """Count one request's time under its route template, method and status class; a waiting read's time
        without its waits for a change (``Prefer: wait``, :mod:`hrss_shared.waiting`), which the client asked for."""
        seconds -= scope.get(WAITED, 0.0)
        route = scope.get("route")
        key = (route.path if route is not None else self._template(scope), scope["method"], status // 100)
        series = self.requests.get(key)
        if series is None:
            series = self.requests[key] = _Series()
        series.counts[bisect_left(BUCKETS, seconds)] += 1  # the first bound >= seconds: the "le" bucket
        series.total += seconds

    def _template(self, scope: Scope) -> str:
        """The path template of a plain Starlette route or mount (the docs pages); :data:`UNMATCHED` if none."""
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return UNMATCHED
        found = self._templates.get(id(endpoint))
        if found is None:
            app = scope.get("app")
            found = next((str(r.path) for r in getattr(app, "routes", ())
                          if getattr(r, "endpoint", None) is endpoint or getattr(r, "app", None) is endpoint),
                         UNMATCHED)
            self._templates[id(endpoint)] = found
        return found

    async def refresh(self, runtime: ServiceRuntime, *, now: Callable[[], float] = time.monotonic) -> None:
        """Read the outbox backlog, the jobs and the consumers' lag, unless read less than CACHE_SECONDS ago."""
        self.runtime = runtime
        if now() - self.snapshot.taken < CACHE_SECONDS:
            return
        async with self._refreshing:
            if now() - self.snapshot.taken < CACHE_SECONDS:
                return  # another scrape refreshed it while this one waited
            snapshot = Snapshot(taken=now())
            await _guarded("outbox", _outbox(runtime, snapshot))
            if runtime.scheduler is not None:
                await _guarded("jobs", _jobs(runtime, snapshot))
            for runner in runtime.consumers:
                snapshot.lag += [(runner.group_id, *lag) for lag in await consumer_lag(runner)]
            self.snapshot = snapshot

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)


async def _guarded(part: str, work: Awaitable[None]) -> None:
    """Run one part of a refresh; a failure leaves that part's metrics out of this scrape (and is logged)."""
    try:
        await asyncio.wait_for(work, 3)
    except Exception as exc:  # noqa: BLE001 - a scrape reports what it can; the others stay
        log.warning("metrics_refresh_failed", part=part, error=repr(exc))


async def _outbox(runtime: ServiceRuntime, snapshot: Snapshot) -> None:
    if runtime.outbox is None:
        return
    t = runtime.infra.outbox
    async with runtime.reader() as session:
        row = (await session.execute(
            select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None)))).one()
    snapshot.outbox_pending = int(row[0])
    oldest: datetime | None = row[1]
    if oldest is not None:
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        snapshot.outbox_oldest_age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    else:
        snapshot.outbox_oldest_age = 0.0


async def _jobs(runtime: ServiceRuntime, snapshot: Snapshot) -> None:
    assert runtime.scheduler is not None
    snapshot.jobs = await runtime.scheduler.status()


async def consumer_lag(runner: ConsumerRunner) -> list[tuple[str, int, int]]:
    """(topic, partition, lag) of each partition the runner's live consumer holds: the partition's end offset minus
    the position of the next record the consumer hands over (records handed over are in the batch being applied).

    The end offset is asked of the broker (one ListOffsets request for all partitions): the high watermark the
    consumer keeps from its fetches stops moving while a batch is held, which is when lag matters. Without an
    answer in time, that last known high watermark stands in; a partition with neither is left out."""
    consumer = runner.kafka
    if consumer is None:
        return []
    partitions = sorted(consumer.assignment())
    if not partitions:
        return []
    try:
        ends: dict[Any, int] = await asyncio.wait_for(consumer.end_offsets(partitions), END_OFFSETS_WAIT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - the fetched high watermarks stand in
        log.debug("end_offsets_unavailable", group=runner.group_id, error=repr(exc))
        ends = {}
    found: list[tuple[str, int, int]] = []
    for tp in partitions:
        try:
            known = [value for value in (consumer.highwater(tp), ends.get(tp)) if value is not None]
            if not known:
                continue
            position = await asyncio.wait_for(consumer.position(tp), POSITION_WAIT_SECONDS)
        except Exception:  # noqa: BLE001 - reassigned or resetting meanwhile: no value this scrape
            continue
        found.append((tp.topic, tp.partition, max(0, max(known) - int(position))))
    return found


class _RuntimeCollector(Collector):
    """The runtime's metrics, built on every scrape from the counters in memory and the last snapshot."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        runtime, snapshot = self.metrics.runtime, self.metrics.snapshot
        if runtime is None:
            return [_request_family(self.metrics.requests)]
        families: list[Metric] = [_request_family(self.metrics.requests)]
        families += _outbox_families(runtime, snapshot)
        families += _consumer_families(runtime.consumers, snapshot)
        families += _job_families(snapshot.jobs)
        families += _checkpoint_families(runtime)
        return families


def _request_family(requests: dict[tuple[str, str, int], _Series]) -> Metric:
    family = HistogramMetricFamily(
        "hrss_http_request_duration_seconds", "请求耗时 Request duration by route template, method and status class",
        labels=["route", "method", "status"])
    bounds = [*(str(bound) for bound in BUCKETS), "+Inf"]
    for (route, method, status), series in sorted(requests.items()):
        status_class = STATUS_CLASSES[status] if 0 <= status < len(STATUS_CLASSES) else "other"
        cumulative, running = [], 0
        for bound, count in zip(bounds, series.counts, strict=True):
            running += count
            cumulative.append((bound, running))
        family.add_metric([route, method, status_class], cumulative, series.total)
    return family


def _outbox_families(runtime: ServiceRuntime, snapshot: Snapshot) -> list[Metric]:
    if runtime.outbox is None:
        return []
    families: list[Metric] = []
    if snapshot.outbox_pending is not None:
        families.append(GaugeMetricFamily("hrss_outbox_pending", "待发布事件数 Outbox rows not yet published",
                                          value=snapshot.outbox_pending))
        families.append(GaugeMetricFamily(
            "hrss_outbox_oldest_pending_age_seconds",
            "最早待发布事件的等待时间 Age of the oldest unpublished outbox row (0 when none waits)",
            value=snapshot.outbox_oldest_age or 0.0))
    if runtime.relay is not None:
        families.append(CounterMetricFamily("hrss_outbox_published", "本进程已发布事件 Outbox rows this process "
                                            "published", value=runtime.relay.published_total))
        families.append(GaugeMetricFamily("hrss_relay_up", "发布器正常 The relay's last publish succeeded (1) or "
                                          "not (0)", value=1 if runtime.relay.healthy else 0))
    return families


def _consumer_families(runners: Sequence[ConsumerRunner], snapshot: Snapshot) -> list[Metric]:
    if not runners:
        return []
    up = GaugeMetricFamily("hrss_consumer_up", "消费者已连接 The consumer group member runs (1) or not (0)",
                           labels=["group"])
    events = CounterMetricFamily("hrss_consumer_events", "已消费事件 Events taken from the topics, by outcome",
                                 labels=["group", "outcome"])
    dlq = CounterMetricFamily("hrss_consumer_dead_lettered",
                              "死信事件 Events this process sent to <topic>.dlq, by original topic",
                              labels=["group", "topic"])
    delay = GaugeMetricFamily("hrss_consumer_last_delay_seconds",
                              "最新事件延迟 From the newest applied event's time to its commit", labels=["group"])
    lag = GaugeMetricFamily("hrss_consumer_lag", "消费积压 Records behind the high watermark, per partition",
                            labels=["group", "topic", "partition"])
    for runner in runners:
        group, stats = runner.group_id, runner.stats
        up.add_metric([group], 1 if runner.healthy else 0)
        for outcome, value in (("applied", stats.applied), ("duplicate", stats.duplicates),
                               ("ignored", stats.ignored), ("dead_lettered", stats.dead_lettered)):
            events.add_metric([group, outcome], value)
        for topic, count in sorted(stats.dead_lettered_by_topic.items()):
            dlq.add_metric([group, topic], count)
        delay.add_metric([group], stats.last_delay_ms / 1000)
    for group, topic, partition, behind in snapshot.lag:
        lag.add_metric([group, topic, str(partition)], behind)
    return [up, events, dlq, delay, lag]


def _checkpoint_families(runtime: ServiceRuntime) -> list[Metric]:
    """SQLite: the WAL checkpoints of hrss_shared.db.WalCheckpointer, as its last round left them."""
    checkpointer = runtime.checkpointer
    if checkpointer is None:
        return []
    families: list[Metric] = [CounterMetricFamily(
        "hrss_sqlite_wal_checkpoints", "预写日志检查点轮次 WAL checkpoint rounds this process ran",
        value=checkpointer.rounds)]
    if checkpointer.last is not None:
        _, frames, copied = checkpointer.last
        families.append(GaugeMetricFamily("hrss_sqlite_wal_frames", "预写日志页数 Pages in the WAL at the last round",
                                          value=frames))
        families.append(GaugeMetricFamily(
            "hrss_sqlite_wal_frames_behind", "未写入数据库的预写日志页数 WAL pages the last round could not copy "
            "into the database (a long read holds them)", value=max(0, frames - copied)))
    return families


def _job_families(jobs: dict[str, dict[str, Any]]) -> list[Metric]:
    if not jobs:
        return []
    success = GaugeMetricFamily("hrss_job_last_success", "定时任务上次成功 The job's last run succeeded (1) or "
                                "failed (0)", labels=["job"])
    finished = GaugeMetricFamily("hrss_job_last_finished_timestamp_seconds", "定时任务上次结束时间 When the job's "
                                 "last run ended (Unix time)", labels=["job"])
    failures = GaugeMetricFamily("hrss_job_consecutive_failures", "定时任务连续失败次数 Failed runs since the "
                                 "last success", labels=["job"])
    for name, job in sorted(jobs.items()):
        if not job.get("last_finished_at"):
            continue  # never ran
        failed = int(job.get("failures") or 0)
        success.add_metric([name], 0 if failed else 1)
        finished.add_metric([name], datetime.fromisoformat(job["last_finished_at"]).timestamp())
        failures.add_metric([name], failed)
    return [success, finished, failures]


def metrics_router(metrics: ServiceMetrics, authorize: Callable[[Request, str], object],
                   runtime_of: Callable[[Request], ServiceRuntime]) -> APIRouter:
    """``GET /metrics`` for a client holding ``metrics:read`` (the app's ``authorize`` and ``runtime_of``)."""
    router = APIRouter(tags=["operations 运维"])

    @router.get(
        "/metrics", summary="运行指标 Prometheus metrics (metrics:read)", response_class=Response,
        responses={200: {"description": "Prometheus 文本格式 text exposition format",
                         "content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}},
                   401: {"description": "未认证 Unauthorized", "content": {"application/problem+json": {}}},
                   403: {"description": "无权限 Forbidden", "content": {"application/problem+json": {}}}},
    )
    async def metrics_endpoint(request: Request) -> Response:
        authorize(request, METRICS_READ)
        await metrics.refresh(runtime_of(request))
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
