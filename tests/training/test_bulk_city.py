"""The synthetic city's training rows (hrss_cli.city.training): valid request rows, about 3 % of working-age people,
the same rows whatever the chunk size, and loaded through POST /v1/bulk/certificates with nothing refused (a second
load writes nothing)."""

from __future__ import annotations

from typing import Any

from hrss_cli.city import City, Status
from hrss_cli.city import training as city_training
from hrss_shared.bulk import Rows
from tests.support import InProcessService
from training.certificates.models import CertificateCreate


def rows_of(city: City, chunk: int) -> list[dict[str, Any]]:
    return [row for people in city.people(chunk) for batch in city_training.person_batches(city, people)
            for row in batch.rows]


def test_rows_are_valid_deterministic_and_about_three_percent_of_working_age_people() -> None:
    city = City(persons=6000, seed=7)
    rows = rows_of(city, 1000)
    assert rows == rows_of(city, 777) == rows_of(City(persons=6000, seed=7), 6000)
    assert list(city_training.employer_batches(city)) == []
    Rows[CertificateCreate].model_validate({"rows": rows})  # every row is what the endpoint accepts
    working = sum(p.status in city_training.WORKING_AGE and p.age() >= 18 for ps in city.people(6000) for p in ps)
    assert 0.02 * working <= len(rows) <= 0.04 * working
    assert len({r["certificate_number"] for r in rows}) == len({r["id_number"] for r in rows}) == len(rows)
    people = {p.id_number: p for ps in city.people(6000) for p in ps}
    for row in rows:
        holder = people[row["id_number"]]
        assert holder.status not in (Status.child, Status.student, Status.retired)
        assert row["issued_date"] <= city.as_of.isoformat() and row["county_code"] == holder.county_code
    assert {r["level"] for r in rows} >= {3, 4, 5}
    assert rows_of(City(persons=6000, seed=8), 1000) != rows


async def test_the_citys_certificates_load_and_a_second_load_writes_nothing(training: InProcessService) -> None:
    city = City(persons=3000, seed=11)
    batches = [b for people in city.people(1000) for b in city_training.person_batches(city, people)]
    assert {(b.service, b.path) for b in batches} == {("training", "/v1/bulk/certificates")}
    total = sum(len(b.rows) for b in batches)
    for expect_written in (True, False):
        written = 0
        for batch in batches:
            r = await training.client.post(batch.path, json={"rows": batch.rows})
            assert r.status_code == 200, r.text
            assert r.json()["refused"] == []
            written += r.json()["written"]
        assert written == (total if expect_written else 0)
    assert (await training.client.get("/v1/certificates")).json()["count"] == total
