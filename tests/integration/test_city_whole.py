"""The whole synthetic city of 10,000 persons through every service's bulk paths, over the real Kafka, into the
gateway (the issue's "CI loads 10,000"; 3,000 on PostgreSQL, whose COPY paths the same rules run, to keep CI within
its time): every row written, nothing refused, every outbox row published, and the
gateway showing a worker's employment, card, enrolments and twelve months of contributions, a certificate and the
employers' contribution months. A second load writes and publishes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_cli.city import City, Status
from hrss_cli.city.load import MODULES, load_city
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app as create_labour
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests.conftest import DbFactory
from tests.support import (
    DEV_TOKEN,
    InProcessService,
    KafkaNode,
    committed_to_end,
    eventually,
    service_settings,
)
from training.config import TrainingSettings
from training.main import create_app as create_training

PERSONS = {"sqlite": 10_000, "postgresql": 3_000}  # by database


class ByHost(httpx.AsyncBaseTransport):
    """Requests to ``http://<service>`` go to that in-process service."""

    def __init__(self, services: dict[str, InProcessService]) -> None:
        self.routes = {name: httpx.ASGITransport(app=svc.app) for name, svc in services.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.routes[request.url.host].handle_async_request(request)


@pytest.fixture
async def stack(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path
) -> AsyncIterator[dict[str, InProcessService]]:
    """Every service in-process, by registry name."""
    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    services = {
        "employment": InProcessService(create_employment, settings(EmploymentSettings, await make_db("employment"))),
        "training": InProcessService(create_training, settings(TrainingSettings, await make_db("training"))),
        "social-insurance": InProcessService(create_social_insurance, settings(
            SocialInsuranceSettings, await make_db("social_insurance"))),
        "labour-relations": InProcessService(create_labour, settings(
            LabourRelationsSettings, await make_db("labour_relations"))),
        "gateway": InProcessService(create_gateway, settings(GatewaySettings, await make_db("gateway"))),
    }
    async with services["employment"], services["training"], services["social-insurance"], \
            services["labour-relations"], services["gateway"]:
        yield services


async def outbox_state(svc: InProcessService) -> tuple[int, int]:
    """(rows, unpublished rows) of a service's outbox."""
    table = svc.runtime.infra.outbox
    async with svc.runtime.maker() as session:
        total = (await session.execute(select(func.count()).select_from(table))).scalar_one()
        waiting = (await session.execute(select(func.count()).select_from(table).where(
            table.c.published_at.is_(None)))).scalar_one()
    return int(total), int(waiting)


async def settled(stack: dict[str, InProcessService]) -> dict[str, int] | None:
    """The domain services' outbox row counts once the stack is quiet: every row published, every consumer of every
    service committed to the end of its topics, and no row added meanwhile (a consumer's own events, such as
    training's decisions on what it consumed, come after the load's: a count taken before they stop would move)."""
    domain = {name: svc for name, svc in stack.items() if name != "gateway"}
    before = {name: await outbox_state(svc) for name, svc in domain.items()}
    if any(waiting for _, waiting in before.values()):
        return None
    for svc in stack.values():
        for runner in svc.runtime.consumers:
            if not await committed_to_end(svc.settings.bootstrap_servers, runner.group_id, list(runner.topics)):
                return None
    after = {name: await outbox_state(svc) for name, svc in domain.items()}
    return {name: total for name, (total, _) in after.items()} if after == before else None


@pytest.mark.slow
async def test_the_whole_city_loads_through_every_service_into_the_gateway(
    stack: dict[str, InProcessService], request: pytest.FixtureRequest
) -> None:
    persons = PERSONS[request.node.callspec.params["make_db"]]
    city = City(persons=persons, seed=2025)
    domain = {name: svc for name, svc in stack.items() if name != "gateway"}
    urls = {name: f"http://{name}" for name in domain}
    assert set(MODULES) == set(domain)  # every service has its part of the city
    transport = ByHost(domain)
    totals = await load_city(city, urls, DEV_TOKEN, progress=False, modules=MODULES, transport=transport)
    for name, counts in totals.items():
        total = counts.total
        assert total.refused == 0, (name, counts)
        assert total.written == total.received > 0, (name, counts)
        assert total.events > 0, name

    people = [p for chunk in city.people() for p in chunk]
    employees = [p for p in people if p.status == Status.employee]
    insurance = totals["social-insurance"]
    assert insurance.kinds["cards"].written == persons  # a card for everyone
    contributions = insurance.kinds["contributions"]
    # far fewer events than contribution rows: one per employer, month and type (plus individuals' own)
    assert contributions.events < contributions.written / 2

    async def published() -> bool:
        for name, svc in domain.items():
            total, waiting = await outbox_state(svc)
            assert total > 0 and waiting == 0, (name, total, waiting)
        return True
    await eventually(published, timeout=600, interval=2)

    worker = employees[0]
    assert worker.employer is not None
    employer = city.employers[worker.employer]

    async def worker_view() -> dict[str, Any] | None:
        r = await stack["gateway"].client.get(f"/v1/persons/{worker.id_number}")
        if r.status_code != 200:
            return None
        view: dict[str, Any] = r.json()
        months = view["insurance"]["contribution_months"].get("employee_pension", [])
        ready = view["employment"]["status"] == "employed" and view["card"]["card"] and len(months) == 12
        return view if ready else None
    view = await eventually(worker_view, timeout=600, interval=2)
    assert view["identity"]["name"] == worker.name
    assert view["insurance"]["contribution_months"]["employee_pension"] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert {e["insurance_type"] for e in view["insurance"]["enrolments"]} >= {"employee_pension", "unemployment"}

    async def employer_view() -> dict[str, Any] | None:
        r = await stack["gateway"].client.get(f"/v1/employers/{employer.credit_code}")
        body: dict[str, Any] | None = r.json() if r.status_code == 200 else None
        return body if body and len(body["insurance"]["months"]) >= 12 else None
    body = await eventually(employer_view, timeout=600, interval=2)
    assert body["profile"]["name"] == employer.name

    events = await eventually(lambda: settled(stack), timeout=600, interval=2)
    again = await load_city(city, urls, DEV_TOKEN, progress=False, modules=MODULES, transport=transport)
    for name, counts in again.items():
        assert (counts.total.written, counts.total.events) == (0, 0), (name, counts)
    assert {name: (await outbox_state(svc))[0] for name, svc in domain.items()} == events
