"""The city loader (hrss_cli.city.load) against the in-process employment service, on SQLite and PostgreSQL: every
row of the city's employment part is written with its event, nothing is refused, a second load writes nothing,
and a failing request stops the load naming the service, the path and the problem."""

from __future__ import annotations

import httpx
import pytest

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_cli.city import City, Status
from hrss_cli.city import employment as city_employment
from hrss_cli.city.load import LoadError, load_city
from tests.employment.helpers import count, outbox
from tests.support import DEV_TOKEN, InProcessService, on_each_database, token

MODULES = {"employment": city_employment}
URLS = {"employment": "http://employment"}


service = on_each_database(create_app, EmploymentSettings, "employment")


async def test_the_city_loads_once_and_again_without_change(service: InProcessService) -> None:
    city = City(persons=1200, seed=5)
    people = [p for chunk in city.people() for p in chunk]
    statuses = {s: sum(p.status == s for p in people) for s in Status}
    transport = httpx.ASGITransport(app=service.app)
    totals = await load_city(city, URLS, DEV_TOKEN, chunk_size=500, progress=False, modules=MODULES,
                             transport=transport)
    kinds = totals["employment"].as_dict()
    assert kinds["employers"] == {"received": len(city.employers), "written": len(city.employers), "skipped": 0,
                                  "refused": 0, "events": len(city.employers)}
    assert kinds["employment-registrations"]["written"] == statuses[Status.employee]
    assert kinds["unemployment-registrations"]["written"] == statuses[Status.unemployed]
    assert kinds["job-seekers"]["written"] >= statuses[Status.unemployed]
    for counts in kinds.values():
        assert counts["written"] == counts["received"] == counts["events"] and counts["refused"] == 0
    assert totals["employment"].refusals == []
    assert await count(service, "employers") == len(city.employers)
    assert await count(service, "employment_registrations") == statuses[Status.employee]
    assert await count(service, "unemployment_registrations") == statuses[Status.unemployed]
    events = len(await outbox(service))
    assert events == totals["employment"].total.events

    again = await load_city(city, URLS, DEV_TOKEN, chunk_size=700, progress=False, modules=MODULES,
                            transport=transport)
    total = again["employment"].total
    assert (total.written, total.events, total.refused, total.skipped) == (0, 0, 0, total.received)
    assert len(await outbox(service)) == events


async def test_a_failing_request_stops_the_load(service: InProcessService) -> None:
    transport = httpx.ASGITransport(app=service.app)
    with pytest.raises(LoadError) as failed:
        await load_city(City(persons=50, seed=5), URLS, token("employment:read"), progress=False, modules=MODULES,
                        transport=transport)
    assert (failed.value.service, failed.value.path, failed.value.status) == ("employment", "/v1/bulk/employers",
                                                                             403)
    assert "employment POST /v1/bulk/employers answered 403" in str(failed.value)
    assert await count(service, "employers") == 0
    with pytest.raises(ValueError, match="no URL for employment"):
        await load_city(City(persons=50, seed=5), {}, DEV_TOKEN, progress=False, modules=MODULES)
