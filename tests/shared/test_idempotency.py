"""``Idempotency-Key`` on writes (hrss_shared.idempotency), on SQLite and PostgreSQL: a retry gets the first
answer and changes nothing; a different request under the same key is refused; copies racing make one record."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from employment.config import EmploymentSettings
from employment.main import create_app
from tests import factories
from tests.support import InProcessService, bearer, on_each_database, token

HEADER = "Idempotency-Key"


service = on_each_database(create_app, EmploymentSettings, "employment")


async def count(svc: InProcessService, table: Any) -> int:
    async with svc.runtime.maker() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(
    service: InProcessService,
) -> None:
    seeker = factories.job_seeker()
    first = await service.client.post("/v1/job-seekers", json=seeker, headers={HEADER: "k-1"})
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await service.client.post("/v1/job-seekers", json=seeker, headers={HEADER: "k-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await count(service, service.runtime.infra.outbox) == 1, "one event, not two"
    # Without a key the same request is a duplicate, as before.
    assert (await service.client.post("/v1/job-seekers", json=seeker)).status_code == 409


async def test_the_same_key_for_a_different_request_is_refused(service: InProcessService) -> None:
    assert (await service.client.post("/v1/job-seekers", json=factories.job_seeker(),
                                      headers={HEADER: "k-2"})).status_code == 201
    other = await service.client.post("/v1/job-seekers", json=factories.job_seeker(), headers={HEADER: "k-2"})
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["errors"][0]["field"] == f"header.{HEADER}"
    assert await count(service, service.runtime.infra.outbox) == 1


async def test_keys_belong_to_their_client(service: InProcessService) -> None:
    writer = bearer(token("employment:write", "employment:read"))
    a = await service.client.post("/v1/job-seekers", json=factories.job_seeker(), headers={HEADER: "shared"})
    b = await service.client.post("/v1/job-seekers", json=factories.job_seeker(),
                                  headers={HEADER: "shared", **writer})
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert await count(service, service.runtime.infra.outbox) == 2


async def test_copies_sent_at_once_make_one_record_and_all_get_its_answer(service: InProcessService) -> None:
    seeker = factories.job_seeker()
    answers = await asyncio.gather(*(
        service.client.post("/v1/job-seekers", json=seeker, headers={HEADER: "race"}) for _ in range(6)))
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 5
    assert await count(service, service.runtime.infra.outbox) == 1


async def test_a_failed_write_keeps_no_answer_so_its_retry_runs_again(service: InProcessService) -> None:
    seeker = factories.job_seeker()
    assert (await service.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    refused = await service.client.post("/v1/job-seekers", json=seeker, headers={HEADER: "k-3"})
    assert refused.status_code == 409
    async with service.runtime.maker() as session:
        t = service.runtime.infra.idempotency_keys
        assert (await session.execute(select(func.count()).select_from(t))).scalar_one() == 0


@pytest.mark.parametrize("key", ["", "x" * 201, "键", "a b", "a\tb"])
async def test_a_malformed_key_is_refused_naming_the_header(service: InProcessService, key: str) -> None:
    r = await service.client.post("/v1/job-seekers", json=factories.job_seeker(), headers={HEADER: key.encode()})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == f"header.{HEADER}"
    assert await count(service, service.runtime.infra.outbox) == 0


async def test_a_key_at_the_longest_allowed_length_is_accepted(service: InProcessService) -> None:
    r = await service.client.post("/v1/job-seekers", json=factories.job_seeker(), headers={HEADER: "x" * 200})
    assert r.status_code == 201, r.text
