"""``GET /v1/persons/{id}?fresh=true`` against the four domain services running as real processes (uvicorn) on real
Kafka and PostgreSQL: every section is read live; a stopped (slow) service and a killed (down) one give only their
sections ``live.status = "unavailable"``, and the view still answers 200 within about a second."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_cli.stack import ServiceProcess
from hrss_shared.registry import EMPLOYMENT, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING
from tests import factories
from tests.conftest import DbFactory
from tests.support import (
    DEV_TOKEN,
    SECRET,
    InProcessService,
    KafkaNode,
    bearer,
    eventually,
    free_port,
    service_settings,
    token,
)

READER = bearer(token("gateway:read"))
DEADLINE = 2.0
DOMAINS = (EMPLOYMENT, TRAINING, SOCIAL_INSURANCE, LABOUR_RELATIONS)


def process(name: str, env_prefix: str, *, db_url: str, bootstrap: str, prefix: str, tmp: Path) -> ServiceProcess:
    env = dict(os.environ)
    env.update({
        f"{env_prefix}DATABASE_URL": db_url, "HRSS_BOOTSTRAP_SERVERS": bootstrap, "HRSS_TOPIC_PREFIX": prefix,
        "HRSS_DEV_TOKEN": DEV_TOKEN, "HRSS_AUTH_SECRET": SECRET, "HRSS_ENVIRONMENT": "test",
        "HRSS_DATA_DIR": str(tmp / name),
    })
    return ServiceProcess(name=name, port=free_port(), env=env, log_path=tmp / f"{name}.log")


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)
async def test_fresh_reads_each_owner_live_and_degrades_only_the_missing_ones(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path
) -> None:
    procs = {s.name: process(s.name, s.env_prefix, db_url=await make_db(s.package), bootstrap=kafka.bootstrap,
                             prefix=prefix, tmp=tmp_path) for s in DOMAINS}
    for proc in procs.values():
        proc.start()
    stopped: list[ServiceProcess] = []
    try:
        for proc in procs.values():
            proc.wait_ready(180)
        settings = service_settings(GatewaySettings, db_url=await make_db("gateway"), bootstrap=kafka.bootstrap,
                                    prefix=prefix, data_dir=tmp_path,
                                    service_urls={name: p.url for name, p in procs.items()},
                                    # Wider than the 0.8 s default: this machine runs two test workers at once.
                                    fresh_timeout_seconds=DEADLINE)
        async with InProcessService(create_gateway, settings) as gateway:
            seeker = factories.job_seeker()
            person = seeker["id_number"]
            employer = factories.employer()
            clients = {name: httpx.AsyncClient(base_url=p.url, headers=bearer(DEV_TOKEN), timeout=30)
                       for name, p in procs.items()}
            emp, si = clients["employment"], clients["social-insurance"]
            assert (await emp.post("/v1/employers", json=employer)).status_code == 201
            assert (await emp.post("/v1/job-seekers", json=seeker)).status_code == 201
            r = await si.post("/v1/cards", json={"id_number": person, "name": seeker["name"], "county_code": "330802"})
            assert r.status_code == 201, r.text
            card = r.json()["card_number"]

            async def known() -> bool | None:
                r = await gateway.client.get(f"/v1/persons/{person}", headers=READER)
                return True if r.status_code == 200 and r.json()["card"]["card"] else None
            await eventually(known, timeout=90, interval=0.5)

            # Registered in the employment service this instant: the fresh view has it before any event applies.
            r = await emp.post("/v1/employment-registrations", json={
                "id_number": person, "name": seeker["name"], "credit_code": employer["credit_code"],
                "start_date": "2026-03-01", "occupation": "车工"})
            assert r.status_code == 201, r.text
            registration = r.json()["id"]
            r = await gateway.client.get(f"/v1/persons/{person}", params={"fresh": "true"}, headers=READER)
            assert r.status_code == 200, r.text
            view: dict[str, Any] = r.json()
            for name in ("employment", "training", "talent", "card", "insurance", "labour"):
                assert view[name]["live"]["status"] == "live", (name, view[name]["live"])
            assert view["employment"]["status"] == "employed"
            assert [e["id"] for e in view["employment"]["employments"]] == [registration]
            assert view["card"]["card"]["card_number"] == card
            assert view["id_number"] != person  # still masked without pii:read
            plain = (await gateway.client.get(f"/v1/persons/{person}", headers=READER)).json()
            assert plain["employment"].get("live") is None

            # Training slow (stopped, its socket still accepts), labour relations down (killed).
            slow, down = procs["training"], procs["labour-relations"]
            assert slow.proc is not None
            os.kill(slow.proc.pid, signal.SIGSTOP)
            stopped.append(slow)
            down.kill()
            started = time.perf_counter()
            r = await gateway.client.get(f"/v1/persons/{person}", params={"fresh": "true"}, headers=READER)
            elapsed = time.perf_counter() - started
            assert r.status_code == 200, r.text
            view = r.json()
            assert {name: view[name]["live"]["status"] for name in ("employment", "training", "talent", "card",
                                                                     "insurance", "labour")} == {
                "employment": "live", "training": "unavailable", "talent": "unavailable", "card": "live",
                "insurance": "live", "labour": "unavailable"}
            assert "timed out" in view["training"]["live"]["reason"]
            assert "labour-relations" in view["labour"]["live"]["reason"]
            assert view["card"]["card"]["card_number"] == card
            # Not a speed goal: the section deadline cut the stopped service off instead of waiting for it (its
            # socket accepts and never answers; httpx alone would wait its 5 s default).
            assert elapsed < DEADLINE + 1.5, elapsed
            for client in clients.values():
                await client.aclose()
    finally:
        for proc in stopped:
            if proc.proc is not None:
                os.kill(proc.proc.pid, signal.SIGCONT)
        for proc in procs.values():
            proc.stop()


async def test_fresh_must_be_a_boolean(tmp_path: Path) -> None:
    from tests.gateway.conftest import gateway_settings

    async with InProcessService(create_gateway, gateway_settings(tmp_path)) as gateway:
        r = await gateway.client.get(f"/v1/persons/{factories.id_number()}", params={"fresh": "maybe"},
                                     headers=READER)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "fresh" in r.text
