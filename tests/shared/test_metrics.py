"""Prometheus metrics at /metrics: the credential it takes, request latency by route template (never the raw
path), the outbox backlog and its oldest row's age (cached between scrapes), scheduled jobs' last outcome, and a
registry of each app's own. Consumer lag and the DLQ count need the broker: tests/integration/test_metrics_lag.py."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, update

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_shared.metrics import CACHE_SECONDS, UNMATCHED, ServiceMetrics
from tests import factories
from tests.support import InProcessService, alone, bearer, eventually, token
from training.config import TrainingSettings
from training.main import create_app as create_training

SCRAPER = bearer(token("metrics:read"))
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(svc: InProcessService, headers: dict[str, str] | None = None) -> Samples:
    r = await svc.client.get("/metrics", headers=headers or SCRAPER)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_gateway, alone(GatewaySettings, tmp_path, scheduler_enabled=False)) as svc:
        yield svc


@pytest.fixture
async def employment(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_employment,
                                alone(EmploymentSettings, tmp_path, scheduler_enabled=False)) as svc:
        yield svc


async def test_metrics_take_the_metrics_read_scope_or_admin(gateway: InProcessService) -> None:
    assert (await gateway.client.get("/metrics", headers={"Authorization": ""})).status_code == 401
    refused = await gateway.client.get("/metrics", headers=bearer(token("gateway:read", "pii:read")))
    assert refused.status_code == 403
    assert "metrics:read" in refused.json()["detail"]
    assert (await gateway.client.get("/metrics", headers=SCRAPER)).status_code == 200
    assert (await gateway.client.get("/metrics")).status_code == 200  # the dev token: admin


async def test_requests_are_counted_by_route_template_method_and_status_class(gateway: InProcessService) -> None:
    reader = bearer(token("gateway:read"))
    people = [factories.id_number(), factories.id_number(county="330881")]
    for person in people:  # the hot DirectRoute: nobody there yet, 404
        assert (await gateway.client.get(f"/v1/persons/{person}", headers=reader)).status_code == 404
    assert (await gateway.client.get("/v1/persons/not-an-id", headers=reader)).status_code == 422
    assert (await gateway.client.get(f"/no/such/page/{people[0]}")).status_code == 404
    assert (await gateway.client.get("/openapi.json")).status_code == 200
    assert (await gateway.client.get("/healthz")).status_code == 200

    samples = await scrape(gateway)
    count = "hrss_http_request_duration_seconds_count"
    assert value(samples, count, route="/v1/persons/{id_number}", method="GET", status="4xx") == 3
    assert value(samples, count, route=UNMATCHED, method="GET", status="4xx") == 1
    assert value(samples, count, route="/openapi.json", method="GET", status="2xx") == 1
    assert value(samples, count, route="/healthz", method="GET", status="2xx") == 1
    assert value(samples, "hrss_http_request_duration_seconds_bucket", route="/healthz", method="GET",
                 status="2xx", le="+Inf") == 1
    labels = {v for _, pairs in samples for _, v in pairs}
    assert not any(person in label for person in people for label in labels)  # no raw path, no ID number



async def test_a_waiting_read_counts_its_work_not_its_wait(gateway: InProcessService) -> None:
    """GET /v1/persons/{id} with Prefer: wait=1 for a person nobody has mentioned waits a second and answers 404;
    the request-time histogram files it under its work (well below the second), not the wait the client asked for."""
    reader = bearer(token("gateway:read"))
    started = time.perf_counter()
    r = await gateway.client.get(f"/v1/persons/{factories.id_number()}", headers={**reader, "Prefer": "wait=1"})
    assert r.status_code == 404
    assert time.perf_counter() - started >= 1.0  # it did wait
    samples = await scrape(gateway)
    labels = {"route": "/v1/persons/{id_number}", "method": "GET", "status": "4xx"}
    assert value(samples, "hrss_http_request_duration_seconds_count", **labels) == 1
    total = value(samples, "hrss_http_request_duration_seconds_sum", **labels)
    assert total is not None and total < 0.5

async def test_the_outbox_backlog_and_the_age_of_its_oldest_unpublished_row(employment: InProcessService) -> None:
    runtime = employment.runtime
    table = runtime.infra.outbox
    now = datetime.now(UTC)

    def row(age: timedelta, published: bool) -> dict[str, Any]:
        return {"event_id": uuid.uuid4().hex, "topic": "hrss.employment", "key": "k", "event_type": "t",
                "payload": "{}", "created_at": now - age, "attempts": 0,
                "published_at": now if published else None}

    async with runtime.maker() as session, session.begin():
        await session.execute(insert(table), [row(timedelta(minutes=30), True), row(timedelta(seconds=90), False),
                                              row(timedelta(seconds=5), False)])
    samples = await scrape(employment)
    assert value(samples, "hrss_outbox_pending") == 2
    age = value(samples, "hrss_outbox_oldest_pending_age_seconds")
    assert age is not None and 90 <= age < 3600

    async with runtime.maker() as session, session.begin():
        await session.execute(update(table).values(published_at=now))

    async def drained() -> bool:
        samples = await scrape(employment)  # the next scrape after the cached value expires
        return value(samples, "hrss_outbox_pending") == 0 and value(
            samples, "hrss_outbox_oldest_pending_age_seconds") == 0
    await eventually(drained, timeout=30, interval=0.5)


async def test_database_values_are_read_once_per_cache_period(employment: InProcessService) -> None:
    runtime = employment.runtime
    metrics = ServiceMetrics("employment")  # a registry of its own, driven by an explicit clock
    await metrics.refresh(runtime, now=lambda: 1000.0)
    assert metrics.snapshot.outbox_pending == 0
    async with runtime.maker() as session, session.begin():
        await session.execute(insert(runtime.infra.outbox).values(
            event_id=uuid.uuid4().hex, topic="t", key="k", event_type="t", payload="{}",
            created_at=datetime.now(UTC), attempts=0))
    await metrics.refresh(runtime, now=lambda: 1000.0 + CACHE_SECONDS - 0.01)
    assert metrics.snapshot.outbox_pending == 0  # still the cached reading
    await metrics.refresh(runtime, now=lambda: 1000.0 + CACHE_SECONDS)
    assert metrics.snapshot.outbox_pending == 1
    assert b"hrss_outbox_pending 1.0" in metrics.exposition()


async def test_each_app_has_a_registry_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = InProcessService(create_training, alone(TrainingSettings, tmp_path / "a", scheduler_enabled=False))
    second = InProcessService(create_training, alone(TrainingSettings, tmp_path / "b", scheduler_enabled=False))
    async with first, second:
        for _ in range(3):
            assert (await first.client.get("/healthz")).status_code == 200
        assert (await second.client.get("/healthz")).status_code == 200
        count = "hrss_http_request_duration_seconds_count"
        assert value(await scrape(first), count, route="/healthz", method="GET", status="2xx") == 3
        assert value(await scrape(second), count, route="/healthz", method="GET", status="2xx") == 1


async def test_scheduled_jobs_last_outcome(tmp_path: Path) -> None:
    async with InProcessService(create_training, alone(TrainingSettings, tmp_path)) as training:
        # A job seen for the first time runs at once (hrss_shared.scheduler): the purges run on start-up.
        async def ran() -> Samples | None:
            samples = await scrape(training)
            return samples if value(samples, "hrss_job_last_success", job="outbox-purge") == 1 else None
        samples = await eventually(ran, timeout=60, interval=0.5)
        assert value(samples, "hrss_job_consecutive_failures", job="outbox-purge") == 0
        finished = value(samples, "hrss_job_last_finished_timestamp_seconds", job="outbox-purge")
        assert finished is not None and abs(finished - datetime.now(UTC).timestamp()) < 3600

        table = training.runtime.infra.scheduled_jobs
        async with training.runtime.maker() as session, session.begin():
            await session.execute(update(table).where(table.c.name == "outbox-purge").values(failures=2))

        async def failing() -> bool:
            samples = await scrape(training)
            return (value(samples, "hrss_job_last_success", job="outbox-purge") == 0
                    and value(samples, "hrss_job_consecutive_failures", job="outbox-purge") == 2)
        await eventually(failing, timeout=30, interval=0.5)


async def test_metrics_of_a_service_without_consumers_or_broker(employment: InProcessService) -> None:
    samples = await scrape(employment)
    names = {name for name, _ in samples}
    assert "hrss_outbox_pending" in names
    assert not any(name.startswith("hrss_consumer_") for name in names)  # consumers disabled (no broker)


async def test_the_wal_checkpoints_of_a_service_on_sqlite(employment: InProcessService) -> None:
    checkpointer = employment.runtime.checkpointer
    assert checkpointer is not None
    r = await employment.client.post("/v1/job-seekers", json=factories.job_seeker())
    assert r.status_code == 201, r.text

    async def checkpointed() -> Samples | None:
        samples = await scrape(employment)
        rounds = value(samples, "hrss_sqlite_wal_checkpoints_total")
        return samples if rounds and value(samples, "hrss_sqlite_wal_frames") else None

    samples = await eventually(checkpointed, timeout=10)
    assert (value(samples, "hrss_sqlite_wal_frames") or 0) > 0

    async def behind(pages: bool) -> Samples | None:
        samples = await scrape(employment)
        found = value(samples, "hrss_sqlite_wal_frames_behind")
        return samples if found is not None and (found > 0) == pages else None

    await eventually(lambda: behind(False), timeout=10)  # every page copied: nothing holds one back
    # A long read (a backup, a report) keeps its snapshot: the pages written after it cannot be copied meanwhile.
    reader = sqlite3.connect(checkpointer.path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM job_seekers").fetchone()
        r = await employment.client.post("/v1/job-seekers", json=factories.job_seeker())
        assert r.status_code == 201, r.text
        await eventually(lambda: behind(True), timeout=10)
    finally:
        reader.close()
    await eventually(lambda: behind(False), timeout=10)
