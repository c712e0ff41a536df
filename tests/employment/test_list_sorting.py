"""Every list sorts by an allowed key (422 on another) and filters by a from_date/to_date range on its main date."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.employment.helpers import assert_problem, employ, new_employer, reason, unemploy
from tests.support import InProcessService

LISTS = {
    "/v1/employers": ("created_at", "name"),
    "/v1/job-seekers": ("registered_date", "graduation_year", "created_at"),
    "/v1/employment-registrations": ("start_date", "created_at"),
    "/v1/unemployment-registrations": ("registered_date", "created_at"),
    "/v1/service-records": ("service_date", "created_at"),
    "/v1/service-records/report": ("deadline_date", "registered_date"),
}


async def test_unknown_sort_key_is_422_naming_sort_and_the_allowed_keys(employment: InProcessService) -> None:
    for path, keys in LISTS.items():
        for sort in ("id", "-password", "start_date;drop", "--name", ""):
            body = assert_problem(await employment.client.get(path, params={"sort": sort}), 422, "sort")
            assert all(key in reason(body, "sort") for key in keys), (path, sort)


async def test_allowed_sort_keys_answer_200(employment: InProcessService) -> None:
    for path, keys in LISTS.items():
        for sort in (v for k in keys for v in (k, f"-{k}")):
            r = await employment.client.get(path, params={"sort": sort})
            assert r.status_code == 200, (path, sort, r.text)


async def test_bad_date_range_is_422_naming_the_field(employment: InProcessService) -> None:
    for path in LISTS:
        r = await employment.client.get(path, params={"from_date": "2026-05-01", "to_date": "2026-04-30"})
        assert "2026-05-01" in reason(assert_problem(r, 422, "to_date"), "to_date")
        assert_problem(await employment.client.get(path, params={"from_date": "2026-02-30"}), 422, "from_date")


async def test_openapi_documents_the_sort_keys(employment: InProcessService) -> None:
    spec = (await employment.client.get("/openapi.json")).json()
    for path, keys in LISTS.items():
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert {"from_date", "to_date", "sort", "limit", "offset"} <= set(params), path
        assert set(params["sort"]["schema"]["enum"]) == {v for k in keys for v in (k, f"-{k}")}, path


async def test_employment_registrations_by_start_date_range_and_sort(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    starts = ["2026-03-01", "2026-01-15", "2026-05-20"]
    for day in starts:
        await employ(employment, factories.id_number(), employer["credit_code"], day)

    async def days(**params: Any) -> list[str]:
        r = await employment.client.get("/v1/employment-registrations", params=params)
        assert r.status_code == 200, r.text
        return [row["start_date"] for row in r.json()["data"]]

    assert await days() == ["2026-05-20", "2026-03-01", "2026-01-15"]
    assert await days(sort="start_date") == sorted(starts)
    assert await days(from_date="2026-03-01") == ["2026-05-20", "2026-03-01"]
    assert await days(to_date="2026-03-01", sort="start_date") == ["2026-01-15", "2026-03-01"]
    assert await days(from_date="2026-02-01", to_date="2026-04-30") == ["2026-03-01"]
    created = await days(sort="created_at")
    assert created == starts


async def test_unemployment_registrations_by_registered_date_range_and_sort(employment: InProcessService) -> None:
    for day in ("2026-07-02", "2026-06-10", "2026-08-15"):
        await unemploy(employment, factories.id_number(), day)

    async def days(**params: Any) -> list[str]:
        r = await employment.client.get("/v1/unemployment-registrations", params=params)
        assert r.status_code == 200, r.text
        return [row["registered_date"] for row in r.json()["data"]]

    assert await days() == ["2026-08-15", "2026-07-02", "2026-06-10"]
    assert await days(sort="registered_date") == ["2026-06-10", "2026-07-02", "2026-08-15"]
    assert await days(from_date="2026-06-11", to_date="2026-08-14") == ["2026-07-02"]
    assert await days(sort="-created_at") == ["2026-08-15", "2026-06-10", "2026-07-02"]


async def test_sorted_pages_do_not_overlap(employment: InProcessService) -> None:
    """Equal sort values are broken by id, so consecutive pages never repeat or skip a row."""
    for _ in range(5):
        await unemploy(employment, factories.id_number(), "2026-07-02")
    seen: list[str] = []
    for offset in range(0, 5, 2):
        r = await employment.client.get("/v1/unemployment-registrations",
                                        params={"sort": "registered_date", "limit": 2, "offset": offset})
        seen += [row["id"] for row in r.json()["data"]]
    assert len(seen) == len(set(seen)) == 5
