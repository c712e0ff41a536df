"""``python -m gateway rebuild`` on real Apache Kafka: the read models rebuilt from the topics equal the ones the
running gateway built, the gateway's own tables are untouched, and a gateway started afterwards goes on from the
committed end offsets (applies only what is new). Refusals: a topic that does not keep every event, a running
gateway."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, select

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway import projection
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from gateway.rebuild import RebuildRefused, check, rebuild
from hrss_shared.kafka import ensure_topics, topic_retention
from hrss_shared.registry import DOMAIN_TOPICS
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory
from tests.support import (
    InProcessService,
    KafkaNode,
    bearer,
    committed_to_end,
    eventually,
    service_settings,
    token,
)

READER = bearer(token("gateway:read", "pii:read"))


async def snapshot(gateway: InProcessService) -> dict[str, list[Any]]:
    """Every read-model row, documents parsed (key order inside a document is not state)."""
    runtime = gateway.runtime
    metadata = MetaData()
    found: dict[str, list[Any]] = {}
    async with runtime.engine.connect() as conn:
        for name in projection.TABLES:
            table = await conn.run_sync(lambda c, n=name: Table(n, metadata, autoload_with=c))
            rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
            found[name] = [tuple(json.loads(v) if c.name == "doc" else v for c, v in zip(table.columns, row,
                                                                                        strict=True))
                           for row in rows]
    return found


async def audit_rows(gateway: InProcessService) -> int:
    async with gateway.runtime.engine.connect() as conn:
        table = gateway.runtime.infra.audit_log
        return len((await conn.execute(select(table.c.id))).all())


async def life(emp: InProcessService, si: InProcessService, n: int) -> list[str]:
    """A few people's lives over two domains: registrations, a termination, unemployment with a correction and a
    cancellation, cards (one replaced) and enrolments."""
    employer = factories.employer()
    assert (await emp.client.post("/v1/employers", json=employer)).status_code == 201
    people = []
    for i in range(n):
        seeker = factories.job_seeker()
        people.append(seeker["id_number"])
        assert (await emp.client.post("/v1/job-seekers", json=seeker)).status_code == 201
        r = await emp.client.post("/v1/employment-registrations", json={
            "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
            "start_date": "2026-03-01", "occupation": "车工"})
        assert r.status_code == 201, r.text
        r = await si.client.post("/v1/cards", json={"id_number": seeker["id_number"], "name": seeker["name"],
                                                    "county_code": "330802"})
        assert r.status_code == 201, r.text
        if i % 2:
            registration = r.json()
            r = await si.client.post(f"/v1/cards/{registration['card_number']}/replace",
                                     json={"reason": "损坏"})
            assert r.status_code in (200, 201), r.text
        if i % 3 == 0:
            r = await emp.client.post(f"/v1/employment-registrations/{(await _employment_id(emp, seeker))}/terminate",
                                      json={"end_date": "2026-06-30", "reason": "合同到期"})
            assert r.status_code == 200, r.text
            r = await emp.client.post("/v1/unemployment-registrations", json={
                "id_number": seeker["id_number"], "name": seeker["name"], "county_code": "330802",
                "registered_date": "2026-07-02"})
            assert r.status_code == 201, r.text
    return people


async def _employment_id(emp: InProcessService, seeker: dict[str, Any]) -> str:
    r = await emp.client.get("/v1/employment-registrations", params={"id_number": seeker["id_number"]})
    assert r.status_code == 200, r.text
    found: str = r.json()["data"][0]["id"]
    return found


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)
async def test_rebuild_gives_the_state_the_running_gateway_built(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path
) -> None:
    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)

    gw_settings: GatewaySettings = settings(GatewaySettings, await make_db("gateway"))
    emp = InProcessService(create_employment, settings(EmploymentSettings, await make_db("employment")))
    si = InProcessService(create_social_insurance,
                          settings(SocialInsuranceSettings, await make_db("social_insurance")))
    async with emp, si:
        gateway = InProcessService(create_gateway, gw_settings)
        async with gateway:
            people = await life(emp, si, 6)

            async def all_seen() -> bool | None:
                for person in people:
                    r = await gateway.client.get(f"/v1/persons/{person}", headers=READER)
                    if r.status_code != 200:
                        return None
                    if not r.json()["card"]["card"] or not r.json()["employment"]["employments"]:
                        return None
                return True
            await eventually(all_seen, timeout=90, interval=0.5)
            # Quiet: the outboxes drained and the gateway applied everything they published.
            await eventually(lambda: _settled(gateway, emp, si), timeout=90, interval=0.5)
            with pytest.raises(RebuildRefused, match="running member"):
                await check(gw_settings, [gw_settings.topic(t) for t in projection.CONSUMER.topics],
                            f"{prefix}{projection.GROUP}", force=False)
            live = await snapshot(gateway)
            audited = await audit_rows(gateway)
        assert sum(map(len, live.values())) > 3 * len(people)

        retention = await topic_retention(kafka.bootstrap, [gw_settings.topic(t) for t in DOMAIN_TOPICS])
        assert set(retention.values()) == {"-1"}  # created keeping every event

        report = await rebuild(gw_settings, progress=False)
        assert report.expected == report.events >= report.applied > 0 and not report.skipped

        gateway = InProcessService(create_gateway, gw_settings)
        async with gateway:
            assert await snapshot(gateway) == live
            assert await audit_rows(gateway) >= audited  # the gateway's own tables are not read models
            # Started after the rebuild, it goes on from the committed offsets: only the new event is applied.
            seeker = factories.job_seeker()
            assert (await emp.client.post("/v1/job-seekers", json=seeker)).status_code == 201
            await eventually(lambda: _found(gateway, seeker["id_number"]), timeout=60, interval=0.3)
            runner = gateway.runtime.consumers[0]
            assert runner.stats.applied == 1 and runner.stats.duplicates == 0


async def _settled(gateway: InProcessService, *producers: InProcessService) -> bool | None:
    """Every outbox row published, and the gateway's group committed at the end of every domain topic."""
    from sqlalchemy import func

    for service in producers:
        outbox = service.runtime.infra.outbox
        async with service.runtime.maker() as session:
            pending = (await session.execute(select(func.count()).select_from(outbox).where(
                outbox.c.published_at.is_(None)))).scalar_one()
        if pending:
            return None
    settings = gateway.settings
    if not await committed_to_end(settings.bootstrap_servers, f"{settings.topic_prefix}{projection.GROUP}",
                                  [settings.topic(t) for t in DOMAIN_TOPICS]):
        return None
    return True


async def _found(gateway: InProcessService, id_number: str) -> bool | None:
    r = await gateway.client.get(f"/v1/persons/{id_number}", headers=READER)
    return True if r.status_code == 200 else None


async def test_rebuild_refuses_topics_that_do_not_keep_every_event(kafka: KafkaNode, prefix: str,
                                                                   tmp_path: Path) -> None:
    week = {"retention.ms": "604800000"}
    topics = [f"{prefix}{t}" for t in DOMAIN_TOPICS]
    await ensure_topics(kafka.bootstrap, topics[:1], configs=week)
    await ensure_topics(kafka.bootstrap, topics[1:])
    settings: GatewaySettings = service_settings(GatewaySettings, db_url="sqlite+aiosqlite:///:memory:",
                                                 bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    with pytest.raises(RebuildRefused) as refused:
        await check(settings, topics, f"{prefix}{projection.GROUP}", force=False)
    assert f"{topics[0]} (retention.ms=604800000)" in str(refused.value)
    assert all(t not in str(refused.value) for t in topics[1:])
    await check(settings, topics, f"{prefix}{projection.GROUP}", force=True)  # --force rebuilds what is there


async def test_rebuild_refuses_the_memory_only_embedded_broker(tmp_path: Path) -> None:
    from hrss_cli.stack import free_ports
    from hrss_shared import embedded_broker

    port = free_ports(1)[0]
    proc = embedded_broker.start(port=port, log_path=tmp_path / "broker.log")
    try:
        url = f"127.0.0.1:{port}"
        await embedded_broker.wait_ready(url, proc=proc)
        topics = [f"x.{t}" for t in DOMAIN_TOPICS]
        await ensure_topics(url, topics)
        settings: GatewaySettings = service_settings(GatewaySettings, db_url="sqlite+aiosqlite:///:memory:",
                                                     bootstrap=url, prefix="x.", data_dir=tmp_path)
        with pytest.raises(RebuildRefused, match="durable Apache Kafka"):
            await check(settings, topics, "x.gateway", force=True)
    finally:
        embedded_broker.stop(proc)


def test_hrss_gateway_rebuild_says_the_stack_broker_keeps_events_in_memory_only(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "stack.json").write_text(json.dumps({"broker": {"kind": "embedded", "bootstrap": "127.0.0.1:9"}}))
    result = subprocess.run([sys.executable, "-m", "hrss_cli.main", "gateway", "rebuild", "--data-dir",
                             str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "needs a durable broker" in result.stderr and "--broker apache" in result.stderr
