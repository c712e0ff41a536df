"""The synthetic city loaded for real: the loader (hrss_cli.city.load) sends the city's rows to the employment
service's bulk paths, its relay publishes the events to the real Kafka, and the gateway shows the people and
employers — on SQLite and PostgreSQL. Loading the same city again writes and publishes nothing.

Only the employment part for now: the city modules of the other services join when their bulk paths exist."""

from __future__ import annotations

from typing import Any

import httpx

from hrss_cli.city import City, Status
from hrss_cli.city import employment as city_employment
from hrss_cli.city.load import load_city
from tests.employment.helpers import count, outbox
from tests.integration.conftest import Stack
from tests.support import DEV_TOKEN, eventually

MODULES = {"employment": city_employment}


async def test_the_city_is_in_the_database_and_visible_in_the_gateway(stack: Stack) -> None:
    city = City(persons=1500, seed=41)
    people = [p for chunk in city.people() for p in chunk]
    transport = httpx.ASGITransport(app=stack.employment.app)
    urls = {"employment": "http://employment"}
    totals = await load_city(city, urls, DEV_TOKEN, chunk_size=600, progress=False, modules=MODULES,
                             transport=transport)
    total = totals["employment"].total
    assert total.refused == 0 and total.written == total.received == total.events > len(city.employers)
    employees = [p for p in people if p.status == Status.employee]
    unemployed = [p for p in people if p.status == Status.unemployed]
    assert await count(stack.employment, "employment_registrations") == len(employees)
    assert await count(stack.employment, "unemployment_registrations") == len(unemployed)

    async def published() -> bool:
        return all(row["published_at"] is not None for row in await outbox(stack.employment))
    await eventually(published, timeout=120)

    async def person(id_number: str) -> dict[str, Any] | None:
        r = await stack.gateway.client.get(f"/v1/persons/{id_number}")
        return r.json() if r.status_code == 200 else None

    worker, idle = employees[-1], unemployed[-1]
    assert worker.employer is not None
    employer = city.employers[worker.employer]

    async def employed() -> dict[str, Any] | None:
        view = await person(worker.id_number)
        return view if view and view["employment"]["status"] == "employed" else None
    view = await eventually(employed, timeout=120)
    assert view["identity"]["name"] == worker.name

    async def registered_unemployed() -> dict[str, Any] | None:
        view = await person(idle.id_number)
        return view if view and view["employment"]["status"] == "registered_unemployed" else None
    await eventually(registered_unemployed, timeout=60)

    staff = sum(p.employer == worker.employer for p in employees)

    async def employer_seen() -> dict[str, Any] | None:
        r = await stack.gateway.client.get(f"/v1/employers/{employer.credit_code}")
        view = r.json() if r.status_code == 200 else None
        return view if view and view["employees"]["count"] == staff else None
    assert (await eventually(employer_seen, timeout=60))["profile"]["name"] == employer.name

    events = len(await outbox(stack.employment))
    again = await load_city(city, urls, DEV_TOKEN, chunk_size=1000, progress=False, modules=MODULES,
                            transport=transport)
    total = again["employment"].total
    assert (total.written, total.events, total.skipped) == (0, 0, total.received)
    assert len(await outbox(stack.employment)) == events
