"""A clean stop of a service lets its relay mark what it has published, so the next start publishes nothing
twice: every event on the topic has its outbox row marked sent (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hrss_shared.registry import TRAINING
from tests import factories
from tests.conftest import DbFactory
from tests.integration.test_resilience import count_rows, read_topic
from tests.support import InProcessService, KafkaNode, service_settings
from training.config import TrainingSettings
from training.main import create_app


async def test_a_clean_stop_marks_every_event_it_published(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path
) -> None:
    settings = service_settings(TrainingSettings, db_url=await make_db("training"), bootstrap=kafka.bootstrap,
                                prefix=prefix, data_dir=tmp_path)
    async with InProcessService(create_app, settings) as svc:
        async def register(i: int) -> None:
            r = await svc.client.post("/v1/institutions", json={
                "credit_code": factories.credit_code("330802"), "name": f"衢州停机测试培训学校{i}",
                "county_code": "330802", "kind": "private_provider"})
            assert r.status_code == 201, r.text
        await asyncio.gather(*(register(i) for i in range(60)))
        outbox = svc.runtime.infra.outbox
    # Stopped while its relay was publishing: what reached the topic is exactly what was marked sent.
    events = await read_topic(kafka.bootstrap, prefix + str(TRAINING.topic), settle=1.5)
    async with InProcessService(create_app, settings.model_copy(update={"relay_enabled": False})) as again:
        marked = await count_rows(again, outbox, outbox.c.published_at.is_not(None))
        total = await count_rows(again, outbox)
    assert total == 60
    assert len(events) == marked
    assert len({e.id for e in events}) == len(events)
