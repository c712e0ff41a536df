"""A service on a broker that demands SASL: its principal's credentials from HRSS_KAFKA_*, as on a bureau cluster.

The broker (real Apache Kafka) listens with PLAINTEXT for the test's own checks and with SASL_PLAINTEXT (PLAIN
mechanism) for the service. With the right password the employment service's relay publishes and its readiness
is green; with a wrong one the broker refuses it, readiness says so, and the event waits in the outbox — then a
service with the right password publishes it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_shared import kafka_security
from hrss_shared.events import CloudEvent
from hrss_shared.registry import EMPLOYMENT
from tests import factories
from tests.support import InProcessService, KafkaNode, eventually, free_ports, service_settings

USER, PASSWORD = "hrss_employment", "right-password-for-the-test"


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KafkaNode, str]]:
    port, controller, sasl = free_ports(3)
    node = KafkaNode(tmp_path_factory.mktemp("kafka-sasl"), port=port, controller_port=controller, settings=[
        f"listeners=PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl},CONTROLLER://127.0.0.1:{controller}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port},SASL_PLAINTEXT://127.0.0.1:{sasl}",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms=PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
        f' required user_{USER}="{PASSWORD}";',
    ])
    node.start()
    yield node, f"127.0.0.1:{sasl}"
    node.stop(discard=True)  # its files go with the run's temporary directory


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("HRSS_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("HRSS_KAFKA_SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("HRSS_KAFKA_SASL_USERNAME", USER)
    kafka_security.reload()
    yield monkeypatch
    monkeypatch.undo()
    kafka_security.reload()


def _service(tmp_path: Path, bootstrap: str, prefix: str, password: str,
             monkeypatch: pytest.MonkeyPatch) -> InProcessService:
    monkeypatch.setenv("HRSS_KAFKA_SASL_PASSWORD", password)
    kafka_security.reload()
    settings = service_settings(EmploymentSettings, db_url=f"sqlite+aiosqlite:///{tmp_path / 'employment.db'}",
                                bootstrap=bootstrap, prefix=prefix, data_dir=tmp_path, consumers_enabled=False)
    return InProcessService(create_app, settings)


async def _read(bootstrap: str, topic: str, count: int) -> AsyncIterator[CloudEvent]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4().hex[:6]}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        seen = 0
        while seen < count:
            for records in (await consumer.getmany(timeout_ms=20_000)).values():
                for record in records:
                    seen += 1
                    yield CloudEvent.from_json(record.value)
            assert seen or count == 0, "no event within 20 s"
    finally:
        await consumer.stop()


async def test_relay_publishes_only_with_the_principals_password(
        sasl_broker: tuple[KafkaNode, str], credentials: pytest.MonkeyPatch, tmp_path: Path, prefix: str) -> None:
    node, sasl_bootstrap = sasl_broker
    employer = factories.employer("330802")

    wrong = _service(tmp_path, sasl_bootstrap, prefix, "wrong-password", credentials)
    async with wrong:
        r = await wrong.client.post("/v1/employers", json=employer)
        assert r.status_code == 201, r.text
        ready = await eventually(lambda: _not_ready(wrong), timeout=30)
        assert "broker" in ready
        outbox = wrong.runtime.infra.outbox
        async with wrong.runtime.maker() as session:
            waiting = (await session.execute(select(outbox.c.event_id, outbox.c.published_at))).all()
        assert len(waiting) == 1 and waiting[0].published_at is None  # kept, not lost

    right = _service(tmp_path, sasl_bootstrap, prefix, PASSWORD, credentials)
    async with right:
        await eventually(lambda: _published(right), timeout=60)
        assert (await right.client.get("/readyz")).status_code == 200

    events = [e async for e in _read(node.bootstrap, f"{prefix}{EMPLOYMENT.topic}", 1)]
    assert [(e.id, e.subject) for e in events] == [(waiting[0].event_id, employer["credit_code"])]


async def _not_ready(service: InProcessService) -> str:
    r = await service.client.get("/readyz")
    assert r.status_code == 503, r.text
    return r.text


async def _published(service: InProcessService) -> bool:
    outbox = service.runtime.infra.outbox
    async with service.runtime.maker() as session:
        rows = (await session.execute(select(outbox.c.published_at))).scalars().all()
    assert rows and all(at is not None for at in rows)
    return True
