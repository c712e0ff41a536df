"""A client revoked at the gateway is refused by every service within 30 s, also by one started afterwards."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from hrss_contracts.gateway import CLIENT_REVOKED
from hrss_shared.auth import REVOKED_EVENT_TYPE
from hrss_shared.problems import PROBLEM_JSON
from hrss_shared.registry import REVOCATIONS_TOPIC
from tests.conftest import DbFactory
from tests.integration.conftest import Stack
from tests.integration.test_resilience import read_topic
from tests.support import InProcessService, bearer, eventually, service_settings

PROPAGATION_SECONDS = 30  # issue 7: a revocation reaches every service within 30 s


def test_the_followers_event_type_is_the_contracts() -> None:
    assert CLIENT_REVOKED.type == REVOKED_EVENT_TYPE
    assert CLIENT_REVOKED.topic == REVOCATIONS_TOPIC


async def topic_config(bootstrap: str, topic: str, name: str) -> str | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [resource] = response.resources
        entries = {entry[0]: entry[1] for entry in resource[4]}
        return entries.get(name)
    finally:
        await admin.close()


async def refused(svc: InProcessService, headers: dict[str, str]) -> dict[str, Any] | None:
    r = await svc.client.get("/v1/employers", headers=headers)
    if r.status_code == 200:
        return None
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = r.json()
    return body


async def test_a_revoked_client_is_refused_by_every_service_including_one_started_later(
    stack: Stack, make_db: DbFactory, tmp_path: Path,
) -> None:
    created = await stack.gateway.client.post("/v1/clients", json={"name": "社保经办系统",
                                                                    "scopes": ["employment:read"]})
    assert created.status_code == 201, created.text
    client = created.json()
    headers = bearer(client["token"])
    assert (await stack.employment.client.get("/v1/employers", headers=headers)).status_code == 200

    revoked = await stack.gateway.client.post(f"/v1/clients/{client['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    started = time.monotonic()
    body = await eventually(lambda: refused(stack.employment, headers), timeout=PROPAGATION_SECONDS)
    took = time.monotonic() - started
    assert "吊销" in body["detail"] and body["title"] == "未认证 Unauthorized"
    print(f"revocation reached the employment service in {took:.2f} s")

    # The event on the gateway's topic: the contract's data, keyed by the client.
    topic = stack.prefix + REVOCATIONS_TOPIC
    events = await read_topic(stack.bootstrap, topic, settle=1.0)
    assert [(e.type, e.subject, e.data["client_id"]) for e in events] == [
        (REVOKED_EVENT_TYPE, client["id"], client["id"])]
    assert await topic_config(stack.bootstrap, topic, "retention.ms") == "-1"  # kept for ever
    details = (await stack.employment.client.get("/readyz")).json()["details"]["revocations"]
    assert details["loaded"] and details["healthy"] and details["revoked"] == 1

    # A service instance started after the revocation replays the topic and refuses the client too.
    later = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await make_db("employment_later"), bootstrap=stack.bootstrap, prefix=stack.prefix,
        data_dir=tmp_path / "later"))
    async with later:
        started = time.monotonic()
        body = await eventually(lambda: refused(later, headers), timeout=PROPAGATION_SECONDS)
        print(f"a service started later refused the client after {time.monotonic() - started:.2f} s")
        assert later.runtime.revocations is not None and later.runtime.revocations.caught_up.is_set()
        # Other clients are not affected.
        other = await stack.gateway.client.post("/v1/clients", json={"name": "就业经办系统",
                                                                      "scopes": ["employment:read"]})
        assert (await later.client.get("/v1/employers", headers=bearer(other.json()["token"]))).status_code == 200
