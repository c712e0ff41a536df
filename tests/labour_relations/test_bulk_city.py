"""The synthetic city's labour-relations rows (hrss_cli.city.labour_relations): valid request rows, projects of
construction employers only, cases for about 0.5 % of employers, deterministic, and loaded through the bulk paths
with nothing refused (a second load writes nothing)."""

from __future__ import annotations

from hrss_cli.city import City
from hrss_cli.city import labour_relations as city_labour
from hrss_shared.bulk import Rows
from labour_relations.cases.models import CaseCreate
from labour_relations.projects.models import ProjectCreate
from tests.support import InProcessService


def test_rows_are_valid_deterministic_and_in_the_expected_shares() -> None:
    city = City(persons=100_000, seed=3)  # 4,000 employers (employers only: no person is generated)
    batches = list(city_labour.employer_batches(city))
    assert batches == list(city_labour.employer_batches(City(persons=100_000, seed=3)))
    assert [b.path for b in batches] == ["/v1/bulk/projects", "/v1/bulk/arrears-cases"]
    projects, cases = batches[0].rows, batches[1].rows
    Rows[ProjectCreate].model_validate({"rows": projects})
    Rows[CaseCreate].model_validate({"rows": cases})
    construction = {e.credit_code for e in city.employers if e.is_construction}
    assert {p["credit_code"] for p in projects} == construction
    assert len({(p["credit_code"], p["name"]) for p in projects}) == len(projects)
    assert 0.002 * len(city.employers) <= len(cases) <= 0.01 * len(city.employers)
    assert len({c["credit_code"] for c in cases}) == len(cases)
    assert all(c["filed_date"] <= city.as_of.isoformat() for c in cases)
    assert any(c["workers_affected"] >= 10 for c in cases) and any(c["workers_affected"] < 10 for c in cases)
    assert list(city_labour.person_batches(city, next(City(persons=10).people()))) == []


async def test_the_citys_projects_and_cases_load_and_a_second_load_writes_nothing(labour: InProcessService) -> None:
    city = City(persons=40_000, seed=5)
    batches = list(city_labour.employer_batches(city))
    totals = {b.path: len(b.rows) for b in batches}
    assert totals["/v1/bulk/arrears-cases"] > 0
    for expect_written in (True, False):
        for batch in batches:
            r = await labour.client.post(batch.path, json={"rows": batch.rows})
            assert r.status_code == 200, r.text
            assert r.json()["refused"] == []
            assert r.json()["written"] == (len(batch.rows) if expect_written else 0)
    assert (await labour.client.get("/v1/projects")).json()["count"] == totals["/v1/bulk/projects"]
    assert (await labour.client.get("/v1/arrears-cases")).json()["count"] == totals["/v1/bulk/arrears-cases"]
