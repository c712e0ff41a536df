"""Faults with real processes: PostgreSQL stopped for 15 s during a burst of registrations.

The employment service runs as its own uvicorn process on a PostgreSQL server of this test's own, the
gateway in the test's loop on the same server, both on the session's real Apache Kafka. Eight clients post
job seekers with an ``Idempotency-Key`` and do what a well-behaved caller does with a 503: wait its
``Retry-After``, then send the same request again. Every answer must be 201 or 503 (no 500, no dropped
connection), every acknowledged registration must reach the gateway exactly once, and nothing may be
dead-lettered.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from gateway.readmodel.models import PersonSection
from tests import factories
from tests.integration.test_resilience import count_rows, employment_process
from tests.support import DEV_TOKEN, InProcessService, KafkaNode, PostgresNode, bearer, eventually, service_settings

REGISTRATIONS = 1_000
OUTAGE_S = 15.0
CLIENTS = 8


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[PostgresNode]:
    """A PostgreSQL server of this test's own, since the test stops it."""
    node = PostgresNode(tmp_path / "postgres")
    await asyncio.to_thread(node.start)
    yield node
    await asyncio.to_thread(node.stop)


@pytest.mark.slow
async def test_postgres_stopped_mid_burst_loses_nothing_and_never_answers_500(
    own_postgres: PostgresNode, kafka: KafkaNode, prefix: str, tmp_path: Path,
) -> None:
    employment_db = await own_postgres.create_database("employment")
    gateway = InProcessService(create_gateway, service_settings(
        GatewaySettings, db_url=await own_postgres.create_database("gateway"), bootstrap=kafka.bootstrap,
        prefix=prefix, data_dir=tmp_path))
    seekers = [factories.job_seeker(county) for county in ["330802", "330803", "330822", "330824", "330825",
                                                           "330881"] * (REGISTRATIONS // 6 + 1)][:REGISTRATIONS]
    assert len({s["id_number"] for s in seekers}) == REGISTRATIONS
    statuses: collections.Counter[int] = collections.Counter()
    dropped: list[str] = []
    acknowledged: set[str] = set()
    outage: dict[str, float] = {}

    async with gateway:
        proc = employment_process(db_url=employment_db, bootstrap=kafka.bootstrap, prefix=prefix, tmp=tmp_path,
                                  relay=True)
        proc.start()
        try:
            await asyncio.to_thread(proc.wait_ready, 120)

            async def client(chunk: list[dict[str, Any]]) -> None:
                async with httpx.AsyncClient(base_url=proc.url, headers=bearer(DEV_TOKEN), timeout=30) as http:
                    for seeker in chunk:
                        while True:
                            try:
                                r = await http.post("/v1/job-seekers", json=seeker,
                                                    headers={"Idempotency-Key": f"register-{seeker['id_number']}"})
                            except httpx.TransportError as exc:
                                dropped.append(repr(exc))
                                await asyncio.sleep(1)
                                continue
                            statuses[r.status_code] += 1
                            if r.status_code == 201:
                                acknowledged.add(seeker["id_number"])
                                break
                            assert r.status_code == 503, r.text
                            assert r.headers["content-type"].startswith("application/problem+json")
                            await asyncio.sleep(float(r.headers["retry-after"]))

            async def stop_postgres_midway() -> None:
                while statuses[201] < REGISTRATIONS // 3:
                    await asyncio.sleep(0.02)
                outage["stopped_at"] = time.monotonic()
                await asyncio.to_thread(own_postgres.stop)
                await asyncio.sleep(OUTAGE_S)
                await asyncio.to_thread(own_postgres.start)
                outage["started_at"] = time.monotonic()

            await asyncio.gather(stop_postgres_midway(), *(client(seekers[i::CLIENTS]) for i in range(CLIENTS)))
        finally:
            proc.stop()

        print(f"PostgreSQL down {outage['started_at'] - outage['stopped_at']:.1f} s; answers {dict(statuses)}; "
              f"no answer: {len(dropped)}; acknowledged: {len(acknowledged)}")
        assert outage["started_at"] - outage["stopped_at"] >= OUTAGE_S
        assert statuses[503] > 0, "the outage was seen by the clients"
        assert set(statuses) <= {201, 503}, statuses
        assert dropped == [], f"{len(dropped)} requests got no answer: {dropped[:3]}"
        assert len(acknowledged) == REGISTRATIONS

        processed = gateway.runtime.infra.processed_events

        async def all_applied() -> bool:
            return await count_rows(gateway, processed) == REGISTRATIONS
        await eventually(all_applied, timeout=180, interval=1.0)
        sections = PersonSection.__table__  # type: ignore[attr-defined]
        assert await count_rows(gateway, sections, sections.c.section == "identity") == REGISTRATIONS
        for seeker in seekers[:: REGISTRATIONS // 20]:
            assert (await gateway.client.get(f"/v1/persons/{seeker['id_number']}")).status_code == 200
        consumer = gateway.runtime.consumers[0]
        assert consumer.stats.dead_lettered == 0
        assert consumer.stats.applied == REGISTRATIONS
        print(f"gateway: {consumer.stats.applied} applied, {consumer.stats.dead_lettered} dead-lettered, "
              f"{consumer.stats.transient_retries} transient retries")
