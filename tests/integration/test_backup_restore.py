"""Backup and restore (hrss_cli.backup): databases copied while the services run, restored into fresh databases,
and the stack carries on — the data at backup time is there, the outbox rows unpublished at backup time go out
once, and the gateway applies what its restored database had not applied, nothing twice. On PostgreSQL with the
real Apache Kafka (pg_dump / pg_restore), and on SQLite through the command line (online backup API)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import func, select

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_cli.backup import Manifest, backup, restore, rewind_consumers
from hrss_cli.main import main as hrss
from hrss_shared.events import CloudEvent
from tests import factories
from tests.support import InProcessService, KafkaNode, PostgresNode, eventually, offline, service_settings


async def read_topic(bootstrap: str, topic: str, *, settle: float = 3.0) -> list[CloudEvent]:
    """Every event on ``topic`` from the beginning (stops after ``settle`` s without new records)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"reader-{uuid.uuid4().hex[:8]}", enable_auto_commit=False)
    await consumer.start()
    events: list[CloudEvent] = []
    try:
        idle = 0.0
        while idle < settle:
            batch = await consumer.getmany(timeout_ms=500)
            got = [CloudEvent.from_json(r.value) for recs in batch.values() for r in recs]
            events += got
            idle = 0.0 if got else idle + 0.5
    finally:
        await consumer.stop()
    return events


async def register(emp: InProcessService, n: int) -> list[str]:
    people = []
    for _ in range(n):
        seeker = factories.job_seeker()
        r = await emp.client.post("/v1/job-seekers", json=seeker)
        assert r.status_code == 201, r.text
        people.append(seeker["id_number"])
    return people


async def unpublished(svc: InProcessService) -> int:
    t = svc.runtime.infra.outbox
    async with svc.runtime.maker() as session:
        return int((await session.execute(
            select(func.count()).select_from(t).where(t.c.published_at.is_(None)))).scalar_one())


async def all_visible(gateway: InProcessService, people: list[str]) -> bool:
    for person in people:
        if (await gateway.client.get(f"/v1/persons/{person}")).status_code != 200:
            return False
    return True


async def committed(bootstrap: str, group: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {f"{tp.topic}/{tp.partition}": meta.offset for tp, meta in offsets.items()}


async def test_postgres_backup_restores_into_fresh_databases_and_the_stack_carries_on(
    postgres: PostgresNode, kafka: KafkaNode, prefix: str, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    old = {"employment": await postgres.create_database(f"employment_{suffix}"),
           "gateway": await postgres.create_database(f"gateway_{suffix}")}

    def settings(cls: Any, url: str, **extra: Any) -> Any:
        return service_settings(cls, db_url=url, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path,
                                **extra)

    folder = tmp_path / "backup"
    gateway = InProcessService(create_gateway, settings(GatewaySettings, old["gateway"]))
    async with gateway:
        async with InProcessService(create_employment, settings(EmploymentSettings, old["employment"])) as emp:
            published = await register(emp, 3)  # published and applied before the backup
            await eventually(lambda: all_visible(gateway, published), timeout=90, interval=0.5)
            await eventually(lambda: _zero(unpublished(emp)), timeout=60)
        # Committed but not yet published at backup time (the relay held back, as while the broker is away).
        async with InProcessService(create_employment,
                                    settings(EmploymentSettings, old["employment"], relay_enabled=False)) as emp:
            pending = await register(emp, 2)
            manifest = await backup(old, folder)  # online: both services running
            lost = await register(emp, 1)  # after the backup: gone with the old databases
        group = gateway.runtime.consumers[0].group_id
    # The old stack is gone.

    rows = {item.service: item.rows for item in manifest.services}
    assert (rows["employment"].outbox, rows["employment"].outbox_unpublished) == (5, 2)
    assert rows["gateway"].processed_events == 3
    assert Manifest.read(folder) == manifest
    assert {p.name for p in folder.iterdir()} == {"manifest.json", "employment.dump", "gateway.dump"}

    new = {name: f"{postgres.base_url}{name}_restored_{suffix}" for name in old}
    await restore(folder, new)
    moved = await rewind_consumers(manifest, bootstrap=kafka.bootstrap, prefix=prefix)
    gateway_positions = next(i.positions for i in manifest.services if i.service == "gateway")
    assert sum(gateway_positions.values()) == 3  # the three events of the first people, on their partitions
    assert {k: v for k, v in (await committed(kafka.bootstrap, group)).items() if v} == gateway_positions
    assert group in moved

    with pytest.raises(Exception, match="already holds"):  # a restore never overwrites a database with data
        await restore(folder, new)

    gateway = InProcessService(create_gateway, settings(GatewaySettings, new["gateway"]))
    async with gateway, InProcessService(create_employment, settings(EmploymentSettings, new["employment"])) as emp:
        for person in published + pending:
            assert (await emp.client.get(f"/v1/job-seekers/{person}")).status_code == 200
        assert (await emp.client.get(f"/v1/job-seekers/{lost[0]}")).status_code == 404
        # The relay publishes what was pending at backup time; the gateway applies only that.
        await eventually(lambda: all_visible(gateway, published + pending), timeout=90, interval=0.5)
        await eventually(lambda: _zero(unpublished(emp)), timeout=60)
        runner = gateway.runtime.consumers[0]
        assert (runner.stats.applied, runner.stats.duplicates, runner.stats.dead_lettered) == (2, 0, 0)
        assert (await gateway.client.get(f"/v1/persons/{lost[0]}")).status_code == 404

    events = await read_topic(kafka.bootstrap, prefix + "hrss.employment")
    per_person = Counter(e.subject for e in events)
    assert {person: per_person[person] for person in published + pending + lost} == {
        **dict.fromkeys(published + pending, 1), lost[0]: 0}
    assert len({e.id for e in events}) == len(events)


async def _zero(count: Any) -> bool:
    return await count == 0


def test_sqlite_backup_while_the_service_writes_and_restore_through_the_command_line(tmp_path: Path) -> None:
    data, fresh, folder = tmp_path / "data", tmp_path / "fresh", tmp_path / "backup"
    data.mkdir()

    async def before() -> tuple[list[str], list[str], int]:
        settings = offline(EmploymentSettings, db_url=f"sqlite+aiosqlite:///{data / 'employment.db'}",
                           data_dir=data)
        async with InProcessService(create_employment, settings) as emp:
            kept = await register(emp, 3)
            # hrss backup while the service runs (the command runs its own event loop: a thread of its own)
            code = await asyncio.to_thread(hrss, ["backup", "--data-dir", str(data), "--to", str(folder),
                                                  "--service", "employment"])
            assert code == 0
            waiting = await unpublished(emp)
            later = await register(emp, 2)
        return kept, later, waiting

    kept, later, waiting = asyncio.run(before())
    manifest = json.loads((folder / "manifest.json").read_text())
    [item] = manifest["services"]
    assert (item["service"], item["kind"], item["file"]) == ("employment", "sqlite", "employment.db")
    assert item["rows"] == {"outbox": 3, "outbox_unpublished": waiting, "processed_events": 0} and waiting == 3
    assert hrss(["backup", "--data-dir", str(data), "--to", str(folder)]) == 1  # never over another backup

    assert hrss(["restore", "--data-dir", str(fresh), "--from", str(folder)]) == 0
    assert hrss(["restore", "--data-dir", str(fresh), "--from", str(folder)]) == 1  # not over a database
    assert hrss(["restore", "--data-dir", str(fresh), "--from", str(folder), "--force"]) == 0

    async def after() -> None:
        settings = offline(EmploymentSettings, db_url=f"sqlite+aiosqlite:///{fresh / 'employment.db'}",
                           data_dir=fresh)
        async with InProcessService(create_employment, settings) as emp:
            for person in kept:
                assert (await emp.client.get(f"/v1/job-seekers/{person}")).status_code == 200
            for person in later:
                assert (await emp.client.get(f"/v1/job-seekers/{person}")).status_code == 404
            assert await unpublished(emp) == 3  # the relay publishes them once the service runs with a broker

    asyncio.run(after())
