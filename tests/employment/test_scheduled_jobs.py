"""Scheduled jobs in a running service: the outbox purge, and their last runs in /readyz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from hrss_shared import clock
from tests.support import InProcessService, eventually


async def test_outbox_purge_deletes_only_rows_published_before_the_retention(employment: InProcessService) -> None:
    runtime = employment.runtime
    scheduler = runtime.scheduler
    assert scheduler is not None and "outbox-purge" in scheduler.jobs

    async def first_run_done() -> bool:  # the job runs once at start-up for today's slot
        return "outbox-purge" in scheduler.last_status
    await eventually(first_run_done, timeout=30)
    t = runtime.infra.outbox
    slot = datetime(2026, 6, 10, 19, 0, tzinfo=UTC)  # 2026-06-11 03:00 Beijing time
    cutoff = slot - timedelta(days=runtime.settings.outbox_retention_days)
    second = timedelta(seconds=1)
    rows = {"before": cutoff - second, "at": cutoff, "after": cutoff + second, "unpublished": None}
    async with runtime.maker() as session, session.begin():
        await session.execute(insert(t), [
            {"event_id": name, "topic": "hrss.employment", "key": "k", "event_type": "hrss.employment.x.y.v1",
             "payload": "{}", "created_at": cutoff - timedelta(days=1), "published_at": published, "attempts": 0}
            for name, published in rows.items()
        ])
    with clock.freeze(slot + timedelta(hours=4)):
        record = await scheduler.run_now("outbox-purge")
    assert record is not None and record.error is None
    assert record.outcome == "purged 1 published outbox rows"
    async with runtime.maker() as session:
        left = set((await session.execute(select(t.c.event_id))).scalars())
    assert left >= {"at", "after", "unpublished"} and "before" not in left


async def test_readyz_details_show_the_jobs_and_their_last_outcome(employment: InProcessService) -> None:
    assert employment.runtime.scheduler is not None
    await employment.runtime.scheduler.run_now("outbox-purge")
    body = (await employment.client.get("/readyz")).json()
    job = body["details"]["jobs"]["outbox-purge"]
    assert job["schedule"].startswith("daily at 03:00")
    assert job["last_outcome"].startswith("purged ") and job["last_error"] is None
    assert job["next_due"] is not None and job["runs"] >= 1
    assert body["details"]["consumers"] == {}


async def test_idempotency_purge_forgets_answers_older_than_the_retention(employment: InProcessService) -> None:
    runtime = employment.runtime
    scheduler = runtime.scheduler
    assert scheduler is not None and "idempotency-purge" in scheduler.jobs

    async def first_run_done() -> bool:
        return "idempotency-purge" in scheduler.last_status
    await eventually(first_run_done, timeout=30)
    t = runtime.infra.idempotency_keys
    slot = datetime(2026, 6, 10, 19, 10, tzinfo=UTC)  # 2026-06-11 03:10 Beijing time
    cutoff = slot - timedelta(hours=runtime.settings.idempotency_retention_hours)
    second = timedelta(seconds=1)
    rows = {"before": cutoff - second, "at": cutoff, "after": cutoff + second}
    async with runtime.maker() as session, session.begin():
        await session.execute(insert(t), [
            {"client_id": "c", "key": name, "request_hash": "h", "status": 201, "headers": {}, "body": "{}",
             "created_at": created} for name, created in rows.items()
        ])
    with clock.freeze(slot + timedelta(hours=4)):
        record = await scheduler.run_now("idempotency-purge")
    assert record is not None and record.error is None
    assert record.outcome == "purged 1 idempotency keys"
    async with runtime.maker() as session:
        left = set((await session.execute(select(t.c.key))).scalars())
    assert left == {"at", "after"}
